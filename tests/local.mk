# Tests: each area keeps its own fragment, so that work on one area never
# edits another's rules.  cmocka programs print TAP; so do shell tests.
include $(srcdir)/tests/core.mk
include $(srcdir)/tests/extract.mk
include $(srcdir)/tests/mime.mk
include $(srcdir)/tests/report.mk
include $(srcdir)/tests/store.mk
include $(srcdir)/tests/db.mk
include $(srcdir)/tests/cli.mk
include $(srcdir)/tests/milter.mk
include $(srcdir)/tests/sendmail.mk
include $(srcdir)/tests/faults.mk
include $(srcdir)/tests/hostile.mk
include $(srcdir)/tests/net.mk
include $(srcdir)/tests/httpd.mk
include $(srcdir)/tests/metrics.mk
include $(srcdir)/tests/dkim.mk
EXTRA_DIST += tests/fixtures tests/lib.sh
include $(srcdir)/tests/check.mk
