# tlsrpt-report check: the live checks of a domain's MTA-STS, DANE and
# TLSRPT set-up.  Kept out of the core lib/ because it needs libunbound,
# libcurl and OpenSSL; the pure parsers (txtrec, stspolicy, findings) need
# none of them and are what the unit tests link.
noinst_LIBRARIES += check/libcheck.a
check_libcheck_a_SOURCES = \
	check/findings.c check/findings.h \
	check/txtrec.c check/txtrec.h \
	check/stspolicy.c check/stspolicy.h \
	check/resolve.c check/resolve.h \
	check/policyfetch.c check/policyfetch.h \
	check/smtpprobe.c check/smtpprobe.h \
	check/domaincheck.c check/domaincheck.h \
	check/explain.c check/explain.h
check_libcheck_a_CFLAGS = $(TLSRPT_CFLAGS) $(UNBOUND_CFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS)

CHECK_LIBS = check/libcheck.a $(UNBOUND_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS)
