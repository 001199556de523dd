# The PostgreSQL backend (lib/backend/pg.c) and its schema
# (schema/pg/schema.sql, compiled in as pg_schema_sql), built when configure
# found libpq.  Included from lib/local.mk.
EXTRA_DIST += schema/pg/schema.sql schema/pg/migrations/011-policy-type-rollups.sql \
	schema/pg/migrations/012-cheaper-postgresql-inserts.sql schema/pg/migrations/013-folded-rollups.sql
lib_libtlsrpt_a_CFLAGS += $(LIBPQ_CFLAGS)
TLSRPT_LIBS += $(LIBPQ_LIBS)
TLSRPT_CFLAGS += $(LIBPQ_CFLAGS)
if HAVE_LIBPQ
lib_libtlsrpt_a_SOURCES += lib/backend/pg.c
nodist_lib_libtlsrpt_a_SOURCES += lib/pg_schema_sql.c lib/pg_migration_011_sql.c lib/pg_migration_012_sql.c lib/pg_migration_013_sql.c
BUILT_SOURCES += lib/pg_schema_sql.c lib/pg_migration_011_sql.c lib/pg_migration_012_sql.c lib/pg_migration_013_sql.c
CLEANFILES += lib/pg_schema_sql.c lib/pg_migration_011_sql.c lib/pg_migration_012_sql.c lib/pg_migration_013_sql.c
endif
lib/pg_schema_sql.c: $(top_srcdir)/schema/pg/schema.sql $(top_srcdir)/build-aux/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(SHELL) $(top_srcdir)/build-aux/sql2c.sh pg_schema_sql $(top_srcdir)/schema/pg/schema.sql > $@.tmp && mv $@.tmp $@
lib/pg_migration_011_sql.c: $(top_srcdir)/schema/pg/migrations/011-policy-type-rollups.sql $(top_srcdir)/build-aux/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(SHELL) $(top_srcdir)/build-aux/sql2c.sh pg_migration_011_sql \
	  $(top_srcdir)/schema/pg/migrations/011-policy-type-rollups.sql > $@.tmp && mv $@.tmp $@
lib/pg_migration_012_sql.c: $(top_srcdir)/schema/pg/migrations/012-cheaper-postgresql-inserts.sql $(top_srcdir)/build-aux/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(SHELL) $(top_srcdir)/build-aux/sql2c.sh pg_migration_012_sql \
	  $(top_srcdir)/schema/pg/migrations/012-cheaper-postgresql-inserts.sql > $@.tmp && mv $@.tmp $@
lib/pg_migration_013_sql.c: $(top_srcdir)/schema/pg/migrations/013-folded-rollups.sql $(top_srcdir)/build-aux/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(SHELL) $(top_srcdir)/build-aux/sql2c.sh pg_migration_013_sql \
	  $(top_srcdir)/schema/pg/migrations/013-folded-rollups.sql > $@.tmp && mv $@.tmp $@
