# tlsrpt-milter: the libmilter daemon.
sbin_PROGRAMS += milter/tlsrpt-milter
milter_tlsrpt_milter_SOURCES = milter/main.c
milter_tlsrpt_milter_CFLAGS = $(TLSRPT_CFLAGS) $(MILTER_CFLAGS)
milter_tlsrpt_milter_LDADD = $(TLSRPT_LIBS) $(MILTER_LIBS) -lpthread
