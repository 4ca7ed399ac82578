// SIGHUP to the cluster primary replaces every worker, one at a time (the new one listens before
// the old one drains): under load through nginx no request fails, every worker pid changes, and
// the count stays the same. Fresh connections straight to the app's port find a listening worker
// throughout.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { request } from 'undici'
import { childPids, isAlive } from '../stack/process-group.js'
import { startStack, type Stack } from '../stack/stack.js'

const CITIES = ['london', 'paris', 'tokyo', 'lima', 'oslo', 'cairo', 'delhi', 'rome', 'madrid', 'berlin']

let stack: Stack
before(async () => {
  stack = await startStack({
    strategy: 'memory',
    redis: false,
    workers: 2,
    rateLimit: false,
    accessLog: false,
    forwardOutput: false,
    originEnv: { ORIGIN_LATENCY_MS: '5', ORIGIN_JITTER_MS: '0' }
  })
})
after(async () => { await stack?.stop() })

async function workers (count: number): Promise<number[]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const pids = childPids(stack.pids.app)
    if (pids.length === count) return pids
    if (Date.now() > deadline) throw new Error(`the primary has ${pids.length} workers, expected ${count}`)
    await sleep(50)
  }
}

test('SIGHUP under load through nginx: 0 non-2xx, 0 errors; every worker replaced, still 2', async () => {
  const old = await workers(2)
  const load = autocannon({
    url: stack.urls.nginx,
    connections: 8,
    duration: 10,
    requests: CITIES.map((city) => ({ method: 'GET' as const, path: `/weather/${city}` }))
  })
  await sleep(1500)
  await stack.rollingRestart(30_000)
  const result = await load
  assert.ok(result.requests.total > 500, `a real load (${result.requests.total} requests)`)
  assert.equal(result.errors, 0, 'no connection errors')
  assert.equal(result.non2xx, 0, 'every request answered 2xx through the restart')
  const now = await workers(2)
  assert.equal(now.length, old.length, 'as many workers as before')
  assert.deepEqual(now.filter((pid) => old.includes(pid)), [], 'every worker is new')
  assert.deepEqual(old.filter(isAlive), [], 'the old workers are gone')
  assert.ok(isAlive(stack.pids.app), 'the primary lives on')
})

test('SIGHUP with fresh connections straight to the app: each finds a listening worker', async () => {
  const old = await workers(2)
  const failures: string[] = []
  let ok = 0
  const load = { running: true }
  const loop = async (offset: number): Promise<void> => {
    for (let i = offset; load.running; i++) {
      try {
        const url = `${stack.urls.app}/weather/${CITIES[i % CITIES.length]!}`
        const res = await request(url, { headers: { connection: 'close' }, reset: true, headersTimeout: 10_000 })
        await res.body.dump()
        if (res.statusCode === 200) ok++
        else failures.push(`HTTP ${res.statusCode}`)
      } catch (err) {
        failures.push((err as Error).message)
      }
    }
  }
  const loops = [0, 3, 6].map(loop)
  try {
    await sleep(500)
    await stack.rollingRestart(30_000)
    await sleep(500)
  } finally {
    load.running = false
    await Promise.all(loops)
  }
  assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`)
  assert.ok(ok >= 50, `only ${ok} requests went through`)
  const now = await workers(2)
  assert.deepEqual(now.filter((pid) => old.includes(pid)), [], 'every worker is new')
})
