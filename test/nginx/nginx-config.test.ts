// What the rendering promises, read off the rendered text (nginx -t checks it is valid nginx).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { EDGE_ERRORS } from '../../src/errors.js'
import { dockerNginxOptions, nativeNginxOptions, NGINX_TEMPLATE_PATH, renderNginxConfig } from '../../src/nginx/nginx-config.js'

const native = (extra: Partial<Parameters<typeof nativeNginxOptions>[0]> = {}): string =>
  renderNginxConfig(nativeNginxOptions({ workDir: '/tmp/cs-test', port: 18080, appPort: 13000, ...extra }))

test('native: loopback listen, upstream with keepalive, HTTP/1.1, empty Connection, retries', () => {
  const conf = native()
  assert.match(conf, /listen 127\.0\.0\.1:18080 /)
  assert.match(conf, /upstream cachestack_app \{[^}]*keepalive 64;[^}]*keepalive_timeout 60s;/)
  assert.equal(conf.match(/server 127\.0\.0\.1:13000 max_fails=0;/g)?.length, 3, 'one server line per try, so a retry has somewhere to go')
  assert.match(conf, /proxy_http_version 1\.1;/)
  assert.match(conf, /proxy_set_header Connection "";/)
  assert.match(conf, /proxy_next_upstream error timeout http_503;/)
  assert.match(conf, /proxy_next_upstream_tries 3;/)
  assert.match(conf, /proxy_pass http:\/\/cachestack_app;/)
  assert.doesNotMatch(conf, /resolver /)
})

test('native: every path nginx writes is inside the work dir, and it stays in the foreground', () => {
  const conf = native({ edgeCache: true })
  assert.match(conf, /^daemon off;$/m)
  assert.match(conf, /^pid \/tmp\/cs-test\/nginx\.pid;$/m)
  assert.match(conf, /^error_log \/tmp\/cs-test\/error\.log warn;$/m)
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    assert.match(conf, new RegExp(`${temp}_temp_path /tmp/cs-test/${temp}_temp;`))
  }
  assert.match(conf, /proxy_cache_path \/tmp\/cs-test\/edge_cache /)
  // Every file directive points under the work dir.
  const files = [...conf.matchAll(/^\s*(?:pid|error_log|access_log|\w+_temp_path|proxy_cache_path) (\/\S+?)[;\s]/gm)].map((m) => m[1]!)
  assert.ok(files.length >= 9, `found ${files.length} file directives`)
  for (const path of files) assert.ok(path.startsWith('/tmp/cs-test/'), `${path} is outside the work dir`)
})

test('request id passed through when well-formed, generated otherwise, forwarded and returned', () => {
  const conf = native()
  assert.match(conf, /map \$http_x_request_id \$cs_request_id \{\s*default \$request_id;/)
  assert.match(conf, /proxy_set_header X-Request-Id \$cs_request_id;/)
  assert.match(conf, /add_header X-Request-Id \$cs_request_id always;/)
})

test('client address: X-Forwarded-For is overwritten; realip only from configured proxies', () => {
  assert.match(native(), /proxy_set_header X-Forwarded-For \$remote_addr;/)
  assert.match(native(), /proxy_set_header X-Real-IP \$remote_addr;/)
  assert.doesNotMatch(native(), /set_real_ip_from/)
  const trusting = native({ trustedProxies: ['10.0.0.0/8'] })
  assert.match(trusting, /set_real_ip_from 10\.0\.0\.0\/8;\n\s*real_ip_header X-Forwarded-For;/)
})

test('edge tier: off by default; on, it honours the app, locks, serves stale and labels responses', () => {
  assert.doesNotMatch(native(), /proxy_cache /)
  const conf = native({ edgeCache: true }).replace(/^\s*#.*$/gm, '')
  assert.match(conf, /proxy_cache cs_edge;/)
  assert.doesNotMatch(conf, /proxy_cache_valid/, 'freshness comes from the app\'s Cache-Control only')
  assert.doesNotMatch(conf, /proxy_ignore_headers/)
  assert.match(conf, /proxy_cache_lock on;/)
  assert.match(conf, /proxy_cache_use_stale updating error timeout/)
  // No background update: an expired entry is never the answer to the request that refreshes it
  // (a purge's bound at the edge, docs/scaling.md).
  assert.match(conf, /proxy_cache_background_update off;/)
  assert.match(conf, /add_header X-Cache-Edge \$upstream_cache_status always;/)
})

test('rate limit: configurable, off on request, 429 with a JSON body', () => {
  const conf = native({ rateLimit: { ratePerSecond: 7, burst: 11 } })
  assert.match(conf, /limit_req_zone \$binary_remote_addr zone=cs_per_client:10m rate=7r\/s;/)
  assert.equal(conf.match(/limit_req zone=cs_per_client burst=11 nodelay;/g)?.length, 2, 'on the API and the fallback location')
  assert.match(conf, /limit_req_status 429;/)
  const body = /return 429 '([^']+)';/.exec(conf)?.[1]
  assert.deepEqual(JSON.parse(body!).code, 'CS_ERR_RATE_LIMITED')
  assert.doesNotMatch(native({ rateLimit: false }), /limit_req/)
})

test('access log: JSON by default, off on request', () => {
  assert.match(native(), /log_format cachestack_json escape=json/)
  assert.match(native(), /access_log \/tmp\/cs-test\/access\.log cachestack_json buffer=64k flush=1s;/)
  assert.match(native({ accessLog: false }), /^\s*access_log off;$/m)
  assert.doesNotMatch(native({ accessLog: false }), /access_log \/tmp/)
})

test('/health is answered by nginx itself', () => {
  assert.match(native(), /location = \/health \{[^}]*return 200 '\{"status":"ok","tier":"nginx"\}';/)
})

test('docker: Docker DNS re-resolved through a variable, logs to the container streams', () => {
  const conf = renderNginxConfig(dockerNginxOptions({ edgeCache: true }))
  assert.match(conf, /resolver 127\.0\.0\.11 valid=5s/)
  assert.match(conf, /set \$cs_app app:3000;/)
  assert.match(conf, /proxy_pass http:\/\/\$cs_app;/)
  assert.doesNotMatch(conf, /upstream cachestack_app/)
  assert.match(conf, /listen 8080 /)
  assert.match(conf, /^error_log \/dev\/stderr warn;$/m)
  assert.match(conf, /access_log \/dev\/stdout cachestack_json;/)
})

test('options are validated with a message naming the option', () => {
  assert.throws(() => native({ workDir: 'relative/dir' }), /nginx option workDir/)
  assert.throws(() => native({ workDir: '/tmp/x; evil' }), /nginx option workDir/)
  assert.throws(() => native({ rateLimit: { ratePerSecond: 0, burst: 1 } }), /rateLimit\.ratePerSecond/)
  assert.throws(() => native({ upstreamKeepaliveTimeoutSeconds: 75 }), /upstreamKeepaliveTimeoutSeconds.*below the app's keepAliveTimeout \(72000 ms\)/)
  assert.throws(() => native({ appKeepAliveTimeoutMs: 30_000 }), /upstreamKeepaliveTimeoutSeconds/)
  assert.throws(() => native({ trustedProxies: ['10.0.0.0/8;'] }), /trustedProxies/)
  assert.throws(() => native({ edgeCacheMaxSize: '1 gigabyte' }), /edgeCacheMaxSize/)
})

test('/metrics and /ready are never proxied, for any client address, native or Docker', () => {
  for (const conf of [native(), renderNginxConfig(dockerNginxOptions())]) {
    const block = /location ~ \^\/\(metrics\|ready\)\(\/\|\$\) \{\n([\s\S]*?)\n {4}\}/.exec(conf)?.[1]
    assert.ok(block !== undefined, 'a location for the internal endpoints')
    assert.doesNotMatch(block, /proxy_pass|allow /, 'never proxied, no address allow-list')
    const body = /return 404 '([^']+)';/.exec(block)?.[1]
    assert.equal(JSON.parse(body!).code, 'CS_ERR_ROUTE_NOT_FOUND')
  }
})

test('every JSON body nginx returns comes from the error catalogue (src/errors.ts); the template spells none itself', async () => {
  const conf = native({ statusPort: 18081 })
  const bodies = [...conf.matchAll(/return ([45]\d\d) '(\{[^']*\})';/g)].map(([, status, json]) => ({ status: Number(status), body: JSON.parse(json!) }))
  const catalogue = Object.values(EDGE_ERRORS)
  assert.equal(bodies.length, catalogue.length, 'one return per catalogue entry')
  for (const { status, body } of bodies) {
    assert.ok(catalogue.some((entry) => JSON.stringify(entry) === JSON.stringify(body)), `${JSON.stringify(body)} is a catalogue entry`)
    assert.equal(body.statusCode, status, `the body's statusCode is the status nginx returns (${status})`)
  }
  const template = await readFile(NGINX_TEMPLATE_PATH, 'utf8')
  assert.doesNotMatch(template.replace(/^\s*#.*$/gm, ''), /CS_ERR_|"statusCode"/, 'no code or body written in the template itself')
})
