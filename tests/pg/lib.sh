# Shell tests' side of tests/testdb.h: source it, then
#   need_pg                 skip the whole test (TAP "1..0 # SKIP") unless
#                           run-tests started a cluster (TLSRPT_TEST_PG)
#   uri=$(pg_fresh_db)      a URI to a new empty database (a schema of its
#                           own in that cluster)
need_pg() {
	if [ -z "${TLSRPT_TEST_PG:-}" ]; then
		echo "1..0 # SKIP TLSRPT_TEST_PG is not set (run-tests starts a cluster: tests/pg/cluster.sh)"
		exit 0
	fi
	command -v psql >/dev/null 2>&1 || {
		echo "1..0 # SKIP psql is not installed (Debian: postgresql-client)"
		exit 0
	}
}

pg_fresh_db() {
	# random: $(pg_fresh_db) runs in a subshell, where no counter survives
	_schema="s_$$_$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
	psql "$TLSRPT_TEST_PG" -qAt -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
		-c "DROP SCHEMA IF EXISTS $_schema CASCADE" -c "CREATE SCHEMA $_schema" >/dev/null || return 1
	case $TLSRPT_TEST_PG in
	*\?*) printf '%s&options=-csearch_path%%3D%s\n' "$TLSRPT_TEST_PG" "$_schema" ;;
	*) printf '%s?options=-csearch_path%%3D%s\n' "$TLSRPT_TEST_PG" "$_schema" ;;
	esac
}
