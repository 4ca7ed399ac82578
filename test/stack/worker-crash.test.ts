// A worker SIGKILLed under steady traffic costs no failed request: nginx retries the idempotent
// GET on a new connection, the cluster primary hands it to a live worker and respawns the dead one.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { childPids, isAlive } from '../../stack/process-group.js'
import { startStack, type Stack } from '../../stack/stack.js'
import { get } from '../helpers/stack-http.js'

let stack: Stack
before(async () => {
  stack = await startStack({
    strategy: 'memory',
    redis: false,
    workers: 2,
    rateLimit: false,
    accessLog: false,
    originEnv: { ORIGIN_LATENCY_MS: '5', ORIGIN_JITTER_MS: '0' }
  })
})
after(async () => { await stack?.stop() })

async function workersOf (primary: number, count: number): Promise<number[]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const workers = childPids(primary)
    if (workers.length === count) return workers
    if (Date.now() > deadline) throw new Error(`primary ${primary} has ${workers.length} workers, expected ${count}`)
    await sleep(50)
  }
}

/**
 * /ready means one worker answers; killing the only *listening* worker would close the cluster's
 * port. Each worker has its own L1 (strategy memory) and the primary deals fresh connections
 * round-robin, so a second request for a new city that is a MISS again came from the other worker.
 */
async function bothWorkersServe (appUrl: string): Promise<void> {
  const cities = ['tokyo', 'cairo', 'lima', 'dakar', 'quito', 'hanoi', 'perth', 'accra', 'sofia', 'minsk', 'riga', 'bern', 'doha', 'male', 'suva', 'apia']
  const deadline = Date.now() + 30_000
  for (let i = 0; Date.now() < deadline; i++) {
    const city = cities[i % cities.length]!
    const first = await get(`${appUrl}/weather/${city}`)
    const second = await get(`${appUrl}/weather/${city}`)
    if (first.headers['x-cache'] === 'MISS' && second.headers['x-cache'] === 'MISS') return
    await sleep(200)
  }
  throw new Error('the second worker never answered')
}

test('SIGKILL one worker mid-stream: zero failed requests, and the worker is respawned', async () => {
  const primary = stack.pids.app
  const [victim, survivor] = await workersOf(primary, 2) as [number, number]
  await bothWorkersServe(stack.urls.app)
  const agent = new Agent({ connections: 8, keepAliveTimeout: 10_000 })
  const failures: string[] = []
  let ok = 0
  let running = true
  const cities = ['paris', 'london', 'berlin', 'madrid', 'rome', 'vienna', 'oslo', 'lisbon']
  const loop = async (city: string): Promise<void> => {
    // eslint-disable-next-line no-unmodified-loop-condition -- the finally block below sets it to false while the loops await their requests
    while (running) {
      try {
        const res = await request(`${stack.urls.nginx}/weather/${city}`, { dispatcher: agent, headersTimeout: 10_000 })
        const body = await res.body.text()
        if (res.statusCode === 200) ok++
        else failures.push(`HTTP ${res.statusCode} ${body.slice(0, 200)}`)
      } catch (err) {
        failures.push((err as Error).message)
      }
    }
  }
  const loops = cities.map(loop)
  try {
    await sleep(1000)
    const before = ok
    process.kill(victim, 'SIGKILL')
    await sleep(1500)
    assert.ok(ok > before, 'traffic kept flowing after the kill')
  } finally {
    running = false
    await Promise.all(loops)
    await agent.close()
  }
  assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`)
  assert.ok(ok >= 50, `only ${ok} requests went through`)
  assert.equal(isAlive(victim), false)
  const respawned = await workersOf(primary, 2)
  assert.ok(respawned.includes(survivor))
  assert.ok(!respawned.includes(victim), 'a new worker took the dead one\'s place')
})
