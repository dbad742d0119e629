# Shell helpers the loopback benchmarks share (bench/peers/run,
# bench/soak/run): installing what is missing, and one nginx of their own
# on 127.0.0.0/8, started from a template and stopped by the caller's trap.
# Sourced, not run; the caller sets `set -euo pipefail` and a `log` function.

# apt_need CMD PKG [CMD PKG ...]: installs each PKG whose CMD is not on the
# PATH (nor in /usr/sbin), in one apt-get run.
apt_need() {
    local missing=()
    while [ $# -ge 2 ]; do
        command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] || missing+=("$2")
        shift 2
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
    fi
}

# free_port ADDR: a port free on ADDR now (nginx takes it on every address).
free_port() {
    python3 -c 'import socket, sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}

# nginx_conf TEMPLATE OUT KEY=VALUE...: the template with each @KEY@
# replaced; @USER@ is `user root;` when run as root (so the workers may
# read the caller's temp dir), else empty.
nginx_conf() {
    local template=$1 out=$2
    shift 2
    local user=""
    [ "$(id -u)" = 0 ] && user="user root;"
    mkdir -p "$(dirname "$out")"
    python3 - "$template" "$out" "USER=$user" "$@" <<'PY'
import sys
src, dst, *pairs = sys.argv[1:]
text = open(src).read()
for pair in pairs:
    key, _, value = pair.partition("=")
    text = text.replace(f"@{key}@", value.rstrip("\n"))
open(dst, "w").write(text)
PY
}

# nginx_start PREFIX: runs nginx (not daemonized) on PREFIX/nginx.conf, its
# temp dirs under PREFIX/tmp; sets nginx_pid for the caller's cleanup.
nginx_start() {
    local prefix=$1
    mkdir -p "$prefix/tmp"
    local bin
    bin=$(command -v nginx || echo /usr/sbin/nginx)
    "$bin" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" &
    nginx_pid=$!
}

# nginx_wait URL...: until nginx answers every URL (10 s at most).
nginx_wait() {
    local prefix=$1
    shift
    for _ in $(seq 1 100); do
        if python3 -c 'import sys, urllib.request as u; [u.urlopen(x, timeout=2).read() for x in sys.argv[1:]]' \
            "$@" 2>/dev/null; then return 0; fi
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.1
    done
    log "nginx did not start:"
    cat "$prefix/error.log" >&2 || true
    return 1
}

# stop_pid PID: TERM, up to 5 s, then KILL; for the caller's cleanup.
stop_pid() {
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# nginx_version: "1.22.1".
nginx_version() {
    "$(command -v nginx || echo /usr/sbin/nginx)" -v 2>&1 | cut -d/ -f2
}
