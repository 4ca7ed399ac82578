// docker-compose.yml as docker-compose itself reads it (no Docker engine needed to validate).
// Missing docker-compose is a failure, not a skip: the file would go unchecked.
import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { composeConfig, publishedPorts, type ComposeService } from '../helpers/compose-config.js'

let services: Record<string, ComposeService>

before(async () => { services = await composeConfig() })

test('docker-compose config accepts the file; the four services are there', () => {
  for (const name of ['nginx', 'app', 'redis', 'origin']) assert.ok(services[name], `service ${name}`)
})

test('only nginx is published, on 127.0.0.1:8080; app can scale (no fixed name or host port); metrics stay inside', () => {
  assert.deepEqual(publishedPorts(services.nginx!), [['127.0.0.1', 8080, 8080]])
  assert.equal(services.app!.environment?.METRICS_PORT, '9464')
  for (const name of ['app', 'redis', 'origin']) assert.equal(services[name]!.ports, undefined, `${name} publishes no port`)
  assert.equal(services.app!.container_name, undefined)
})

test('start order waits on health: redis and origin healthy → app healthy → nginx', () => {
  assert.equal(services.app!.depends_on?.redis?.condition, 'service_healthy')
  assert.equal(services.app!.depends_on?.origin?.condition, 'service_healthy')
  assert.equal(services.nginx!.depends_on?.app?.condition, 'service_healthy')
  assert.equal(services.nginx!.depends_on?.['nginx-config']?.condition, 'service_completed_successfully')
  for (const name of ['nginx', 'redis', 'origin']) assert.ok(services[name]!.healthcheck?.test, `${name} has a healthcheck`)
})

test('every long-running service runs under an init', () => {
  for (const name of ['nginx', 'app', 'redis', 'origin']) assert.equal(services[name]!.init, true, name)
})

test('redis: bounded memory, allkeys-lru, no persistence', () => {
  const command = services.redis!.command!.join(' ')
  assert.match(command, /--maxmemory \d+mb/)
  assert.match(command, /--maxmemory-policy allkeys-lru/)
  assert.match(command, /--appendonly no/)
  const args = services.redis!.command!
  assert.equal(args[args.indexOf('--save') + 1], '', '--save "" turns RDB snapshots off')
})

test('app and origin: the same image; origin runs the provider; app points at both', () => {
  assert.equal(services.app!.image, services.origin!.image)
  assert.equal(services.origin!.build?.dockerfile, 'docker/Dockerfile')
  assert.deepEqual(services.origin!.command, ['node', 'dist/src/origin/main.js'])
  assert.equal(services.app!.environment?.ORIGIN_URL, 'http://origin:4000')
  assert.equal(services.app!.environment?.REDIS_URL, 'redis://redis:6379/0')
})

test('nginx renders its config from the shared template at start; EDGE_CACHE and CACHE_STRATEGY come from the environment', async () => {
  assert.deepEqual(services['nginx-config']!.command?.slice(0, 2), ['node', 'dist/src/nginx/render-nginx.js'])
  assert.match(services.nginx!.image!, /^nginx:1\.(2[7-9]|[3-9]\d)/, 'an nginx recent enough for the rendered config')
  assert.equal(services['nginx-config']!.environment?.EDGE_CACHE, 'off')
  assert.equal(services.app!.environment?.CACHE_STRATEGY, 'layered')
  const tuned = await composeConfig([], { EDGE_CACHE: 'on', CACHE_STRATEGY: 'memory' })
  assert.equal(tuned['nginx-config']!.environment?.EDGE_CACHE, 'on')
  assert.equal(tuned.app!.environment?.CACHE_STRATEGY, 'memory')
})
