// Sentinel, for real: the service on REDIS_SENTINELS in front of Debian's redis-sentinel (one
// primary, one replica, three sentinels on loopback). The primary is killed under load: every
// request is still answered, the sentinels promote the replica, the client follows the new
// primary, and L2 serves again (a key one worker filled is HIT-L2 on the other).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import autocannon from 'autocannon'
import { startRedisSentinel, type RedisSentinelGroup } from '../../stack/redis-sentinel.js'
import { startApp, type AppProcess } from '../helpers/app-process.js'
import { startOrigin, type TestOrigin } from '../helpers/origin.js'
import { untilL2Serves } from '../helpers/stack-http.js'

let group: RedisSentinelGroup
let origin: TestOrigin
let app: AppProcess
before(async () => {
  group = await startRedisSentinel()
  origin = await startOrigin()
  app = await startApp({ CACHE_STRATEGY: 'layered', REDIS_SENTINELS: group.seeds, REDIS_SENTINEL_NAME: group.name, ORIGIN_URL: origin.url })
})
after(async () => {
  await app?.stop()
  await origin?.close()
  await group?.stop()
})

test('before the failover: a key one worker filled is HIT-L2 on the other', async () => {
  await untilL2Serves(app.url, ['oslo', 'bergen', 'trondheim', 'stavanger', 'tromso'])
})

test('the primary SIGKILLed under load: 0 failed requests; the replica is promoted; HIT-L2 again on the new primary', async () => {
  const oldPrimary = await group.primaryPort()
  const victim = group.nodes.find((node) => node.port === oldPrimary)!
  const cities = ['london', 'paris', 'tokyo', 'lima', 'cairo', 'delhi', 'rome', 'quito']
  const load = autocannon({
    url: app.url,
    connections: 4,
    duration: 8,
    requests: cities.map((city) => ({ method: 'GET' as const, path: `/weather/${city}` }))
  })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await victim.kill()
  const result = await load
  assert.ok(result.requests.total > 500, `a real load (${result.requests.total} requests)`)
  assert.equal(result.errors, 0, 'no connection errors')
  assert.equal(result.non2xx, 0, 'every request answered 2xx through the failover')
  const newPrimary = await group.waitForFailover(oldPrimary)
  assert.notEqual(newPrimary, oldPrimary)
  await untilL2Serves(app.url, ['madrid', 'berlin', 'vienna', 'prague', 'warsaw', 'dublin', 'lisbon', 'athens', 'helsinki', 'stockholm'])
})
