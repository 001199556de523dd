#!/bin/sh
# A private PostgreSQL cluster for the benchmarks, set up as a real
# install would be (tests/pg/cluster.sh's test cluster turns durability
# off; a benchmark of that would flatter PostgreSQL):
#   bench/pg.sh start DIR   start it in DIR (new or empty) and print its URI
#   bench/pg.sh stop DIR    stop it and remove DIR
#   bench/pg.sh cpu DIR     the server's CPU time so far, in clock ticks: its
#                           processes' and their exited children's (the
#                           backends of closed connections) user + system
# Settings over PostgreSQL's defaults: fsync, synchronous_commit and
# full_page_writes on (the defaults, restored), shared_buffers 128MB.
# Exits 77 when PostgreSQL's server is not installed.
set -eu

[ $# -eq 2 ] || { echo "usage: bench/pg.sh start|stop|cpu DIR" >&2; exit 2; }
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
cpu)
	pm=$(head -1 "$2/data/postmaster.pid")
	# fields 14-17 of stat: utime stime cutime cstime
	for p in $pm $(cat /proc/"$pm"/task/"$pm"/children 2>/dev/null); do
		cat /proc/"$p"/stat 2>/dev/null
	done | sed 's/^.*) //' | awk '{ t += $12 + $13 + $14 + $15 } END { print t }'
	;;
*)
	echo "usage: bench/pg.sh start|stop|cpu DIR" >&2
	exit 2
	;;
esac
