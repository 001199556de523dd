#!/bin/sh
# A private PostgreSQL cluster for the tests, never the system service:
#   cluster.sh start DIR    initdb into DIR/data (DIR: a new or empty
#                           folder), start it with its Unix socket in DIR
#                           and a free TCP port on 127.0.0.1, create the
#                           database "tlsrpt" and print the URI to use:
#                           postgresql:///tlsrpt?host=DIR&port=PORT&user=USER
#   cluster.sh stop DIR     stop it and remove DIR
#   cluster.sh restart DIR  stop and start it again on the same port
#   cluster.sh kill DIR     stop it at once, as a crash would (pg_ctl -m immediate)
#   cluster.sh uri DIR      print the URI again
# Exits 77 (automake's "skip") when PostgreSQL's server is not installed.
# As root it runs the server as "nobody" (PostgreSQL refuses root), with
# DIR handed to that user; the superuser role is named after the caller,
# so libpq's default user works too.  Authentication is "trust", only on
# the socket in DIR and on 127.0.0.1: the cluster holds test data and
# lives for one run.  fsync is off: nothing here must survive a crash of
# the machine.
set -eu

usage() {
	echo "usage: cluster.sh start|stop|restart|kill|uri DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	# nothing can run in DIR, but stop still removes it
	[ "$cmd" != stop ] || rm -rf "$dir"
	echo "cluster.sh: PostgreSQL's server is not installed (Debian: postgresql)" >&2
	exit 77
fi

# as_owner CMD...: run CMD as the user who owns the cluster
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

uri() {
	printf 'postgresql:///tlsrpt?host=%s&port=%s&user=%s\n' "$dir" "$(cat "$dir/port")" "$(cat "$dir/user")"
}

start_server() {
	# -w: return once it accepts connections; the log stays in DIR
	( cd "$dir" && as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $(cat "$dir/port")" start >/dev/null ) || {
		echo "cluster.sh: the server did not start; its log:" >&2
		tail -20 "$dir/server.log" >&2
		exit 1
	}
}

stop_server() {
	[ -f "$dir/data/postmaster.pid" ] || return 0
	( cd "$dir" && as_owner "$bindir/pg_ctl" -D "$dir/data" -m "$1" -w stop >/dev/null 2>&1 ) || true
}

case $cmd in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -z "$(ls -A "$dir")" ] || { echo "cluster.sh: $dir is not empty" >&2; exit 1; }
	# the server's user must reach DIR through every folder above it
	chmod 755 "$dir"
	user=$(id -un)
	echo "$user" >"$dir/user"
	free_port >"$dir/port"
	[ "$(id -u)" -ne 0 ] || chown nobody "$dir"
	( cd "$dir" && as_owner "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ) || {
		echo "cluster.sh: initdb failed; its log:" >&2
		tail -20 "$dir/initdb.log" >&2
		exit 1
	}
	cat >>"$dir/data/postgresql.conf" <<CONF
# tests/pg/cluster.sh: a private test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
log_min_messages = warning
log_min_error_statement = panic
CONF
	start_server
	as_owner "$bindir/createdb" -h "$dir" -p "$(cat "$dir/port")" -U "$user" tlsrpt
	uri
	;;
stop)
	stop_server fast
	rm -rf "$dir"
	;;
restart)
	stop_server fast
	start_server
	;;
kill)
	stop_server immediate
	;;
uri)
	uri
	;;
*)
	usage
	;;
esac
