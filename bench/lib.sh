# Helpers shared by the bench scripts: free loopback ports, waiting for a
# listener, and starting processes that are always stopped on exit.
# Source it from bash with `set -euo pipefail`.

# Processes started with `spawn`, stopped by `stop_all`.
declare -a BENCH_PIDS=()

# Ports free_port handed out, which may not be listened on yet.
BENCH_PORTS_FILE=$(mktemp "${TMPDIR:-/tmp}/bench-ports.XXXXXX")

# free_port prints a loopback TCP port nobody listens on and that it has not
# handed out before (it runs in a subshell, hence the file). It picks below the
# kernel's range of ephemeral ports, which the thousands of connections of a
# load run use as their local ports.
free_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	low=$((low > 11000 ? low : 32768))
	for _ in $(seq 200); do
		p=$((10000 + RANDOM % (low - 10000)))
		if ! grep -qx "$p" "$BENCH_PORTS_FILE" && ! ss -Htln "sport = :$p" | grep -q .; then
			echo "$p" >>"$BENCH_PORTS_FILE"
			echo "$p"
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}

# wait_port PORT PID [LOG]: wait until something listens on 127.0.0.1:PORT, for
# at most 15 seconds, failing early if PID has exited (and then showing the end
# of its LOG).
wait_port() {
	local port=$1 pid=$2 log=${3:-}
	for _ in $(seq 150); do
		if ss -Htln "sport = :$port" | grep -q .; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "process $pid exited before listening on $port" >&2
			if [ -n "$log" ]; then tail -n 5 "$log" >&2; fi
			return 1
		fi
		sleep 0.1
	done
	echo "nothing listens on 127.0.0.1:$port after 15s" >&2
	return 1
}

# spawn LOG CMD...: start CMD in the background with its output in LOG, and
# remember its PID (in SPAWNED_PID) for stop_all.
spawn() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	SPAWNED_PID=$!
	BENCH_PIDS+=("$SPAWNED_PID")
}

# stop PID: SIGTERM, then SIGKILL after 10 seconds.
stop() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# stop_all stops every spawned process, newest first.
stop_all() {
	local i
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
		stop "${BENCH_PIDS[$i]}"
	done
	BENCH_PIDS=()
	rm -f "$BENCH_PORTS_FILE"
}

# raise_fd_limit raises the soft limit on open files to the hard limit: every
# session is a socket on both sides.
raise_fd_limit() {
	local hard
	hard=$(ulimit -Hn)
	if [ "$hard" = unlimited ]; then hard=1048576; fi
	ulimit -Sn "$hard"
}

# bench_start PREFIX: the run's work directory WORK (PREFIX in its name), removed
# on exit with every spawned process stopped (and bench_cleanup_extra run, if
# the script defines it); OUT, WORK/bin and WORK/keys made; the limit on open
# files raised.
bench_start() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1-work.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$OUT" "$WORK/bin" "$WORK/keys"
	raise_fd_limit
	echo "results in $OUT (open files: $(ulimit -n))"
}

bench_cleanup() {
	stop_all
	if declare -F bench_cleanup_extra >/dev/null; then bench_cleanup_extra; fi
	rm -rf "$WORK"
}

# machine_lines prints what a run's machine.txt starts with: the date, the
# commit, the CPU and the load average.
machine_lines() {
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# sshload_to BASE ARGS...: one run of $LOAD with ARGS, its JSON report in
# BASE.json and its text report in BASE.txt. Status 3 means some sessions or
# requests failed, which the table shows: not an error here.
sshload_to() {
	local base=$1 rc=0
	shift
	"$LOAD" "$@" -json "$base.json" >"$base.txt" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
		echo "sshload ${base##*/} failed with status $rc" >&2
		return "$rc"
	fi
}
