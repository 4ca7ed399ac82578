#!/usr/bin/env bash
# A private Docker engine for the compose test: Debian's dockerd on its own socket, data root,
# exec root and pid file — never the system's /var/run/docker.sock — and a way to leave the
# machine as it was (its bridges removed, iptables and ip_forward restored).
#   engine.sh start   prints `export DOCKER_HOST=…` lines for the caller to eval
#   engine.sh stop    stops the engine by its pid and undoes what it changed
# State lives in $CS_ENGINE_DIR (default: ~/.cache/cachestack/docker-engine): the data root is
# kept between runs as a cache of the stand-in and project images.
set -euo pipefail

dir=${CS_ENGINE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cachestack/docker-engine}
run=$dir/run
sock=$run/docker.sock
pidfile=$run/docker.pid

start () {
  command -v dockerd >/dev/null || { echo "engine.sh: dockerd is missing (apt-get install docker.io)" >&2; exit 1; }
  mkdir -p "$dir/data" "$run/exec"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "engine.sh: a private engine is already running (pid $(cat "$pidfile")); stopping it first" >&2
    stop
    mkdir -p "$run/exec"
  fi
  # Rules naming a bridge that no longer exists are an earlier engine's, left by a run that was
  # killed: a stale `-s 172.18.0.0/16 ! -o br-old -j MASQUERADE` masquerades all traffic on the
  # new bridge of the same subnet, and a Redis Cluster then sees every peer as the gateway and never
  # forms. They go before the firewall is saved, so that stop does not put them back.
  drop_stale_rules iptables
  drop_stale_rules ip6tables
  # What the engine changes, saved so that stop can put it back.
  iptables-save > "$run/iptables.before" 2>/dev/null || true
  ip6tables-save > "$run/ip6tables.before" 2>/dev/null || true
  cat /proc/sys/net/ipv4/ip_forward > "$run/ip_forward.before"
  ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | sort > "$run/bridges.before"
  nohup dockerd \
    --data-root "$dir/data" --exec-root "$run/exec" --pidfile "$pidfile" \
    -H "unix://$sock" --storage-driver overlay2 \
    > "$run/dockerd.log" 2>&1 &
  for _ in $(seq 1 150); do
    if DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; then
      echo "export DOCKER_HOST=unix://$sock"
      return 0
    fi
    sleep 0.2
  done
  echo "engine.sh: dockerd did not answer within 30 s; its log:" >&2
  tail -n 30 "$run/dockerd.log" >&2
  stop
  exit 1
}

drop_stale_rules () { # iptables|ip6tables
  local cmd=$1 rules missing=() bridge
  command -v "$cmd-save" >/dev/null || return 0
  rules=$("$cmd-save" 2>/dev/null) || return 0
  for bridge in $(grep -oE 'br-[0-9a-f]{12}' <<<"$rules" | sort -u); do
    [ -e "/sys/class/net/$bridge" ] || missing+=("$bridge")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "engine.sh: removing $cmd rules of bridges that no longer exist: ${missing[*]}" >&2
  grep -vE "$(IFS='|'; echo "${missing[*]}")" <<<"$rules" | "$cmd-restore" || true
}

# Puts a firewall back as saved. iptables-restore replaces only the tables a save names, and a
# machine with no rules saves nothing at all: a table the engine created (filter's DOCKER chains,
# nat's MASQUERADE) is emptied by hand, its chains removed and its policies set back to ACCEPT.
restore_rules () { # iptables|ip6tables saved-file
  local cmd=$1 saved=$2 table chain
  [ -f "$saved" ] || return 0
  command -v "$cmd" >/dev/null || { rm -f "$saved"; return 0; }
  for table in $("$cmd-save" 2>/dev/null | sed -n 's/^\*//p'); do
    grep -qx "\*$table" "$saved" && continue
    "$cmd" -t "$table" -F 2>/dev/null || true
    "$cmd" -t "$table" -X 2>/dev/null || true
    for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '$1 == "-P" { print $2 }'); do
      "$cmd" -t "$table" -P "$chain" ACCEPT 2>/dev/null || true
    done
  done
  [ -s "$saved" ] && { "$cmd-restore" < "$saved" 2>/dev/null || true; }
  rm -f "$saved"
}

stop () {
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  fi
  # containerd-shims outlive a killed engine; theirs are under our exec root.
  pkill -f "containerd-shim.*$run/exec" 2>/dev/null || true
  if [ -f "$run/bridges.before" ]; then
    ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | sort |
      comm -13 "$run/bridges.before" - | while read -r bridge; do ip link delete "$bridge" 2>/dev/null || true; done
    rm -f "$run/bridges.before"
  fi
  restore_rules iptables "$run/iptables.before"
  restore_rules ip6tables "$run/ip6tables.before"
  [ -f "$run/ip_forward.before" ] && { cat "$run/ip_forward.before" > /proc/sys/net/ipv4/ip_forward; rm -f "$run/ip_forward.before"; }
  # Mounts the engine left under its exec root (netns files) would keep the folder busy.
  grep -o " $run/[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$run/exec"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: engine.sh start|stop" >&2; exit 2 ;;
esac
