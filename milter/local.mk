# tlsrpt-milter: the libmilter daemon.  main.c starts it, mlfi.c holds the
# callbacks, msg.c decides per message, conf/gate/log/spool/preflight/reaper
# are its helpers.
sbin_PROGRAMS += milter/tlsrpt-milter
milter_tlsrpt_milter_SOURCES = milter/main.c \
	milter/mlfi.c milter/mlfi.h \
	milter/gate.c milter/gate.h \
	milter/msg.c milter/msg.h \
	milter/conf.c milter/conf.h \
	milter/log.c milter/log.h \
	milter/spool.c milter/spool.h \
	milter/preflight.c milter/preflight.h \
	milter/reaper.c milter/reaper.h
milter_tlsrpt_milter_CFLAGS = $(TLSRPT_CFLAGS) $(MILTER_CFLAGS)
milter_tlsrpt_milter_LDADD = $(TLSRPT_LIBS) $(MILTER_LIBS) -lpthread

dist_man_MANS += docs/tlsrpt-milter.8 docs/tlsrpt-milter.conf.5
dist_doc_DATA += docs/postfix.md docs/sendmail.md docs/tlsrpt-milter.conf.example \
	docs/tlsrpt-milter.service
