# tlsrpt-milter: the libmilter daemon.  main.c starts it, mlfi.c holds the
# callbacks, msg.c decides per message, conf/gate/log/spool/preflight/reaper
# are its helpers.
sbin_PROGRAMS += milter/tlsrpt-milter
milter_tlsrpt_milter_SOURCES = milter/main.c \
	milter/mlfi.c milter/mlfi.h \
	milter/gate.c milter/gate.h \
	milter/drain.c milter/drain.h \
	milter/msg.c milter/msg.h \
	milter/verdict.c milter/verdict.h \
	milter/conf.c milter/conf.h \
	milter/log.c milter/log.h \
	milter/spool.c milter/spool.h \
	milter/preflight.c milter/preflight.h \
	milter/reaper.c milter/reaper.h \
	milter/metrics.c milter/metrics.h \
	milter/metrics_http.c milter/metrics_http.h
milter_tlsrpt_milter_CPPFLAGS = $(AM_CPPFLAGS) $(NET_CPPFLAGS)
milter_tlsrpt_milter_CFLAGS = $(TLSRPT_CFLAGS) $(MILTER_CFLAGS)
milter_tlsrpt_milter_LDADD = $(NET_LIBS) $(TLSRPT_LIBS) $(MILTER_LIBS) -lpthread

# The man pages in docs/ name the paths a package uses (/etc, /var/lib,
# /run); the installed copies name this build's (sysconfdir, the default
# database, runstatedir), the paths the binary itself uses and -h prints.
nodist_man_MANS = man/tlsrpt-milter.8 man/tlsrpt-milter.conf.5
EXTRA_DIST += docs/tlsrpt-milter.8 docs/tlsrpt-milter.conf.5
CLEANFILES += $(nodist_man_MANS)
man_paths = sed -e 's|/etc/tlsrpt-milter\.conf|$(sysconfdir)/tlsrpt-milter.conf|g' \
	-e 's|/var/lib/tlsrpt/tlsrpt\.db|$(default_db)|g' \
	-e 's|/run/tlsrpt-milter/|$(runstatedir)/tlsrpt-milter/|g'
man/tlsrpt-milter.8: $(srcdir)/docs/tlsrpt-milter.8 Makefile
	$(AM_V_GEN)$(MKDIR_P) man && $(man_paths) $(srcdir)/docs/tlsrpt-milter.8 >$@
man/tlsrpt-milter.conf.5: $(srcdir)/docs/tlsrpt-milter.conf.5 Makefile
	$(AM_V_GEN)$(MKDIR_P) man && $(man_paths) $(srcdir)/docs/tlsrpt-milter.conf.5 >$@
dist_doc_DATA += docs/postfix.md docs/sendmail.md docs/tlsrpt-milter.conf.example \
	docs/tlsrpt-milter.service
