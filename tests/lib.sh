# Shell helpers shared by the daemons' tests (tests/milter/common.sh,
# tests/httpd/common.sh): waiting for what a daemon does in its own time,
# since a loaded CI machine makes any fixed sleep too short.

# wait_secs N COMMAND...: up to N seconds for the command to succeed
wait_secs() {
	_n=$(($1 * 5))
	shift
	for _ in $(seq 1 "$_n"); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# wait_for COMMAND...: up to 20 s
wait_for() { wait_secs 20 "$@"; }

# wait_long COMMAND...: up to 90 s (a spool replay on a busy CI machine)
wait_long() { wait_secs 90 "$@"; }
