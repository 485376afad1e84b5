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
# whatever else the machine is doing. sshresume, at Bubble Tea's default rate,
# runs beside them (WITH_SSHRESUME=0 leaves it out): what an idle session
# costs it is the renderer's ticker alone, so it should match barewish at 60.
# Loopback only; everything started is stopped on exit.
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
WITH_SSHRESUME=${WITH_SSHRESUME:-1}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sshresume-fps.XXXXXX")}

bench_start sshresume-fps

go build -o "$WORK/bin/barewish" ./bench/barewish
go build -o "$WORK/bin/sshload" ./cmd/sshload
LOAD="$WORK/bin/sshload"
# Servers by label: port, PID, what their first frame shows, and the command
# of their PTY sessions.
declare -A PORT PID EXPECT PTYCMD
LABELS=()
for fps in $FPS_LIST; do
	label=fps$fps
	PORT[$label]=$(free_port)
	spawn "$WORK/barewish-$fps.log" "$WORK/bin/barewish" -addr "127.0.0.1:${PORT[$label]}" \
		-host-key-file "$WORK/key-$fps" -fps "$fps" -log-format json
	PID[$label]=$SPAWNED_PID
	EXPECT[$label]="bare wish"
	PTYCMD[$label]=""
	LABELS+=("$label")
	wait_port "${PORT[$label]}" "${PID[$label]}" "$WORK/barewish-$fps.log"
done
if [ "$WITH_SSHRESUME" = 1 ]; then
	go build -o "$WORK/bin/sshresume" ./cmd/sshresume
	label=sshresume
	PORT[$label]=$(free_port)
	spawn "$WORK/sshresume.log" "$WORK/bin/sshresume" serve -addr "127.0.0.1:${PORT[$label]}" \
		-host-key-file "$WORK/key-sshresume" -log-format json -max-conns 0 -max-conns-per-ip 0 -conn-rate-per-ip 0 -max-sessionless 0 -max-sessionless-per-ip 0
	PID[$label]=$SPAWNED_PID
	EXPECT[$label]="quit"
	PTYCMD[$label]=research # a section longer than a screen: j and k scroll it
	LABELS+=("$label")
	wait_port "${PORT[$label]}" "${PID[$label]}" "$WORK/sshresume.log"
fi

# run MODE ARGS...: the same sshload run against every server at once.
run() {
	local mode=$1 pids=() rc=0 label
	shift
	for label in "${LABELS[@]}"; do
		sshload_to "$OUT/$label-$mode" -mode "$mode" -label "$label" -addr "127.0.0.1:${PORT[$label]}" -pid "${PID[$label]}" \
			-expect "${EXPECT[$label]}" -pty-cmd "${PTYCMD[$label]}" "$@" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=$?; done
	for label in "${LABELS[@]}"; do cat "$OUT/$label-$mode.txt"; done
	return "$rc"
}

echo "==> hold $N sessions on each server"
run hold -n "$N" -rate "$RATE" -hold "$HOLD" -keys "$KEYS" -key-rate "$KEY_RATE" -settle 3s
echo "==> churn $CHURN_N sessions, 2 at a time, on each server"
run churn -n "$CHURN_N" -c 2 -settle 1s

files=()
for label in "${LABELS[@]}"; do files+=("$OUT/$label-hold.json" "$OUT/$label-churn.json"); done
"$LOAD" table -o "$OUT/results.md" "${files[@]}"
cat "$OUT/results.md"
