#!/usr/bin/env bash
# Measures Bubble Tea's frame-rate trade-off on the floor of the stack
# (bench/barewish): the renderer flushes on a ticker, so the frame rate bounds
# the time to the first frame and a keystroke's round trip from below, and every
# open session's ticker costs CPU while nobody types.
#
#   bench/fps.sh                   # FPS_LIST="30 60 120", about 2 minutes
#   FPS_LIST="20 60 120" N=1000 bench/fps.sh
#
# All servers run at once and are loaded at the same time, so that they share
# whatever else the machine is doing. Loopback only; everything started is
# stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

FPS_LIST=${FPS_LIST:-30 60 120}
N=${N:-500}                    # sessions held open per server
RATE=${RATE:-20}               # new sessions per second and server
HOLD=${HOLD:-15s}
KEYS=${KEYS:-300}
KEY_RATE=${KEY_RATE:-20}
CHURN_N=${CHURN_N:-150}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sshresume-fps.XXXXXX")}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sshresume-fps-work.XXXXXX")
cleanup() {
	stop_all
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT" "$WORK/bin"
raise_fd_limit
echo "results in $OUT"

go build -o "$WORK/bin/barewish" ./bench/barewish
go build -o "$WORK/bin/sshload" ./cmd/sshload
declare -A PORT PID
for fps in $FPS_LIST; do
	PORT[$fps]=$(free_port)
	spawn "$WORK/barewish-$fps.log" "$WORK/bin/barewish" -addr "127.0.0.1:${PORT[$fps]}" \
		-host-key-file "$WORK/key-$fps" -fps "$fps"
	PID[$fps]=$SPAWNED_PID
	wait_port "${PORT[$fps]}" "${PID[$fps]}"
done

# run MODE ARGS...: the same sshload run against every server at once.
run() {
	local mode=$1 pids=() rc=0
	shift
	for fps in $FPS_LIST; do
		"$WORK/bin/sshload" -mode "$mode" -label "fps$fps" -addr "127.0.0.1:${PORT[$fps]}" -pid "${PID[$fps]}" \
			-expect "bare wish" -json "$OUT/fps$fps-$mode.json" "$@" >"$OUT/fps$fps-$mode.txt" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=$?; done
	cat "$OUT"/fps*-"$mode".txt
	return "$rc"
}

echo "==> hold $N sessions on each server"
run hold -n "$N" -rate "$RATE" -hold "$HOLD" -keys "$KEYS" -key-rate "$KEY_RATE" -settle 3s
echo "==> churn $CHURN_N sessions, 2 at a time, on each server"
run churn -n "$CHURN_N" -c 2 -settle 1s

files=()
for fps in $FPS_LIST; do files+=("$OUT/fps$fps-hold.json" "$OUT/fps$fps-churn.json"); done
"$WORK/bin/sshload" table -o "$OUT/results.md" "${files[@]}"
cat "$OUT/results.md"
