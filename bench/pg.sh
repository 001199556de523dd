#!/bin/sh
# A private PostgreSQL cluster for the benchmarks, set up as a real
# install would be (tests/pg/cluster.sh's test cluster turns durability
# off; a benchmark of that would flatter PostgreSQL):
#   bench/pg.sh start DIR   start it in DIR (new or empty) and print its URI
#   bench/pg.sh stop DIR    stop it and remove DIR
# Settings over PostgreSQL's defaults: fsync, synchronous_commit and
# full_page_writes on (the defaults, restored), shared_buffers 128MB.
# Exits 77 when PostgreSQL's server is not installed.
set -eu

[ $# -eq 2 ] || { echo "usage: bench/pg.sh start|stop DIR" >&2; exit 2; }
cluster=$(cd "$(dirname "$0")/../tests/pg" && pwd)/cluster.sh
case $1 in
start)
	"$cluster" start "$2" >/dev/null
	# later lines of postgresql.conf win over the test cluster's
	cat >>"$2/data/postgresql.conf" <<CONF
# bench/pg.sh: durable, as installed
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 128MB
CONF
	"$cluster" restart "$2"
	"$cluster" uri "$2"
	;;
stop)
	"$cluster" stop "$2"
	;;
*)
	echo "usage: bench/pg.sh start|stop DIR" >&2
	exit 2
	;;
esac
