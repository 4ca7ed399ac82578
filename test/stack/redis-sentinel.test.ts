// Sentinel, for real: the service on REDIS_SENTINELS in front of Debian's redis-sentinel (one
// primary, one replica, three sentinels on loopback). The primary is killed under load: every
// request is still answered, the sentinels promote the replica, the client follows the new
// primary, and L2 serves again (a key one worker filled is HIT-L2 on the other).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import autocannon from 'autocannon'
import { startRedisSentinel, type RedisSentinelGroup } from '../../src/stack/redis-sentinel.js'
import { startApp, type AppProcess } from '../helpers/app-process.js'
import { startOrigin, type TestOrigin } from '../helpers/origin.js'
import { get } from '../helpers/stack-http.js'

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

/** X-Cache of a city asked four times on new connections (the workers take them in turn). */
async function answers (city: string): Promise<string[]> {
  const seen: string[] = []
  for (let i = 0; i < 4; i++) seen.push((await get(`${app.url}/weather/${city}`)).headers['x-cache'] ?? '')
  return seen
}

/** Asks new cities until one worker's fill is another's HIT-L2 (each worker's client connects
 * through the sentinels, and its breaker closes at its next probe after a failover). */
async function l2Serves (cities: readonly string[]): Promise<void> {
  const seen: string[] = []
  for (const city of cities) {
    const asked = await answers(city)
    seen.push(`${city}: ${asked.join(' → ')}`)
    if (asked[0] === 'MISS' && asked.includes('HIT-L2')) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  assert.fail(`L2 does not serve: ${seen.join(', ')}`)
}

test('before the failover: a key one worker filled is HIT-L2 on the other', async () => {
  await l2Serves(['oslo', 'bergen', 'trondheim', 'stavanger', 'tromso'])
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
  await l2Serves(['madrid', 'berlin', 'vienna', 'prague', 'warsaw', 'dublin', 'lisbon', 'athens', 'helsinki', 'stockholm'])
})
