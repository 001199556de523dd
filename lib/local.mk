# The core library: no libmilter, no syslog, no globals.  The milter, the
# CLI, the tests and the benchmarks all link it.
noinst_LIBRARIES += lib/libtlsrpt.a
lib_libtlsrpt_a_SOURCES = \
	lib/err.c lib/err.h \
	lib/buf.c lib/buf.h \
	lib/arena.c lib/arena.h \
	lib/limits.c lib/tr_limits.h \
	lib/decode.c lib/decode.h \
	lib/mime.c lib/mime.h \
	lib/inflate.c lib/inflate.h \
	lib/datetime.c lib/datetime.h \
	lib/report.c lib/report.h \
	lib/extract.c lib/extract.h \
	lib/db.c lib/db.h \
	lib/backend/backend.h \
	lib/backend/sqlite.c lib/backend/sqlite.h \
	lib/migrate.c lib/migrate.h \
	lib/count.c lib/count.h \
	lib/filter.c lib/filter.h \
	lib/key.c lib/key.h \
	lib/rows.c lib/rows.h \
	lib/rollup.c lib/rollup.h \
	lib/store.c lib/store.h \
	lib/summary.c lib/summary.h \
	lib/tally.c lib/tally.h \
	lib/views.c lib/views.h \
	lib/presence.c lib/presence.h \
	lib/promtext.c lib/promtext.h \
	lib/authres.c lib/authres.h \
	lib/domain.c lib/domain.h \
	lib/dkimverify.c lib/dkimverify.h \
	lib/spool.c lib/spool.h \
	lib/mtasts.c lib/mtasts.h
nodist_lib_libtlsrpt_a_SOURCES = lib/schema_sql.c lib/migrations_sql.c
lib_libtlsrpt_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(SQLITE_CFLAGS) $(CJSON_CFLAGS) $(OPENDKIM_CFLAGS)

# Everything that links the core library needs its dependencies too.
TLSRPT_LIBS = lib/libtlsrpt.a $(CJSON_LIBS) $(SQLITE_LIBS) $(ZLIB_LIBS) $(OPENDKIM_LIBS) $(RESOLV_LIBS)
TLSRPT_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(SQLITE_CFLAGS) $(CJSON_CFLAGS) $(OPENDKIM_CFLAGS)

# Schema migrations, in order (see schema/migrations/README).
MIGRATIONS = schema/migrations/002-summary-rollups.sql \
	schema/migrations/003-summary-by-domain-and-mx.sql \
	schema/migrations/004-cheaper-report-inserts.sql \
	schema/migrations/005-time-keyed-rollups.sql \
	schema/migrations/006-lowercase-domains.sql \
	schema/migrations/007-presence-index.sql \
	schema/migrations/008-dkim-verdicts.sql \
	schema/migrations/009-count-sts-beside-tlsa-once.sql \
	schema/migrations/010-https-client-address.sql \
	schema/migrations/011-policy-type-rollups.sql \
	schema/migrations/012-cheaper-postgresql-inserts.sql \
	schema/migrations/013-folded-rollups.sql

BUILT_SOURCES += lib/schema_sql.c lib/migrations_sql.c
CLEANFILES += lib/schema_sql.c lib/migrations_sql.c
EXTRA_DIST += build-aux/sql2c.sh schema/schema.sql schema/migrations2c.sh \
	schema/migrations/README $(MIGRATIONS)
lib/schema_sql.c: $(top_srcdir)/schema/schema.sql $(top_srcdir)/build-aux/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(SHELL) $(top_srcdir)/build-aux/sql2c.sh schema_sql $(top_srcdir)/schema/schema.sql > $@.tmp && mv $@.tmp $@
lib/migrations_sql.c: $(MIGRATIONS) $(top_srcdir)/schema/migrations2c.sh $(srcdir)/lib/local.mk
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(SHELL) $(top_srcdir)/schema/migrations2c.sh $(top_srcdir) $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

# The PostgreSQL backend and its schema (--without-postgresql leaves them out).
include $(srcdir)/lib/backend/pg.mk
