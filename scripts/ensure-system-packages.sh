#!/usr/bin/env bash
# The tests use real parts: redis-server, nginx, docker-compose (to validate the compose file),
# Chromium (to render the HTML reports), curl (the README's Quick start, run verbatim) and
# promtool (Prometheus' rule checker and rule unit tests), and the exporters for nginx and Redis
# that `npm run stack -- --observability` starts next to Prometheus.
# Install what is missing, or say what to install.
set -euo pipefail
declare -A package_of=(
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [redis-sentinel]=redis-sentinel
  [nginx]=nginx
  [docker-compose]=docker-compose
  [chromium]=chromium
  [curl]=curl
  [promtool]=prometheus
  [prometheus-nginx-exporter]=prometheus-nginx-exporter
  [prometheus-redis-exporter]=prometheus-redis-exporter
  [varnishd]=varnish
)
missing=()
for bin in "${!package_of[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("${package_of[$bin]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the system packages the tests need: $packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
  exit 0
fi
echo "The tests need these Debian packages: $packages" >&2
echo "Install them with: sudo apt-get update && sudo apt-get install -y $packages" >&2
exit 1
