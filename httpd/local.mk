# tlsrpt-httpd: receives TLS reports over HTTPS (RFC 8460 §5.4) and serves
# MTA-STS policies.  main.c starts it, handler.c answers requests, sink.c
# stores or spools, conf.c and rate.c are its helpers; net/ serves HTTP.
sbin_PROGRAMS += httpd/tlsrpt-httpd
HTTPD_CORE = httpd/conf.c httpd/conf.h \
	httpd/handler.c httpd/handler.h \
	httpd/rate.c httpd/rate.h \
	httpd/sink.c httpd/sink.h
httpd_tlsrpt_httpd_SOURCES = httpd/main.c $(HTTPD_CORE) net/log.c net/log.h
httpd_tlsrpt_httpd_CPPFLAGS = $(AM_CPPFLAGS) $(NET_CPPFLAGS)
httpd_tlsrpt_httpd_CFLAGS = $(TLSRPT_CFLAGS) $(MHD_CFLAGS)
httpd_tlsrpt_httpd_LDADD = $(NET_LIBS) $(TLSRPT_LIBS)

dist_man_MANS += docs/tlsrpt-httpd.8
dist_doc_DATA += docs/https.md docs/tlsrpt-httpd.conf.example docs/tlsrpt-httpd.service
