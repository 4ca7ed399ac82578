// The peers' configurations as their own tools check them: the committed VCL and a rendered one
// through `varnishd -C`, the nginx-only configuration through `nginx -t`.
import { strict as assert } from 'node:assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { checkVcl, renderVcl, VARNISH_VCL_PATH } from '../../loadtest/bed/peers/varnish.js'
import { NGINX_ONLY_TEMPLATE_PATH, renderCityMap, renderNginxOnlyConfig } from '../../loadtest/bed/peers/nginx-only.js'
import { lifetimesOf } from '../../loadtest/bed/lifetimes.js'
import { testNginxConfig } from '../../stack/nginx-server.js'

test('the committed VCL compiles (varnishd -C) and carries the service\'s default TTL and grace', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vcl-'))
  await checkVcl(VARNISH_VCL_PATH, join(dir, 'committed'))
  const vcl = readFileSync(VARNISH_VCL_PATH, 'utf8')
  const { ttlSeconds, graceSeconds } = lifetimesOf({})
  assert.match(vcl, new RegExp(`set beresp\\.ttl = ${ttlSeconds}s;`))
  assert.match(vcl, new RegExp(`set beresp\\.grace = ${graceSeconds}s;`))
})

test('a rendered VCL has the run\'s port, TTL and grace, and compiles; a lost marker is an error', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vcl-'))
  const rendered = renderVcl({ backendPort: 41_234, ttlSeconds: 3, graceSeconds: 0 })
  assert.match(rendered, /\.port = "41234";/)
  assert.match(rendered, /set beresp\.ttl = 3s;/)
  assert.match(rendered, /set beresp\.grace = 0s;/)
  const path = join(dir, 'rendered.vcl')
  writeFileSync(path, rendered)
  await checkVcl(path, join(dir, 'rendered'))
  assert.throws(() => renderVcl({ backendPort: 1, ttlSeconds: 3, graceSeconds: 1 }, 'vcl 4.1;\n'), /no line marked "# cachestack: backend port"/)
  assert.throws(() => renderVcl({ backendPort: 1, ttlSeconds: 0, graceSeconds: 1 }), /TTL of at least 1 s/)
  const broken = join(dir, 'broken.vcl')
  writeFileSync(broken, 'vcl 4.1;\nbackend app { .host = "127.0.0.1"; }\nsub vcl_recv { return (nonsense); }\n')
  await assert.rejects(checkVcl(broken, join(dir, 'broken')), /varnishd refused [\s\S]*Expected return action name/)
})

test('nginx-only: the city map and the rendered configuration pass nginx -t, with and without grace', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-only-'))
  const map = renderCityMap([{ segment: 'tokyo', id: 1850147 }, { segment: 'buenos%20aires', id: 3435910 }])
  assert.match(map, /"\/weather\/buenos aires" 3435910;/)
  assert.throws(() => renderCityMap([{ segment: 'a%22b', id: 1 }]), /cannot be an nginx map key/)
  writeFileSync(join(dir, 'cities.map'), map)
  for (const graceSeconds of [600, 0]) {
    const config = renderNginxOnlyConfig({
      port: 40_001, providerAddress: '127.0.0.1:40002', workDir: dir, ttlSeconds: 3, graceSeconds, cityMapPath: join(dir, 'cities.map'), cityCount: 2
    })
    assert.match(config, /proxy_cache_valid 200 3s;/)
    assert.equal(config.includes('proxy_cache_use_stale updating error timeout'), graceSeconds > 0)
    assert.equal(config.includes('proxy_cache_background_update on'), graceSeconds > 0)
    assert.match(config, /proxy_cache_lock on;/)
    const path = join(dir, `nginx-${graceSeconds}.conf`)
    writeFileSync(path, config)
    await testNginxConfig(path, dir)
  }
  assert.throws(() => renderNginxOnlyConfig({
    port: 1, providerAddress: '10.0.0.1:80', workDir: dir, ttlSeconds: 3, graceSeconds: 0, cityMapPath: 'x', cityCount: 1
  }, readFileSync(NGINX_ONLY_TEMPLATE_PATH, 'utf8')), /127\.0\.0\.1:port/)
})
