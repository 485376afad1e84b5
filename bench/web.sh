#!/usr/bin/env bash
# Compares sshresume's web door, in one run on this machine, with nginx serving
# the same bytes as static files: the page (/) and the JSON export
# (/resume.json), both gzipped as a browser asks for them. wrk makes the load;
# the table gives requests per second, the 99th percentile of latency, the
# server's CPU time per request (from /proc, every process of the server) and
# sshresume's share of nginx's requests per second.
#
#   bench/web.sh                          # defaults: about 2 minutes on 2 cores
#   DURATION=20s CONNS=128 bench/web.sh   # longer, more connections
#
# Both servers log every request to a file, as deployed: sshresume through its
# JSON logger, nginx its access log. A third row runs sshresume with
# -log-level warn, to show what the request log costs. nginx serves files
# compressed ahead (gzip_static), as sshresume compresses once per resume.
#
# Everything listens on 127.0.0.1 on free ports; every process the script starts
# is stopped when it ends. Needs Go, wrk, nginx, curl and ss (Debian: wrk,
# nginx-light or nginx, curl, iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}           # runs of each server and path, alternating; the median counts
PATHS=${PATHS:-/ /resume.json}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

for tool in wrk curl ss "$NGINX"; do
	command -v "$tool" >/dev/null || { echo "bench/web.sh needs $tool" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-web.XXXXXX")
trap 'stop_all; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
raise_fd_limit

echo "building sshresume" >&2
go build -o "$work/bin/sshresume" ./cmd/sshresume

# start_sshresume NAME LOGLEVEL: the server with its limits lifted (all the load
# comes from one address) and the host fixed, so that every request gets the
# one page built at start.
start_sshresume() {
	local name=$1 level=$2 ssh_port http_port
	ssh_port=$(free_port)
	http_port=$(free_port)
	mkdir -p "$work/$name"
	XDG_STATE_HOME="$work/$name" spawn "$work/$name.log" "$work/bin/sshresume" serve \
		-addr "127.0.0.1:$ssh_port" -http-addr "127.0.0.1:$http_port" \
		-public-host resume.example.com -http-rate-per-ip 0 -http-max-conns 0 -http-max-conns-per-ip 0 \
		-log-format json -log-level "$level"
	wait_port "$http_port" "$SPAWNED_PID" "$work/$name.log"
	eval "${name}_pid=$SPAWNED_PID ${name}_port=$http_port"
}
start_sshresume sshresume info
start_sshresume quiet warn

# The same bytes for nginx, plain and compressed, fetched from sshresume.
root=$work/root
mkdir -p "$root"
# nginx's workers run as another user when started as root: they read the files.
chmod a+rx "$work" "$root"
for path in $PATHS; do
	file=${path#/}
	file=${file:-index.html}
	curl -sS -o "$root/$file" "http://127.0.0.1:$sshresume_port$path"
	curl -sS -H 'Accept-Encoding: gzip' -o "$root/$file.gz" "http://127.0.0.1:$sshresume_port$path"
done
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
	access_log $work/nginx/access.log;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000;
	types { text/html html; application/json json; }
	default_type application/octet-stream;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	server {
		listen 127.0.0.1:$nginx_port;
		root $root;
		index index.html;
		gzip on;
		gzip_static on;
		gzip_vary on;
		gzip_types application/json;
	}
}
EOF
spawn "$work/nginx.out" "$NGINX" -c "$work/nginx.conf" -e "$work/nginx/error.log"
nginx_pid=$SPAWNED_PID
wait_port "$nginx_port" "$nginx_pid" "$work/nginx.out"

# The two serve the same bytes.
for path in $PATHS; do
	a=$(curl -sS --compressed "http://127.0.0.1:$sshresume_port$path" | sha256sum)
	b=$(curl -sS --compressed "http://127.0.0.1:$nginx_port$path" | sha256sum)
	[ "$a" = "$b" ] || { echo "sshresume and nginx serve different bytes at $path" >&2; exit 1; }
	enc=$(curl -sS -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$nginx_port$path" | tr -d '\r' | sed -n 's/^Content-Encoding: //Ip')
	[ "$enc" = gzip ] || { echo "nginx does not send $path gzipped" >&2; exit 1; }
done

# cpu_ticks PID: user and system clock ticks of PID and its children processes
# (nginx's workers).
cpu_ticks() {
	local total=0 p
	for p in "$1" $(ps -o pid= --ppid "$1"); do
		read -r -a f <"/proc/$p/stat" || continue
		total=$((total + f[13] + f[14]))
	done
	echo "$total"
}
hz=$(getconf CLK_TCK)

# to_ms VALUE: wrk's latency ("812.00us", "1.20ms", "2.01s") in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}

results=$work/results.tsv
: >"$results"
# measure NAME PID PORT PATH: one wrk run; appends NAME PATH rps p99 cpu_us_per_req.
measure() {
	local name=$1 pid=$2 port=$3 path=$4 before after out rps p99 reqs
	before=$(cpu_ticks "$pid")
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$path")
	after=$(cpu_ticks "$pid")
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	reqs=$(awk '/requests in/ {print $1}' <<<"$out")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
	if grep -q 'Non-2xx' <<<"$out"; then
		echo "$name $path: wrk saw errors:" >&2
		echo "$out" >&2
		exit 1
	fi
	cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$reqs" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$path" "$rps" "$p99" "$cpu" >>"$results"
	printf '%-10s %-13s %10s req/s  p99 %6s ms  %6s µs CPU/req\n' "$name" "$path" "$rps" "$p99" "$cpu" >&2
}

echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds, gzip accepted" >&2
for round in $(seq "$ROUNDS"); do
	for path in $PATHS; do
		measure sshresume "$sshresume_pid" "$sshresume_port" "$path"
		measure nginx "$nginx_pid" "$nginx_port" "$path"
		measure quiet "$quiet_pid" "$quiet_port" "$path"
	done
done

# The median of each server and path, and the ratio to nginx.
echo
echo "| server | path | requests/s | p99 latency | CPU per request | ÷ nginx |"
echo "|---|---|---:|---:|---:|---:|"
for path in $PATHS; do
	base=
	for name in nginx sshresume quiet; do
		read -r rps p99 cpu < <(awk -F'\t' -v n="$name" -v p="$path" '$1 == n && $2 == p {print $3, $4, $5}' "$results" |
			sort -n -k1 | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}')
		[ -n "$base" ] || base=$rps
		label=$name
		[ "$name" = quiet ] && label="sshresume, no request log"
		ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
		printf '| %s | `%s` | %.0f | %s ms | %s µs | %s |\n' "$label" "$path" "$rps" "$p99" "$cpu" "$ratio"
	done
done
echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION per run, median of $ROUNDS alternating runs; $(nproc) cores, $(go env GOVERSION), $("$NGINX" -v 2>&1 | sed 's/.*: //')"
