#!/usr/bin/env bash
# Compares sshresume, in one run on this machine, with the floor of its stack
# (bench/barewish: Wish v2 + Bubble Tea v2 rendering one line) and with OpenSSH's
# sshd serving the same plain-text resume through a forced command. The load
# generator (cmd/sshload) runs the same measurements against each; the results are
# a Markdown table and the raw JSON reports.
#
#   bench/compare.sh                     # defaults: about 3 minutes on 2 cores
#   N=2000 HOLD=30s bench/compare.sh     # bigger
#   SSHRESUME_FLAGS="-max-conns 1500" bench/compare.sh  # given flags win over the lifted limits
#   STEPS=hold bench/compare.sh          # only the held sessions (or churn, exec)
#   COMPARE=renderers bench/compare.sh   # -renderer event against bubbletea (bench/renderers.sh)
#
# Everything listens on 127.0.0.1 on free ports; every process the script starts
# is stopped when it ends, however it ends. Needs Go, OpenSSH's sshd and
# ssh-keygen (Debian: openssh-server, openssh-client) and ss (iproute2). As root
# it creates a system user, sshresume-bench (shell /bin/sh, no home), for the
# OpenSSH sessions, and /run/sshd for sshd's privilege separation.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
# COMPARE=renderers compares sshresume's two frame writers instead.
if [ "${COMPARE:-}" = renderers ]; then exec bench/renderers.sh; fi

# Sizes. N sessions are held open (memory measured at N_SMALL and N, idle CPU,
# keystrokes); churn opens CHURN_N sessions one after another from CHURN_C
# workers; exec runs `text` from EXEC_C workers for EXEC_DURATION.
N=${N:-1000}
N_SMALL=${N_SMALL:-200}
RATE=${RATE:-25}               # new sessions per second and server while ramping up
HOLD=${HOLD:-20s}              # how long the N sessions stay idle
KEYS=${KEYS:-1000}             # keystrokes with N sessions open
KEY_RATE=${KEY_RATE:-50}       # keystrokes per second over all sessions
CHURN_N=${CHURN_N:-300}
CHURN_C=${CHURN_C:-4}
EXEC_C=${EXEC_C:-8}
EXEC_DURATION=${EXEC_DURATION:-10s}
# A section longer than one 80x24 screen, so that j and k scroll it.
SECTION=${SECTION:-research}
# Which measurements to run: any of hold, churn and exec.
STEPS=${STEPS:-hold churn exec}
# Extra flags for `sshresume serve`. The connection limits are lifted first (all
# the load comes from one address, far above the per-address caps); flags given
# here come later and win.
SSHRESUME_FLAGS=${SSHRESUME_FLAGS:-}
# The connection log's format, of sshresume and barewish alike: json, as
# deployed (fly.toml), or text. charm log's text formatter styles every field
# with lipgloss: with text, logging is 15 % of the CPU of a `text` request.
LOG_FORMAT=${LOG_FORMAT:-json}
# Where the results go; a new temporary directory by default.
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sshresume-bench.XXXXXX")}

for tool in go ssh ssh-keygen ss; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required" >&2; exit 1; }
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || { echo "compare.sh: sshd is required (Debian: apt-get install openssh-server)" >&2; exit 1; }

bench_start sshresume-bench

echo "==> build"
go build -o "$WORK/bin/sshresume" ./cmd/sshresume
go build -o "$WORK/bin/barewish" ./bench/barewish
go build -o "$WORK/bin/sshload" ./cmd/sshload
LOAD="$WORK/bin/sshload"

echo "==> start sshresume"
P_RESUME=$(free_port)
# The debug endpoint gives sshload the goroutines and the live heap.
D_RESUME=$(free_port)
# shellcheck disable=SC2086 # SSHRESUME_FLAGS is a list of flags
spawn "$WORK/sshresume.log" "$WORK/bin/sshresume" serve -addr "127.0.0.1:$P_RESUME" \
	-host-key-file "$WORK/keys/sshresume_ed25519" -debug-addr "127.0.0.1:$D_RESUME" -log-format "$LOG_FORMAT" \
	-max-conns 0 -max-conns-per-ip 0 -conn-rate-per-ip 0 -max-sessionless 0 -max-sessionless-per-ip 0 $SSHRESUME_FLAGS
PID_RESUME=$SPAWNED_PID
wait_port "$P_RESUME" "$PID_RESUME" "$WORK/sshresume.log"
wait_port "$D_RESUME" "$PID_RESUME" "$WORK/sshresume.log"

# The plain-text resume, exactly as sshresume's text export serves it.
ssh -p "$P_RESUME" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o LogLevel=ERROR -T 127.0.0.1 text >"$WORK/resume.txt"
NAME=$(head -n 1 "$WORK/resume.txt")
LAST=$(grep -v '^[[:space:]]*$' "$WORK/resume.txt" | tail -n 1 | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
cp "$WORK/resume.txt" "$OUT/resume.txt"
echo "resume of $NAME: $(wc -c <"$WORK/resume.txt") bytes"

echo "==> start barewish"
P_BARE=$(free_port)
D_BARE=$(free_port)
spawn "$WORK/barewish.log" "$WORK/bin/barewish" -addr "127.0.0.1:$P_BARE" \
	-host-key-file "$WORK/keys/barewish_ed25519" -text "$WORK/resume.txt" -pprof "127.0.0.1:$D_BARE" -log-format "$LOG_FORMAT"
PID_BARE=$SPAWNED_PID
wait_port "$P_BARE" "$PID_BARE" "$WORK/barewish.log"
wait_port "$D_BARE" "$PID_BARE" "$WORK/barewish.log"

echo "==> start sshd"
P_SSHD=$(free_port)
# sshd runs the forced command with the user's login shell, and bash started by
# sshd reads ~/.bashrc even for a command: with a developer's shell set-up that
# costs more than everything else together. A dedicated user with /bin/sh and no
# home directory measures OpenSSH itself.
if [ "$(id -u)" -eq 0 ]; then
	BENCH_USER=${BENCH_USER:-sshresume-bench}
	if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh "$BENCH_USER"
	fi
	# No password, but not a locked account either: without PAM, sshd refuses
	# locked accounts ("!" in /etc/shadow) even for public-key logins.
	usermod -p '*' "$BENCH_USER"
	mkdir -p /run/sshd # sshd's privilege separation directory
else
	BENCH_USER=$(id -un)
	echo "not root: OpenSSH sessions run as $BENCH_USER, whose shell start-up is measured too" >&2
fi
mkdir -p "$WORK/sshd"
ssh-keygen -q -t ed25519 -N '' -C sshd-host -f "$WORK/sshd/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C sshload -f "$WORK/sshd/client_ed25519"
cp "$WORK/sshd/client_ed25519.pub" "$WORK/sshd/authorized_keys"
# The user reads its authorized keys and cats the text itself.
chmod 711 "$WORK"
chmod 755 "$WORK/sshd"
chmod 644 "$WORK/sshd/authorized_keys" "$WORK/resume.txt"
sed -e "s|@PORT@|$P_SSHD|" -e "s|@HOST_KEY@|$WORK/sshd/host_ed25519|" \
	-e "s|@PID_FILE@|$WORK/sshd/sshd.pid|" -e "s|@AUTHORIZED_KEYS@|$WORK/sshd/authorized_keys|" \
	-e "s|@USER@|$BENCH_USER|" -e "s|@TEXT@|$WORK/resume.txt|" \
	bench/sshd_config.in >"$WORK/sshd/sshd_config"
"$SSHD" -t -f "$WORK/sshd/sshd_config"
spawn "$WORK/sshd.log" "$SSHD" -D -e -f "$WORK/sshd/sshd_config"
PID_SSHD=$SPAWNED_PID
wait_port "$P_SSHD" "$PID_SSHD" "$WORK/sshd.log"

# load LABEL MODE PORT PID ARGS...: one sshload run, its report in OUT.
load() {
	local label=$1 mode=$2 port=$3 pid=$4
	shift 4
	echo "--> $label $mode"
	local rc=0
	sshload_to "$OUT/$label-$mode" -mode "$mode" -label "$label" -addr "127.0.0.1:$port" -pid "$pid" "$@" || rc=$?
	cat "$OUT/$label-$mode.txt" >>"$OUT/summary.txt"
	return "$rc"
}

# together CMD1 -- CMD2: run two loads at the same time, so that both see the
# same machine: on a shared machine, a load that runs alone sees whatever else
# happens to run then, and only ratios measured together are comparable.
together() {
	local first=() pids=() rc=0
	while [ "$1" != -- ]; do first+=("$1"); shift; done
	shift
	"${first[@]}" & pids+=($!)
	"$@" & pids+=($!)
	for pid in "${pids[@]}"; do wait "$pid" || rc=$?; done
	return "$rc"
}

openssh=(-identity "$WORK/sshd/client_ed25519" -user "$BENCH_USER")

# step NAME: whether STEPS asks for the measurement NAME.
step() { [[ " $STEPS " == *" $1 "* ]]; }

echo "==> machine"
{
	machine_lines
	echo "memory: $(free -m | awk '/^Mem:/ {print $2}') MiB"
	echo "kernel: $(uname -r)"
	echo "go: $(go version | cut -d' ' -f3-)"
	echo "sshd: $("$SSHD" -V 2>&1 | head -n 1)"
	echo "sizes: N=$N N_SMALL=$N_SMALL RATE=$RATE HOLD=$HOLD KEYS=$KEYS KEY_RATE=$KEY_RATE CHURN_N=$CHURN_N CHURN_C=$CHURN_C EXEC_C=$EXEC_C EXEC_DURATION=$EXEC_DURATION"
	echo "sshresume flags: ${SSHRESUME_FLAGS:-(none)}; log format: $LOG_FORMAT"
} | tee "$OUT/machine.txt"

# Held sessions first, on fresh servers, so that the memory per session is not
# hidden in a heap grown by earlier runs. OpenSSH's forced command ends every
# session after the text, so it has nothing to hold. sshresume and barewish are
# measured at the same time, with the same parameters.
if step hold; then
	echo "==> hold $N sessions on sshresume and barewish at once"
	hold=(-n "$N" -rate "$RATE" -checkpoints "$N_SMALL" -hold "$HOLD" -keys "$KEYS" -key-rate "$KEY_RATE"
		-settle 3s -max-duration 10m)
	together load sshresume hold "$P_RESUME" "$PID_RESUME" "${hold[@]}" -pty-cmd "$SECTION" -expect "$NAME" -expect quit \
		-pprof "http://127.0.0.1:$D_RESUME/debug/pprof" \
		-- load barewish hold "$P_BARE" "$PID_BARE" "${hold[@]}" -expect "bare wish" -pprof "http://127.0.0.1:$D_BARE/debug/pprof"
fi

if step churn; then
	echo "==> churn: $CHURN_N new sessions, $CHURN_C at a time, on sshresume and barewish at once"
	churn=(-n "$CHURN_N" -c "$CHURN_C" -settle 1s -duration 2m)
	together load sshresume churn "$P_RESUME" "$PID_RESUME" "${churn[@]}" -expect "$NAME" -expect quit \
		-- load barewish churn "$P_BARE" "$PID_BARE" "${churn[@]}" -expect "bare wish"
	echo "==> churn on OpenSSH"
	load openssh churn "$P_SSHD" "$PID_SSHD" "${churn[@]}" "${openssh[@]}" -detect stream -expect "$NAME" -expect "$LAST"
fi

# Requests per second are measured one server at a time: run together, the
# servers would share the CPU and each would show only its share.
if step exec; then
	echo "==> exec: text at concurrency $EXEC_C for $EXEC_DURATION, one server at a time"
	execs=(-cmd text -c "$EXEC_C" -duration "$EXEC_DURATION" -expect "$NAME" -expect "$LAST" -settle 1s)
	load sshresume exec "$P_RESUME" "$PID_RESUME" "${execs[@]}"
	load barewish exec "$P_BARE" "$PID_BARE" "${execs[@]}"
	load openssh exec "$P_SSHD" "$PID_SSHD" "${execs[@]}" "${openssh[@]}"
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
cat "$OUT/summary.txt"
shopt -s nullglob # STEPS may have left some reports out
"$LOAD" table -o "$OUT/results.md" \
	"$OUT"/sshresume-*.json "$OUT"/barewish-*.json "$OUT"/openssh-*.json
echo
cat "$OUT/results.md"
echo
echo "results: $OUT/results.md, reports: $OUT/*.json, summaries: $OUT/summary.txt"
