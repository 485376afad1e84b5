#!/usr/bin/env bash
# Compares sshresume's two frame writers in one binary, side by side on this
# machine: -renderer event (a frame as soon as the view changes, nothing while
# idle) and -renderer bubbletea (Bubble Tea's renderer on its 60 fps ticker).
#
#   bench/renderers.sh                      # RUNS=3, N=1000: about 6 minutes on 2 cores
#   N=2000 RUNS=1 bench/renderers.sh        # bigger
#   COMPARE=renderers bench/compare.sh      # the same
#   RENDERERS=event RUNS=1 bench/renderers.sh  # one server alone
#
# Per run: both servers hold N sessions at once (memory, idle CPU, keystroke
# round trips with N open, first frame while ramping up); then each server,
# alone, opens CHURN_N sessions one after another (first frame on an idle
# machine, CPU per new session). Loopback only; everything started is stopped
# on exit. The reports of every run and one table per run go to OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-3}
N=${N:-1000}
N_SMALL=${N_SMALL:-200}
RATE=${RATE:-40}
HOLD=${HOLD:-15s}
KEYS=${KEYS:-500}
KEY_RATE=${KEY_RATE:-50}
CHURN_N=${CHURN_N:-200}
SECTION=${SECTION:-research}
# Which servers to run; one alone shows its figures without the other's load.
RENDERERS=${RENDERERS:-event bubbletea}
# With KEYS_APART=1 the servers take their keystrokes one after the other, each
# while both hold N sessions, the order turning with each run: Bubble Tea's
# keystroke work (about 9 ms of CPU each) then does not queue in front of the
# other server's on 2 cores. KEYS_APART=0 types on both at once.
KEYS_APART=${KEYS_APART:-1}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sshresume-renderers.XXXXXX")}

bench_start sshresume-renderers
go build -o "$WORK/bin/sshresume" ./cmd/sshresume
go build -o "$WORK/bin/sshload" ./cmd/sshload
LOAD="$WORK/bin/sshload"
{
	machine_lines
	echo "keystrokes apart: $KEYS_APART"
	echo "sizes: RUNS=$RUNS N=$N RATE=$RATE HOLD=$HOLD KEYS=$KEYS KEY_RATE=$KEY_RATE CHURN_N=$CHURN_N"
} | tee "$OUT/machine.txt"

declare -A PORT PID DEBUG
for r in $RENDERERS; do
	PORT[$r]=$(free_port)
	DEBUG[$r]=$(free_port)
	spawn "$WORK/$r.log" "$WORK/bin/sshresume" serve -renderer "$r" -addr "127.0.0.1:${PORT[$r]}" \
		-host-key-file "$WORK/keys/$r" -debug-addr "127.0.0.1:${DEBUG[$r]}" -log-format json \
		-max-conns 0 -max-conns-per-ip 0 -conn-rate-per-ip 0
	PID[$r]=$SPAWNED_PID
	wait_port "${PORT[$r]}" "${PID[$r]}" "$WORK/$r.log"
	wait_port "${DEBUG[$r]}" "${PID[$r]}" "$WORK/$r.log"
done
first=${RENDERERS%% *}
NAME=$(ssh -p "${PORT[$first]}" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o LogLevel=ERROR -T 127.0.0.1 text | head -n 1)

# load RUN RENDERER MODE ARGS...
load() {
	local run=$1 r=$2 mode=$3
	shift 3
	sshload_to "$OUT/run$run-$r-$mode" -mode "$mode" -label "$r" -addr "127.0.0.1:${PORT[$r]}" -pid "${PID[$r]}" \
		-pprof "http://127.0.0.1:${DEBUG[$r]}/debug/pprof" "$@"
	cat "$OUT/run$run-$r-$mode.txt"
}

for run in $(seq 1 "$RUNS"); do
	echo "==> run $run: hold $N sessions on all at once (keystrokes apart: $KEYS_APART)"
	hold=(-n "$N" -rate "$RATE" -checkpoints "$N_SMALL" -hold "$HOLD" -keys "$KEYS" -key-rate "$KEY_RATE"
		-settle 3s -max-duration 10m -pty-cmd "$SECTION" -expect "$NAME" -expect quit)
	# shellcheck disable=SC2206 # renderer names are single words
	order=($RENDERERS)
	count=${#order[@]}
	if [ "$KEYS_APART" = 1 ] && [ "$count" -gt 1 ]; then
		# Turn the order with the run: run 1 types on the first renderer first.
		shift_by=$(((run - 1) % count))
		order=("${order[@]:shift_by}" "${order[@]:0:shift_by}")
	fi
	slot=$(((KEYS + KEY_RATE - 1) / KEY_RATE + 5))
	pids=()
	for i in "${!order[@]}"; do
		r=${order[$i]}
		stagger=()
		if [ "$KEYS_APART" = 1 ] && [ "$count" -gt 1 ]; then
			stagger=(-key-delay "$((i * slot))s" -linger "$(((count - 1 - i) * slot))s")
		fi
		load "$run" "$r" hold "${hold[@]}" "${stagger[@]}" &
		pids+=($!)
	done
	wait "${pids[@]}"
	echo "==> run $run: churn, one session at a time, one server at a time"
	for r in $RENDERERS; do
		load "$run" "$r" churn -n "$CHURN_N" -c 1 -settle 1s -duration 2m -expect "$NAME" -expect quit
	done
	"$LOAD" table -o "$OUT/run$run.md" "$OUT"/run"$run"-*.json
	cat "$OUT/run$run.md"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo "results: $OUT/run*.md, reports: $OUT/*.json"
