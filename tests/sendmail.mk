# The milter behind a real Sendmail: Debian's 8.17 binary, downloaded
# (apt-get download) and unpacked, not installed, run privately on
# loopback (tests/sendmail/sendmail.sh).  The scripts skip without root
# or when the packages cannot be had.
SENDMAIL_SHELL_TESTS = tests/sendmail/t-sendmail.sh tests/sendmail/t-down.sh \
	tests/sendmail/t-stop.sh
TESTS += $(SENDMAIL_SHELL_TESTS)
EXTRA_DIST += $(SENDMAIL_SHELL_TESTS) tests/sendmail/sendmail.sh tests/sendmail/sendmail.mc.in
