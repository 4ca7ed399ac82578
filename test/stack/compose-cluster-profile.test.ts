// docker-compose.yml's `cluster` profile as docker-compose itself reads it (no Docker engine here):
// six cluster nodes, the one-shot create job, app replicas on REDIS_CLUSTER_NODES behind their own
// nginx. docker-compose v1.29 prints every service with its `profiles`; Compose v2 would print
// only the active ones, so both invocations are checked for what each must show.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { composeConfig, publishedPorts } from '../helpers/compose-config.js'

const NODES = [1, 2, 3, 4, 5, 6].map((n) => `redis-node-${n}`)
const CLUSTER_SERVICES = [...NODES, 'redis-cluster-create', 'app-cluster', 'nginx-config-cluster', 'nginx-cluster']

test('docker-compose --profile cluster config: six cluster nodes, the create job, app replicas and their nginx', async () => {
  const services = await composeConfig(['--profile', 'cluster'])
  for (const name of CLUSTER_SERVICES) assert.deepEqual(services[name]?.profiles, ['cluster'], `${name} belongs to the cluster profile`)
  for (const name of ['nginx', 'app', 'redis', 'origin']) assert.equal(services[name]!.profiles, undefined, `${name} still starts without a profile`)
  for (const name of NODES) {
    const args = services[name]!.command!
    assert.equal(args[args.indexOf('--cluster-enabled') + 1], 'yes')
    assert.equal(args[args.indexOf('--maxmemory-policy') + 1], 'allkeys-lru')
    assert.equal(args[args.indexOf('--save') + 1], '')
    assert.ok(services[name]!.healthcheck?.test, `${name} has a healthcheck`)
  }
  const create = services['redis-cluster-create']!
  assert.equal(create.restart, 'no', 'a one-shot job')
  assert.match(create.command!.join(' '), /redis-cli --cluster create \$\$?nodes --cluster-replicas 1 --cluster-yes/)
  for (const name of NODES) assert.equal(create.depends_on?.[name]?.condition, 'service_healthy')

  const app = services['app-cluster']!
  assert.equal(app.deploy?.replicas, 2)
  assert.equal(app.environment?.REDIS_CLUSTER_NODES, NODES.map((n) => `${n}:6379`).join(','))
  assert.equal(app.environment?.REDIS_URL, undefined, 'exactly one L2 topology')
  assert.equal(app.image, services.app!.image, 'the same image as the single-Redis app')
  assert.equal(app.depends_on?.['redis-cluster-create']?.condition, 'service_completed_successfully')
  const nginx = services['nginx-cluster']!
  assert.deepEqual(publishedPorts(nginx), [['127.0.0.1', 8081, 8080]], 'its own port, next to the default stack\'s 8080')
  assert.equal(nginx.depends_on?.['app-cluster']?.condition, 'service_healthy')
  const render = services['nginx-config-cluster']!.command!
  assert.equal(render[render.indexOf('--app-host') + 1], 'app-cluster')
})

test('without the profile the default topology is unchanged (one Redis, REDIS_URL)', async () => {
  const services = await composeConfig([])
  assert.equal(services.app!.environment?.REDIS_URL, 'redis://redis:6379/0')
  assert.equal(services.app!.environment?.REDIS_CLUSTER_NODES, undefined)
  assert.deepEqual(publishedPorts(services.nginx!), [['127.0.0.1', 8080, 8080]])
})
