# Benchmarks: see bench/README.md.  Only the floor and parse programs are built;
# the benchmarks themselves are run by hand (bench/run.sh), never by make
# check, because timings on a shared machine are not pass/fail material.
noinst_PROGRAMS += bench/floor
bench_floor_SOURCES = bench/floor.c
bench_floor_CFLAGS = $(TLSRPT_CFLAGS)
bench_floor_LDADD = $(CJSON_LIBS) $(ZLIB_LIBS)
EXTRA_DIST += bench/README.md bench/gen-reports.py bench/baseline.py bench/run.sh \
	docs/PERFORMANCE.md

# The project's parse pipeline (extract_message) without the store.
noinst_PROGRAMS += bench/parse
bench_parse_SOURCES = bench/parse.c
bench_parse_CFLAGS = $(TLSRPT_CFLAGS)
bench_parse_LDADD = $(TLSRPT_LIBS)
