# Fuzz targets.  Each fuzz/fuzz_<target>.c defines LLVMFuzzerTestOneInput.
# Plain builds link it with fuzz/replay.c into fuzz/replay_<target>, a test
# in make check that replays fuzz/corpus/<target>/ and
# fuzz/regressions/<target>/.  With --enable-fuzzing (CC=clang) the same
# file is also linked with libFuzzer into fuzz/fuzz_<target>, against a
# copy of the core library built with coverage instrumentation.
# See docs/ROBUSTNESS.md for how to run them.
FUZZ_COMMON = fuzz/fuzz.h fuzz/fuzz_common.c

check_PROGRAMS += fuzz/replay_mime fuzz/replay_decode fuzz/replay_inflate \
	fuzz/replay_report fuzz/replay_message fuzz/replay_config fuzz/replay_authres \
	fuzz/replay_mbox fuzz/replay_dkim
TESTS += fuzz/replay_mime fuzz/replay_decode fuzz/replay_inflate \
	fuzz/replay_report fuzz/replay_message fuzz/replay_config fuzz/replay_authres \
	fuzz/replay_mbox fuzz/replay_dkim

fuzz_replay_mime_SOURCES = fuzz/fuzz_mime.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_mime_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"mime"'
fuzz_replay_mime_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_mime_LDADD = $(TLSRPT_LIBS)
fuzz_replay_decode_SOURCES = fuzz/fuzz_decode.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_decode_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"decode"'
fuzz_replay_decode_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_decode_LDADD = $(TLSRPT_LIBS)
fuzz_replay_inflate_SOURCES = fuzz/fuzz_inflate.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_inflate_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"inflate"'
fuzz_replay_inflate_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_inflate_LDADD = $(TLSRPT_LIBS)
fuzz_replay_report_SOURCES = fuzz/fuzz_report.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_report_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"report"'
fuzz_replay_report_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_report_LDADD = $(TLSRPT_LIBS)
fuzz_replay_message_SOURCES = fuzz/fuzz_message.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_message_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"message"'
fuzz_replay_message_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_message_LDADD = $(TLSRPT_LIBS)
fuzz_replay_authres_SOURCES = fuzz/fuzz_authres.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_authres_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"authres"'
fuzz_replay_authres_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_authres_LDADD = $(TLSRPT_LIBS)
fuzz_replay_dkim_SOURCES = fuzz/fuzz_dkim.c fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_dkim_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"dkim"'
fuzz_replay_dkim_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_dkim_LDADD = $(TLSRPT_LIBS)

# tlsrpt-report's mbox splitter (aggregator/mbox.c: buf and err only).
fuzz_replay_mbox_SOURCES = fuzz/fuzz_mbox.c fuzz/replay.c $(FUZZ_COMMON) aggregator/mbox.c
fuzz_replay_mbox_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/aggregator \
	-DFUZZ_TARGET='"mbox"'
fuzz_replay_mbox_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_mbox_LDADD = $(TLSRPT_LIBS)

# The milter's config parser (milter/conf.c stands alone: no libmilter).
fuzz_replay_config_SOURCES = fuzz/fuzz_config.c fuzz/replay.c $(FUZZ_COMMON) \
	milter/conf.c milter/conf.h
fuzz_replay_config_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/milter \
	-DFUZZ_TARGET='"config"'
fuzz_replay_config_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_config_LDADD = $(TLSRPT_LIBS) -lpthread

# tlsrpt-httpd's request handler, without libmicrohttpd or a database.
FUZZ_HTTPD_SOURCES = fuzz/fuzz_httpd.c httpd/conf.c httpd/conf.h httpd/handler.c httpd/handler.h \
	httpd/rate.c httpd/rate.h net/log.c net/log.h
check_PROGRAMS += fuzz/replay_httpd
TESTS += fuzz/replay_httpd
fuzz_replay_httpd_SOURCES = $(FUZZ_HTTPD_SOURCES) fuzz/replay.c $(FUZZ_COMMON)
fuzz_replay_httpd_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/httpd -iquote $(top_srcdir)/net \
	-DFUZZ_TARGET='"httpd"'
fuzz_replay_httpd_CFLAGS = $(TLSRPT_CFLAGS)
fuzz_replay_httpd_LDADD = $(TLSRPT_LIBS) -lpthread

EXTRA_DIST += fuzz/make-seeds.py fuzz/run-fuzz.sh fuzz/campaign.sh fuzz/corpus fuzz/regressions

if ENABLE_FUZZING
# The parsing core only (no SQLite): what hostile bytes reach.
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
noinst_LIBRARIES += fuzz/libtlsrpt_fuzz.a
fuzz_libtlsrpt_fuzz_a_SOURCES = lib/err.c lib/buf.c lib/arena.c lib/limits.c lib/decode.c \
	lib/mime.c lib/inflate.c lib/datetime.c lib/report.c lib/extract.c lib/authres.c lib/domain.c \
	lib/dkimverify.c lib/mtasts.c
fuzz_libtlsrpt_fuzz_a_CFLAGS = $(TLSRPT_CFLAGS) -g -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE)
FUZZ_LIBS = fuzz/libtlsrpt_fuzz.a $(CJSON_LIBS) $(ZLIB_LIBS) $(OPENDKIM_LIBS) $(RESOLV_LIBS)
FUZZ_CFLAGS = $(TLSRPT_CFLAGS) -g -fsanitize=fuzzer $(FUZZ_SANITIZE)

noinst_PROGRAMS += fuzz/fuzz_mime fuzz/fuzz_decode fuzz/fuzz_inflate \
	fuzz/fuzz_report fuzz/fuzz_message fuzz/fuzz_config fuzz/fuzz_authres \
	fuzz/fuzz_mbox fuzz/fuzz_dkim
fuzz_fuzz_mime_SOURCES = fuzz/fuzz_mime.c $(FUZZ_COMMON)
fuzz_fuzz_mime_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_mime_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_mime_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_decode_SOURCES = fuzz/fuzz_decode.c $(FUZZ_COMMON)
fuzz_fuzz_decode_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_decode_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_decode_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_inflate_SOURCES = fuzz/fuzz_inflate.c $(FUZZ_COMMON)
fuzz_fuzz_inflate_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_inflate_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_inflate_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_report_SOURCES = fuzz/fuzz_report.c $(FUZZ_COMMON)
fuzz_fuzz_report_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_report_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_report_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_message_SOURCES = fuzz/fuzz_message.c $(FUZZ_COMMON)
fuzz_fuzz_message_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_message_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_message_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_authres_SOURCES = fuzz/fuzz_authres.c $(FUZZ_COMMON)
fuzz_fuzz_authres_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_authres_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_authres_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_dkim_SOURCES = fuzz/fuzz_dkim.c $(FUZZ_COMMON)
fuzz_fuzz_dkim_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_dkim_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_dkim_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_mbox_SOURCES = fuzz/fuzz_mbox.c $(FUZZ_COMMON) aggregator/mbox.c
fuzz_fuzz_mbox_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/aggregator
fuzz_fuzz_mbox_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_mbox_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_mbox_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_config_SOURCES = fuzz/fuzz_config.c $(FUZZ_COMMON) milter/conf.c milter/conf.h
fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/milter
fuzz_fuzz_config_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_config_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_config_LDADD = $(FUZZ_LIBS) -lpthread
noinst_PROGRAMS += fuzz/fuzz_httpd
fuzz_fuzz_httpd_SOURCES = $(FUZZ_HTTPD_SOURCES) $(FUZZ_COMMON)
fuzz_fuzz_httpd_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/httpd -iquote $(top_srcdir)/net
fuzz_fuzz_httpd_CFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_httpd_LDFLAGS = $(FUZZ_CFLAGS)
fuzz_fuzz_httpd_LDADD = $(FUZZ_LIBS) -lpthread
endif
