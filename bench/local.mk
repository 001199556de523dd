# Benchmarks: see bench/README.md.  Only the floor and parse programs are built;
# the benchmarks themselves are run by hand (bench/run.sh), never by make
# check, because timings on a shared machine are not pass/fail material.
noinst_PROGRAMS += bench/floor
bench_floor_SOURCES = bench/floor.c
bench_floor_CFLAGS = $(TLSRPT_CFLAGS)
bench_floor_LDADD = $(CJSON_LIBS) $(ZLIB_LIBS)
EXTRA_DIST += bench/README.md bench/gen-reports.py bench/baseline.py bench/run.sh \
	bench/hostile-mails.py \
	bench/milter.sh bench/smtp-blast.py bench/ab.sh bench/httpd.sh \
	docs/PERFORMANCE.md

# The project's parse pipeline (extract_message) without the store.
noinst_PROGRAMS += bench/parse
bench_parse_SOURCES = bench/parse.c
bench_parse_CFLAGS = $(TLSRPT_CFLAGS)
bench_parse_LDADD = $(TLSRPT_LIBS)

# The milter benchmark's floor: libmilter with tlsrpt-milter's protocol
# shape, doing nothing (bench/milter.sh, set-up "null").
noinst_PROGRAMS += bench/null-milter
bench_null_milter_SOURCES = bench/null-milter.c
bench_null_milter_CFLAGS = $(TLSRPT_CFLAGS) $(MILTER_CFLAGS)
bench_null_milter_LDADD = $(MILTER_LIBS) -lpthread
