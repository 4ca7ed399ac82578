# peer-varnish: Debian's Varnish in front of the cache-less app (CACHE_STRATEGY=none), measured by
# `npm run loadtest -- --targets peer-varnish` against our engine. Why the app and not the
# provider: the public API is /weather/:city (names, normalization, 400/404, the report format),
# the provider speaks /v1/weather/:id; a user putting Varnish in front of this service keeps the
# app for all of that and lets Varnish cache (docs/peers.md).
#
# The load test renders this file (loadtest/bed/peers/varnish.ts): it replaces the backend port and
# the two durations below, marked `cachestack:`, with the run's (CACHE_TTL_SECONDS,
# CACHE_GRACE_SECONDS); as committed, the values are the service's defaults and the file
# compiles as is (`varnishd -C -f loadtest/bed/peers/varnish.vcl`, checked by a test).
vcl 4.1;

backend app {
  .host = "127.0.0.1";
  .port = "3000"; # cachestack: backend port
  # The app bounds its own provider call at 2 s (ORIGIN_TIMEOUT_MS).
  .connect_timeout = 2s;
  .first_byte_timeout = 5s;
  .between_bytes_timeout = 5s;
}

# Purging is for this machine only (the load test sends PURGE /weather/<city>).
acl purgers {
  "127.0.0.1";
}

sub vcl_recv {
  if (req.method == "PURGE") {
    if (client.ip !~ purgers) {
      return (synth(405, "Not allowed"));
    }
    # Every variant of the object goes; the next request fetches a new one.
    return (purge);
  }
  if (req.method != "GET" && req.method != "HEAD") {
    return (pass);
  }
  if (req.url !~ "^/weather/") {
    return (pass);
  }
  # The answer depends on the URL alone: no cookie or credential makes it private.
  unset req.http.Cookie;
  unset req.http.Authorization;
  return (hash);
}

sub vcl_backend_response {
  if (beresp.status == 200) {
    # The app's own headers describe its (absent) cache: s-maxage is 2 s by design (the purge
    # bound of a shared cache in front of *our* engine). Varnish here *is* the cache, so it gets
    # the engine's lifetimes: fresh for the TTL, then served stale for the grace while one
    # background fetch refreshes it (RFC 5861 stale-while-revalidate, Varnish's grace mode).
    set beresp.ttl = 300s; # cachestack: ttl
    set beresp.grace = 600s; # cachestack: grace
    set beresp.keep = 0s;
    unset beresp.http.Set-Cookie;
    return (deliver);
  }
  # A failed background refresh must not replace the stale copy: keep serving it (stale-if-error).
  if (bereq.is_bgfetch) {
    return (abandon);
  }
  # Errors are not cached; the waiting requests are sent on to the backend one by one.
  set beresp.ttl = 0s;
  set beresp.grace = 0s;
  set beresp.uncacheable = true;
  return (deliver);
}

sub vcl_deliver {
  # What Varnish did, for the load test and for people: HIT (fresh), STALE (grace), MISS.
  if (obj.hits > 0) {
    if (obj.ttl < 0s) {
      set resp.http.X-Cache-Varnish = "STALE";
    } else {
      set resp.http.X-Cache-Varnish = "HIT";
    }
  } else {
    set resp.http.X-Cache-Varnish = "MISS";
  }
}
