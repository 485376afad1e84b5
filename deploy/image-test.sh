#!/usr/bin/env bash
# Builds the repository's Dockerfile, unchanged, into a real image and runs it the
# ways docs/DEPLOY.md describes, then checks what a visitor and an operator rely on:
#
#   - the image: static binary with the version stamped in, non-root user, exec-form
#     entrypoint and health check, /data volume, port 23234;
#   - a container with a named volume: runs as uid 65532 with no capabilities on a
#     read-only root, passes its health check, serves the resume to OpenSSH through
#     the published port (plain text and the TUI), writes its key 0600 as 65532,
#     shows TUI visitors the restart notice and exits 0 on SIGTERM, and presents the
#     same key again from a new container on the same volume; its web door serves
#     the page and the JSON export through the published HTTP port;
#   - two containers given the same SSHRESUME_HOST_KEY (as -e and as a podman
#     secret) present that key, which its SSHFP record and a known_hosts line
#     written from the public key match;
#   - a container with fly.toml's [env] (PROXY protocol on): passes its health
#     check, refuses a client that sends no PROXY header, serves one that comes
#     through a PROXY v2 header like fly.io's edge sends and logs the address from
#     the header, and its web door logs the visitor's address from Fly-Client-IP;
#     without the key secret it refuses to start.
#
# No registry is reachable, so the two base images are stand-ins made here: a
# "golang" image from this machine's Go toolchain and a static-busybox shell, and a
# distroless-like runtime image (passwd entry for 65532, /tmp, CA certificates, no
# shell). The build runs with buildah in chroot isolation, the containers with
# podman and runc, all in a private storage root that is removed at the end.
# Every published port is on 127.0.0.1 and chosen by podman.
#
# Needs root, buildah, podman, runc, slirp4netns, busybox-static, the OpenSSH
# client, curl and Go. Usage: bash deploy/image-test.sh
set -Eeuo pipefail
cd "$(dirname "$0")/.."
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR

start=$SECONDS
step() { printf '\n--> %s (%ds)\n' "$*" "$((SECONDS - start))"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
pass() { echo "ok: $*"; passed=$((passed + 1)); }
# has PATTERN: whether standard input contains PATTERN; it reads all of it, so
# that the writer never dies of SIGPIPE under pipefail.
has() { local text; text=$(cat); grep -q -- "$1" <<<"$text"; }

[ "$(id -u)" -eq 0 ] || fail "run as root: buildah and podman build and run containers"
for tool in buildah podman runc slirp4netns ssh ssh-keygen ssh-keyscan curl go; do
	command -v "$tool" >/dev/null || fail "$tool is not installed"
done
busybox=/bin/busybox
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || fail "a static $busybox is needed (apt-get install busybox-static)"

# Short paths: slirp4netns puts a socket under the podman tmpdir (108 bytes at most).
work=$(mktemp -d /tmp/sshresume-it.XXXXXX)
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
storage=(--root "$work/storage" --runroot "$work/run" --storage-driver overlay)
bh() { buildah "${storage[@]}" "$@"; }
# Health checks run by hand here (podman healthcheck run); podman's timers for
# them need systemd, which a CI machine may not run.
export DISABLE_HC_SYSTEMD=true
pm() { podman "${storage[@]}" --tmpdir "$work/p" --runtime runc "$@"; }

cleanup() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ -d "$work/storage" ]; then
		for c in $(pm ps -aq 2>/dev/null); do
			echo "--- logs of $(pm inspect --format '{{.Name}}' "$c" 2>/dev/null) ---" >&2
			pm logs "$c" >&2 2>&1 || true
		done
	fi
	pm rm -fa -t 0 >/dev/null 2>&1 || true
	pm volume rm -fa >/dev/null 2>&1 || true
	pm secret rm -a >/dev/null 2>&1 || true
	bh rm -a >/dev/null 2>&1 || true
	pm rmi -fa >/dev/null 2>&1 || true
	findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l 2>/dev/null || true
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT

go_version=$(go env GOVERSION)
go_version=${go_version#go}
version=image-test-$(git rev-parse --short HEAD 2>/dev/null || echo none)
goarch=$(go env GOARCH)
builder=golang:$go_version
runtime_image=localhost/sshresume-test/static:nonroot
image=localhost/sshresume:image-test

step "stand-in base images"
# What the Dockerfile's FROM golang:${GO_VERSION} resolves to: the official image's
# layout and environment, with this machine's toolchain and busybox as /bin/sh.
c=$(bh from scratch)
m=$(bh mount "$c")
mkdir -p "$m/usr/local/go" "$m/bin" "$m/etc/ssl/certs" "$m/tmp" "$m/go" "$m/root"
goroot=$(go env GOROOT)
tar -C "$goroot" --exclude=./test --exclude=./api --exclude=./doc --exclude=./misc -cf - . | tar -C "$m/usr/local/go" -xf -
cp "$busybox" "$m/bin/busybox"
for applet in $("$busybox" --list); do [ "$applet" = busybox ] || ln -s busybox "$m/bin/$applet"; done
cp /etc/ssl/certs/ca-certificates.crt "$m/etc/ssl/certs/"
chmod 1777 "$m/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' >"$m/etc/passwd"
echo 'root:x:0:' >"$m/etc/group"
bh umount "$c" >/dev/null
bh config --env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--env GOPATH=/go --env GOTOOLCHAIN=local --env GOPROXY="$(go env GOPROXY)" --env GOSUMDB="$(go env GOSUMDB)" \
	--workingdir /go "$c"
bh commit -q --rm "$c" "$builder" >/dev/null
# What gcr.io/distroless/static-debian12:nonroot offers the binary.
c=$(bh from scratch)
m=$(bh mount "$c")
mkdir -p "$m/etc/ssl/certs" "$m/tmp" "$m/home/nonroot"
chmod 1777 "$m/tmp"
chown 65532:65532 "$m/home/nonroot"
cp /etc/ssl/certs/ca-certificates.crt "$m/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$m/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$m/etc/group"
bh umount "$c" >/dev/null
bh config --user 65532 --workingdir /home/nonroot "$c"
bh commit -q --rm "$c" "$runtime_image" >/dev/null

step "build the Dockerfile with buildah (GO_VERSION=$go_version, VERSION=$version)"
build_start=$SECONDS
# --format docker keeps HEALTHCHECK, which the OCI image format has no field for.
# --platform sets TARGETOS/TARGETARCH as BuildKit does by itself.
bh bud --isolation chroot --format docker --pull=never --platform "linux/$goarch" \
	--build-arg GO_VERSION="$go_version" \
	--build-arg RUNTIME_IMAGE="$runtime_image" \
	--build-arg VERSION="$version" \
	-t "$image" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "buildah could not build the Dockerfile"; }
build_time=$((SECONDS - build_start))
grep -iE 'warn|error' "$work/build.log" | grep -v 'not consumed: \[TARGETPLATFORM\]' || true
size=$(pm image inspect --format '{{.Size}}' "$image")
pass "built in ${build_time}s, image $((size / 1000)) kB"

step "image configuration"
cfg() { pm image inspect --format "$1" "$image"; }
[ "$(cfg '{{.Config.User}}')" = 65532:65532 ] || fail "image user is $(cfg '{{.Config.User}}')"
[ "$(cfg '{{json .Config.Entrypoint}}')" = '["/usr/local/bin/sshresume"]' ] || fail "entrypoint $(cfg '{{json .Config.Entrypoint}}')"
[ "$(cfg '{{json .Config.Cmd}}')" = '["serve"]' ] || fail "cmd $(cfg '{{json .Config.Cmd}}')"
[ "$(cfg '{{json .Config.Healthcheck.Test}}')" = '["CMD","/usr/local/bin/sshresume","healthcheck"]' ] ||
	fail "health check $(cfg '{{json .Config.Healthcheck}}')"
cfg '{{json .Config.ExposedPorts}}' | has '"23234/tcp"' || fail "ports $(cfg '{{json .Config.ExposedPorts}}')"
cfg '{{json .Config.ExposedPorts}}' | has '"8080/tcp"' || fail "no web door port in $(cfg '{{json .Config.ExposedPorts}}')"
cfg '{{json .Config.Volumes}}' | has '"/data"' || fail "volumes $(cfg '{{json .Config.Volumes}}')"
[ "$(cfg '{{.Config.StopSignal}}')" = SIGTERM ] || fail "stop signal $(cfg '{{.Config.StopSignal}}')"
pass "user 65532:65532, exec-form entrypoint and health check, 23234/tcp and 8080/tcp, /data, SIGTERM"
out=$(pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --no-healthcheck "$image" version)
[ "$out" = "sshresume $version" ] || fail "version prints '$out', want 'sshresume $version'"
pass "$out"
# The binary must be static and stripped: the runtime image has no libc.
mnt=$(pm image mount "$image")
bin=$mnt/usr/local/bin/sshresume
! ldd "$bin" >/dev/null 2>&1 || fail "the binary is dynamically linked: $(ldd "$bin" | head -3)"
info=$(go version -m "$bin")
grep -q 'CGO_ENABLED=0' <<<"$info" || fail "binary not built with CGO_ENABLED=0"
grep -q -- '-trimpath=true' <<<"$info" || fail "binary not built with -trimpath"
# With -trimpath the build information leaves out -ldflags; -s (which implies -w)
# shows as a binary without a symbol table.
nm_out=$(go tool nm "$bin" 2>&1 || true)
[[ "$nm_out" == *"no symbol"* ]] || fail "binary not stripped (-s -w)"
pass "static, CGO_ENABLED=0, -trimpath, stripped: $(stat -c %s "$bin") bytes"
pm image unmount "$image" >/dev/null

# Containers: no capabilities, no privilege gain, read-only root, like production.
run_opts=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cap-drop all --security-opt no-new-privileges
	--read-only --stop-timeout 15
	--network slirp4netns:port_handler=slirp4netns -p 127.0.0.1::23234 -p 127.0.0.1::8080)
ssh_opts=(-o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR -o HostKeyAlias=resume.example.com)
trust_any=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null)

# port NAME: the host port published for the container's 23234.
port() { local p; p=$(pm port "$1" 23234/tcp); echo "${p##*:}"; }

# http_port NAME: the host port published for the container's web door, 8080.
http_port() { local p; p=$(pm port "$1" 8080/tcp); echo "${p##*:}"; }

# fetch PORT PATH [CURL ARG...]: GET http://127.0.0.1:PORT/PATH into $work/body,
# its headers into $work/headers; polls while the published port is being set up.
fetch() {
	local port=$1 path=$2 deadline=$((SECONDS + 15))
	shift 2
	until curl -sS --max-time 5 -D "$work/headers" -o "$work/body" "$@" "http://127.0.0.1:$port$path" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || fail "no answer from http://127.0.0.1:$port$path"
		sleep 0.2
	done
	head -1 "$work/headers" | has ' 200 ' || fail "GET $path: $(head -1 "$work/headers")"
}

# wait_log NAME PATTERN: poll NAME's log until a line matches PATTERN (grep).
# With the web door on, the server writes its log in batches, 100 ms apart.
wait_log() {
	local deadline=$((SECONDS + 10))
	until pm logs "$1" 2>&1 | has "$2"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

# wait_healthy NAME: poll the image's own health check until it passes.
wait_healthy() {
	local deadline=$((SECONDS + 30))
	until pm healthcheck run "$1" >/dev/null 2>&1; do
		[ "$(pm inspect --format '{{.State.Running}}' "$1")" = true ] || fail "$1 exited: $(pm logs "$1" 2>&1 | tail -5)"
		[ $SECONDS -lt $deadline ] || fail "$1 is not healthy after 30s"
		sleep 0.2
	done
}

# keyscan PORT [ARG...]: ssh-keyscan's answer for the ed25519 key served on PORT.
# It asks for that one key type only: a scan of every type opens a connection per
# type at once, which the server's per-address limits are there to refuse. It
# polls, as podman may still be setting up the published port.
keyscan() {
	local port=$1 out deadline=$((SECONDS + 15))
	shift
	until out=$(ssh-keyscan -T 3 -t ed25519 "$@" -p "$port" 127.0.0.1 2>/dev/null) && [ -n "$out" ]; do
		[ $SECONDS -lt $deadline ] || fail "no host key on 127.0.0.1:$port"
		sleep 0.2
	done
	echo "$out"
}

# fingerprint PORT: the SHA256 fingerprint of the host key served on PORT.
fingerprint() {
	local scan
	scan=$(keyscan "$1")
	ssh-keygen -lf - <<<"$scan" | awk '{print $2}'
}

# logged_fingerprint NAME: the fingerprint the server logged at its last start.
logged_fingerprint() {
	pm logs "$1" 2>&1 | sed -n 's/.*host key fingerprint=\(SHA256:[^ ]*\).*/\1/p' | tail -1
}

step "container with a named volume"
pm volume create sshresume-data >/dev/null
pm run -d --name plain -v sshresume-data:/data "${run_opts[@]}" "$image" >/dev/null
wait_healthy plain
pass "podman healthcheck run: healthy"
pid=$(pm inspect --format '{{.State.Pid}}' plain)
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
[ "$uids" = "65532 65532 65532 65532" ] || fail "the server runs with uids $uids"
capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
[ "$capeff" = 0000000000000000 ] || fail "the server has capabilities $capeff"
pm top plain huser hgroup args | has '^65532 .*65532 .*/usr/local/bin/sshresume serve' || fail "podman top: $(pm top plain huser hgroup args)"
pass "runs as uid/gid 65532 with no capabilities (host pid $pid)"
p=$(port plain)
ssh -T -p "$p" "${ssh_opts[@]}" "${trust_any[@]}" 127.0.0.1 >"$work/text.txt"
name=$(sed -n 1p "$work/text.txt")
[ -n "$name" ] && [ "$(wc -l <"$work/text.txt")" -ge 10 ] || fail "ssh -T printed: $(head -5 "$work/text.txt")"
pass "ssh -T through 127.0.0.1:$p prints the resume ($(wc -l <"$work/text.txt") lines, \"$name\")"
hp=$(http_port plain)
fetch "$hp" /
has 'Content-Type: text/html; charset=utf-8' <"$work/headers" || fail "/ is not HTML: $(cat "$work/headers")"
has "<h1>$name</h1>" <"$work/body" || fail "the page lacks <h1>$name</h1>: $(head -c 500 "$work/body")"
has 'Content-Security-Policy: default-src' <"$work/headers" || fail "/ has no Content-Security-Policy"
page_size=$(wc -c <"$work/body")
fetch "$hp" /resume.json --compressed
has 'Content-Type: application/json' <"$work/headers" || fail "/resume.json: $(cat "$work/headers")"
has 'Content-Encoding: gzip' <"$work/headers" || fail "/resume.json not gzipped for a client that accepts it"
has "\"name\": \"$name\"" <"$work/body" || fail "/resume.json lacks the name: $(head -c 300 "$work/body")"
pass "the web door through 127.0.0.1:$hp: the page ($page_size bytes, <h1>$name</h1>) and /resume.json (gzipped)"
vol=$(pm volume inspect --format '{{.Mountpoint}}' sshresume-data)
[ "$(stat -c '%u:%g %a' "$vol/ssh_host_ed25519_key")" = "65532:65532 600" ] ||
	fail "key file is $(stat -c '%u:%g %a' "$vol/ssh_host_ed25519_key")"
pass "the key was created on the volume as 65532:65532, mode 600"
fp1=$(fingerprint "$p")
[ -n "$fp1" ] && [ "$fp1" = "$(logged_fingerprint plain)" ] || fail "served $fp1, logged $(logged_fingerprint plain)"
pass "serves the fingerprint it logged: $fp1"

step "TUI visitor during a stop (SIGTERM)"
# A visitor in the interactive resume, in a 100x30 terminal made by script(1). The
# fifo stays open and silent: only the server can end this session.
headline=$(sed -n 2p "$work/text.txt" | sed 's/^ *//')
mkfifo "$work/tui.in"
script -qefc "stty rows 30 cols 100; exec ssh -tt -p $p ${ssh_opts[*]} ${trust_any[*]} 127.0.0.1" /dev/null \
	<"$work/tui.in" >"$work/tui.txt" 2>&1 &
tui=$!
exec 4>"$work/tui.in"
deadline=$((SECONDS + 15))
until grep -qF "$headline" "$work/tui.txt" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the TUI did not show \"$headline\": $(tail -c 500 "$work/tui.txt")"
	sleep 0.2
done
pass "ssh -tt in a 100x30 terminal shows the TUI"
stop_start=$SECONDS
pm stop plain >/dev/null
stop_time=$((SECONDS - stop_start))
wait "$tui" || true
exec 4>&-
grep -q 'Server restarting' "$work/tui.txt" || fail "no restart notice in the TUI: $(tail -c 500 "$work/tui.txt")"
grep -q 'the server is restarting; please reconnect' "$work/tui.txt" || fail "no farewell after the TUI"
status=$(pm inspect --format '{{.State.ExitCode}}' plain)
[ "$status" = 0 ] || fail "the server exited with $status on SIGTERM"
[ "$stop_time" -lt 15 ] || fail "stop took ${stop_time}s, as long as the stop timeout: the server was killed"
pass "the visitor saw the restart notice and a farewell; exit status 0 after ${stop_time}s"

step "a new container on the same volume"
pm rm plain >/dev/null
pm run -d --name plain2 -v sshresume-data:/data "${run_opts[@]}" "$image" >/dev/null
wait_healthy plain2
fp2=$(fingerprint "$(port plain2)")
[ "$fp2" = "$fp1" ] || fail "the fingerprint changed from $fp1 to $fp2 across containers on one volume"
wait_log plain2 'source="file /data/ssh_host_ed25519_key"' || fail "the key was not read from the volume"
pass "same fingerprint $fp2, read from the volume"
pm rm -f -t 0 plain2 >/dev/null

step "two containers given the same SSHRESUME_HOST_KEY"
ssh-keygen -q -t ed25519 -N '' -C resume.example.com -f "$work/hostkey"
want=$(ssh-keygen -lf "$work/hostkey.pub" | awk '{print $2}')
echo "resume.example.com $(cut -d' ' -f1,2 "$work/hostkey.pub")" >"$work/known_hosts"
trust_key=(-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts")
SSHRESUME_HOST_KEY=$(cat "$work/hostkey") pm run -d --name fleet1 -e SSHRESUME_HOST_KEY "${run_opts[@]}" "$image" >/dev/null
pm secret create sshresume-host-key "$work/hostkey" >/dev/null
pm run -d --name fleet2 --secret sshresume-host-key,type=env,target=SSHRESUME_HOST_KEY "${run_opts[@]}" "$image" >/dev/null
sshfp=$(ssh-keygen -r resume.example.com -f "$work/hostkey.pub" | awk '$4 == 4 && $5 == 2 {print $6}')
for c in fleet1 fleet2; do
	wait_healthy "$c"
	p=$(port "$c")
	got=$(fingerprint "$p")
	[ "$got" = "$want" ] || fail "$c serves $got, want $want"
	wait_log "$c" 'source=PEM' || fail "$c did not take its key from SSHRESUME_HOST_KEY"
	got=$(keyscan "$p" -D | awk '$4 == 4 && $5 == 2 {print $6}')
	[ "$got" = "$sshfp" ] || fail "$c: SSHFP from the server $got, from ssh-keygen -r $sshfp"
	ssh -T -p "$p" "${ssh_opts[@]}" "${trust_key[@]}" 127.0.0.1 help >/dev/null || fail "$c: OpenSSH does not accept the published key"
done
pass "both serve $want; its SSHFP record and a known_hosts line from the public key match"
pm rm -f -t 0 fleet1 fleet2 >/dev/null

step "container with fly.toml's [env] (PROXY protocol)"
# [env] as fly.io sets it: KEY = "value" lines of that section.
sed -n '/^\[env\]/,/^\[/ s/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1=\2/p' fly.toml >"$work/fly.env"
grep -qx 'SSHRESUME_PROXY_PROTOCOL=1' "$work/fly.env" || fail "no SSHRESUME_PROXY_PROTOCOL=1 read from fly.toml: $(cat "$work/fly.env")"
echo "fly.toml [env]: $(tr '\n' ' ' <"$work/fly.env")"
pm run -d --name fly --env-file "$work/fly.env" --secret sshresume-host-key,type=env,target=SSHRESUME_HOST_KEY "${run_opts[@]}" "$image" >/dev/null
wait_healthy fly
pass "podman healthcheck run: healthy (the check sends PROXY UNKNOWN first)"
! pm exec fly /usr/local/bin/sshresume healthcheck -proxy-protocol=false -timeout 2s >/dev/null 2>&1 ||
	fail "a health check without the PROXY header passed"
pass "the same check without the header fails"
p=$(port fly)
if out=$(ssh -T -p "$p" "${ssh_opts[@]}" "${trust_key[@]}" 127.0.0.1 2>&1); then
	fail "a client without a PROXY header was served: $(echo "$out" | head -3)"
fi
[ -z "$(ssh-keyscan -T 3 -t ed25519 -p "$p" 127.0.0.1 2>/dev/null)" ] || fail "ssh-keyscan without a PROXY header got a key"
pass "a plain OpenSSH client is refused: $(echo "$out" | tail -1)"
# fly.io's edge: a PROXY v2 header for the visitor 203.0.113.7:40000 (to
# 198.51.100.1:22), then the visitor's bytes both ways.
cat >"$work/proxy-v2.sh" <<'EOF'
exec 3<>"/dev/tcp/127.0.0.1/$1"
printf '\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\xc6\x33\x64\x01\x9c\x40\x00\x16' >&3
cat <&3 &
cat >&3
wait
EOF
ssh -T -p "$p" "${ssh_opts[@]}" "${trust_key[@]}" -o ProxyCommand="bash $work/proxy-v2.sh %p" 127.0.0.1 >"$work/fly.txt" ||
	fail "no resume through a PROXY v2 header"
cmp -s "$work/fly.txt" "$work/text.txt" || fail "the resume through PROXY differs from the plain one"
wait_log fly '"remote":"203.0.113.7:40000"' || fail "the log does not show the visitor's address from the header"
wait_log fly '"source":"PEM"' || fail "the key did not come from the secret"
pass "through a PROXY v2 header: the resume, the published key, and the visitor's address 203.0.113.7:40000 in the log"
fetch "$(http_port fly)" /resume.json -H 'Fly-Client-IP: 203.0.113.8'
wait_log fly '"msg":"http".*"remote":"203.0.113.8"' || fail "the web door does not log the address from Fly-Client-IP"
pass "the web door serves /resume.json and logs the visitor's address 203.0.113.8 from Fly-Client-IP"
pm rm -f -t 0 fly >/dev/null

step "fly.toml's [env] without the key secret"
pm run -d --name nokey --env-file "$work/fly.env" "${run_opts[@]}" "$image" >/dev/null
deadline=$((SECONDS + 15))
while [ "$(pm inspect --format '{{.State.Running}}' nokey)" = true ]; do
	[ $SECONDS -lt $deadline ] || fail "started without a host key"
	sleep 0.2
done
status=$(pm inspect --format '{{.State.ExitCode}}' nokey)
log=$(pm logs nokey 2>&1)
[ "$status" = 1 ] && has 'no host key' <<<"$log" || fail "status $status, log: $log"
pass "refuses to start (status 1): $log"

step "done"
echo "image $((size / 1000)) kB, build ${build_time}s, stop ${stop_time}s, total $((SECONDS - start))s"
echo "image-test: $passed passed, 0 failed"
