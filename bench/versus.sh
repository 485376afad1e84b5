#!/usr/bin/env bash
# Compares two builds of sshresume in one run on this machine: the same
# load-generator measurements (cmd/sshload) against both servers at the same
# time, so that both see the same machine (on a shared machine only ratios
# measured together are comparable). For a change's before/after:
#
#   bench/versus.sh                      # the work tree against HEAD
#   A=main B=my-branch bench/versus.sh   # any two revisions
#   A_FLAGS="-renderer bubbletea" B_FLAGS="-renderer event" A=HEAD B=HEAD bench/versus.sh
#   STEPS="churn" N=500 bench/versus.sh  # fewer or smaller measurements
#
# A revision of "." means the work tree as it is. Each side is built from
# `git worktree` checkouts in a temporary directory. Everything listens on
# 127.0.0.1 on free ports and every process is stopped when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

A=${A:-HEAD}
B=${B:-.}
A_FLAGS=${A_FLAGS:-}
B_FLAGS=${B_FLAGS:-}
N=${N:-1000}
N_SMALL=${N_SMALL:-200}
RATE=${RATE:-25}
HOLD=${HOLD:-20s}
KEYS=${KEYS:-1000}
KEY_RATE=${KEY_RATE:-50}
CHURN_N=${CHURN_N:-300}
CHURN_C=${CHURN_C:-2}
EXEC_C=${EXEC_C:-4}
EXEC_DURATION=${EXEC_DURATION:-10s}
SECTION=${SECTION:-research}
STEPS=${STEPS:-hold churn exec}
LOG_FORMAT=${LOG_FORMAT:-json}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sshresume-versus.XXXXXX")}

for tool in go ss git; do
	command -v "$tool" >/dev/null || { echo "versus.sh: $tool is required" >&2; exit 1; }
done

# The sides' checkouts go with the work directory.
bench_cleanup_extra() {
	for side in a b; do
		[ -d "$WORK/src-$side" ] && git worktree remove --force "$WORK/src-$side" >/dev/null 2>&1 || true
	done
}
bench_start sshresume-versus

# build SIDE REV: the server of one side, from REV or from the work tree.
build() {
	local side=$1 rev=$2 src=.
	if [ "$rev" != . ]; then
		src="$WORK/src-$side"
		git worktree add -q --detach "$src" "$rev"
	fi
	(cd "$src" && go build -o "$WORK/bin/sshresume-$side" ./cmd/sshresume)
	echo "$side: $rev ($(cd "$src" && git rev-parse --short HEAD)$([ "$rev" = . ] && ! git diff --quiet && echo ', modified'))"
}

echo "==> build"
build a "$A" | tee "$OUT/sides.txt"
build b "$B" | tee -a "$OUT/sides.txt"
go build -o "$WORK/bin/sshload" ./cmd/sshload
LOAD="$WORK/bin/sshload"

# start SIDE FLAGS: a server of SIDE; sets PORT_<SIDE>, DEBUG_<SIDE>, PID_<SIDE>.
start() {
	local side=$1 flags=$2 port debug
	port=$(free_port)
	debug=$(free_port)
	# The limits are lifted (all the load comes from one address); an older
	# build may not have the limits on connections without a session.
	local lift=(-max-conns 0 -max-conns-per-ip 0 -conn-rate-per-ip 0)
	if "$WORK/bin/sshresume-$side" serve -h 2>&1 | grep -q -- -max-sessionless; then
		lift+=(-max-sessionless 0 -max-sessionless-per-ip 0)
	fi
	# shellcheck disable=SC2086 # flags is a list of flags
	spawn "$WORK/$side.log" "$WORK/bin/sshresume-$side" serve -addr "127.0.0.1:$port" \
		-host-key-file "$WORK/keys/$side" -debug-addr "127.0.0.1:$debug" -log-format "$LOG_FORMAT" \
		"${lift[@]}" $flags
	wait_port "$port" "$SPAWNED_PID" "$WORK/$side.log"
	wait_port "$debug" "$SPAWNED_PID" "$WORK/$side.log"
	printf -v "PORT_$side" %s "$port"
	printf -v "DEBUG_$side" %s "$debug"
	printf -v "PID_$side" %s "$SPAWNED_PID"
}
echo "==> start both servers"
start a "$A_FLAGS"
start b "$B_FLAGS"

# load SIDE MODE ARGS...: one sshload run against SIDE, its report in OUT.
load() {
	local side=$1 mode=$2 port pid rc=0
	shift 2
	port=PORT_$side pid=PID_$side
	echo "--> $side $mode"
	sshload_to "$OUT/$side-$mode" -mode "$mode" -label "$side" -addr "127.0.0.1:${!port}" -pid "${!pid}" "$@" || rc=$?
	cat "$OUT/$side-$mode.txt" >>"$OUT/summary.txt"
	return "$rc"
}

# both MODE ARGS...: the same load against both servers at the same time.
both() {
	local rc=0 pa pb
	load a "$@" -pprof "http://127.0.0.1:$DEBUG_a/debug/pprof" & pa=$!
	load b "$@" -pprof "http://127.0.0.1:$DEBUG_b/debug/pprof" & pb=$!
	wait "$pa" || rc=$?
	wait "$pb" || rc=$?
	return "$rc"
}

step() { [[ " $STEPS " == *" $1 "* ]]; }

NAME=$("$WORK/bin/sshresume-b" render -format text | head -n 1)
{
	machine_lines
	echo "flags: a: ${A_FLAGS:-(none)}; b: ${B_FLAGS:-(none)}"
	echo "sizes: N=$N N_SMALL=$N_SMALL RATE=$RATE HOLD=$HOLD KEYS=$KEYS KEY_RATE=$KEY_RATE CHURN_N=$CHURN_N CHURN_C=$CHURN_C EXEC_C=$EXEC_C EXEC_DURATION=$EXEC_DURATION"
} | tee "$OUT/machine.txt"

if step hold; then
	echo "==> hold $N sessions on both"
	both hold -n "$N" -rate "$RATE" -checkpoints "$N_SMALL" -hold "$HOLD" -keys "$KEYS" -key-rate "$KEY_RATE" \
		-settle 3s -max-duration 10m -pty-cmd "$SECTION" -expect "$NAME" -expect quit
fi
if step churn; then
	echo "==> churn: $CHURN_N new sessions, $CHURN_C at a time, on both"
	both churn -n "$CHURN_N" -c "$CHURN_C" -settle 1s -duration 2m -expect "$NAME" -expect quit
fi
if step exec; then
	echo "==> exec: text at concurrency $EXEC_C for $EXEC_DURATION, on both"
	both exec -cmd text -c "$EXEC_C" -duration "$EXEC_DURATION" -expect "$NAME" -settle 1s
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
shopt -s nullglob
"$LOAD" table -o "$OUT/results.md" "$OUT"/a-*.json "$OUT"/b-*.json
cat "$OUT/results.md"
echo "results: $OUT/results.md"
