# tlsrpt-httpd against real clients: curl, Python, openssl, nginx.  Each
# script starts its own daemon on an ephemeral port, so make -j check
# runs them side by side; they skip without their peers.
HTTPD_SHELL_TESTS = tests/httpd/t-receive.sh tests/httpd/t-load.sh \
	tests/httpd/t-mtasts.sh tests/httpd/t-tls.sh tests/httpd/t-slow.sh \
	tests/httpd/t-nginx.sh tests/httpd/t-readonly.sh tests/httpd/t-daemon.sh
TESTS += $(HTTPD_SHELL_TESTS)
EXTRA_DIST += $(HTTPD_SHELL_TESTS) tests/httpd/common.sh tests/httpd/samples.py tests/httpd/loadgen.py \
	tests/httpd/slowclients.py
