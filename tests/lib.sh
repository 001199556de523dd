# Shell helpers shared by the daemons' tests (tests/milter/common.sh,
# tests/httpd/common.sh): waiting for what a daemon does in its own time,
# since a loaded CI machine makes any fixed sleep too short.

# wait_for COMMAND...: up to 20 s for it to succeed
wait_for() {
	for _ in $(seq 1 100); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# wait_long COMMAND...: up to 90 s (a spool replay on a busy CI machine)
wait_long() {
	for _ in $(seq 1 450); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}
