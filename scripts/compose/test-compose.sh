#!/usr/bin/env bash
# `npm run test:compose`: the real compose test. Installs what it needs (Debian's docker.io,
# debootstrap, docker-compose), starts a private Docker engine, builds the local stand-ins for the
# base images, runs test/compose/topology.compose.ts, and — also when anything fails — takes the
# project down, stops the engine and undoes what it changed (scripts/compose/engine.sh stop).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
# The observability profile's stand-ins are built from Debian's binaries.
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-nginx-exporter >/dev/null 2>&1 || need+=(prometheus-nginx-exporter)
command -v prometheus-redis-exporter >/dev/null 2>&1 || need+=(prometheus-redis-exporter)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test:compose needs root and these Debian packages: ${need[*]}" >&2
    exit 1
  fi
fi
[ "$(id -u)" = 0 ] || { echo "test:compose starts a private dockerd: run it as root" >&2; exit 1; }

project=cachestack-compose-test
cleanup () {
  local code=$?
  echo "== cleaning up"
  if [ -n "${DOCKER_HOST:-}" ]; then
    docker-compose -p "$project" -f docker-compose.yml --profile cluster --profile observability down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
  fi
  bash scripts/compose/engine.sh stop || true
  echo "== compose test finished in $((SECONDS - started)) s (exit $code)"
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting a private Docker engine"
eval "$(bash scripts/compose/engine.sh start)"
export DOCKER_HOST
echo "== local stand-ins for the base images"
bash scripts/compose/stand-ins.sh
echo "== the compose checks"
CS_COMPOSE_PROJECT=$project node --test --test-concurrency=1 --test-timeout=1200000 dist/test/compose/topology.compose.js
