# net: the HTTP(S) server both daemons use (tlsrpt-httpd, and the
# milter's /metrics), a thin layer over libmicrohttpd with GnuTLS.
noinst_LIBRARIES += net/libnet.a
net_libnet_a_SOURCES = net/httpserv.c net/httpserv.h
net_libnet_a_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS)

# What links net/libnet.a needs too (after the core library, for err.c).
NET_LIBS = net/libnet.a $(MHD_LIBS) $(GNUTLS_LIBS) -lpthread
NET_CPPFLAGS = -iquote $(top_srcdir)/net
