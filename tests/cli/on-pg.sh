#!/bin/sh
# The test tests/cli/NAME.pg (tests/cli.mk): tests/cli/NAME.sh once more,
# on PostgreSQL (tap.sh's TLSRPT_TEST_BACKEND); "1..0 # SKIP" without a
# cluster (TLSRPT_TEST_PG, which run-tests sets).
name=$(basename "$1" .pg)
TLSRPT_TEST_BACKEND=postgres
export TLSRPT_TEST_BACKEND
exec /bin/sh "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/$name.sh"
