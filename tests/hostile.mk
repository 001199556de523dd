# Hostile input against the core library (bombs, floods, nesting, absurd
# numbers, non-text bytes) with peak-memory bounds; see docs/LIMITS.md.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_hostile
TESTS += tests/test_hostile
tests_test_hostile_SOURCES = tests/test_hostile.c
tests_test_hostile_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_hostile_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif

# The same at the pipeline level: long strings in every field through
# parse, import and the milter (plain and sanitizer builds alike).
TESTS += tests/hostile/t-long-strings.sh
EXTRA_DIST += tests/hostile/t-long-strings.sh tests/hostile/long-strings.py

# The same kind of mail through the whole pipeline (the milter's message
# path and `tlsrpt-report import`), with the per-message peak asserted.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_pipeline
TESTS += tests/test_pipeline
tests_test_pipeline_SOURCES = tests/test_pipeline.c milter/msg.c milter/msg.h \
	milter/verdict.c milter/verdict.h \
	milter/conf.c milter/conf.h milter/log.c milter/log.h milter/spool.c milter/spool.h \
	milter/metrics.c milter/metrics.h
tests_test_pipeline_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/milter
tests_test_pipeline_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS) -lpthread
endif
