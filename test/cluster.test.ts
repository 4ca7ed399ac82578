// The real entry point over HTTP: primary, 2 workers, real Redis, the provider as its own process.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, request } from 'undici'
import { freePort } from '../stack/free-port.js'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { MAIN, startApp, isAlive, type AppProcess } from './helpers/app-process.js'
import { startOrigin, type TestOrigin } from './helpers/origin.js'
import { startRedisServer, waitFor, type RedisServer } from './helpers/redis.js'

let redis: RedisServer
let origin: TestOrigin
const apps: AppProcess[] = []

before(async () => {
  redis = await startRedisServer()
  origin = await startOrigin({ latencyMs: 30 })
})
after(async () => {
  for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGKILL')
  await origin.close()
  await redis.stop()
})

/** A request on a fresh connection: the cluster's round-robin gives each to the next worker. */
async function freshGet (url: string): Promise<{ status: number, xCache: string | undefined, body: string }> {
  const res = await request(url, { headers: { connection: 'close' }, reset: true })
  return { status: res.statusCode, xCache: res.headers['x-cache'] as string | undefined, body: await res.body.text() }
}

test('npm start with nothing else: embedded provider, MISS then HIT-L1 on the same worker, 404, 400', async () => {
  const originPort = await freePort()
  const app = await startApp({ ORIGIN_PORT: String(originPort) })
  apps.push(app)
  const client = new Client(app.url) // one keep-alive connection: one worker
  try {
    const first = await client.request({ method: 'GET', path: '/weather/london' })
    await first.body.text()
    assert.equal(first.statusCode, 200)
    assert.equal(first.headers['x-cache'], 'MISS')
    const second = await client.request({ method: 'GET', path: '/weather/london' })
    assert.equal((await second.body.json() as { city: { name: string } }).city.name, 'London')
    assert.equal(second.headers['x-cache'], 'HIT-L1')
    const unknown = await client.request({ method: 'GET', path: '/weather/qwertyuiopville' })
    assert.equal(unknown.statusCode, 404)
    assert.equal((await unknown.body.json() as { code: string }).code, 'CS_ERR_CITY_NOT_FOUND')
    const invalid = await client.request({ method: 'GET', path: '/weather/%00x' })
    assert.equal(invalid.statusCode, 400)
    assert.equal((await invalid.body.json() as { code: string }).code, 'CS_ERR_CITY_INVALID')
  } finally {
    await client.close()
  }
  const stats = await (await fetch(`http://127.0.0.1:${originPort}/stats`)).json() as { requests: number }
  assert.equal(stats.requests, 1, 'the embedded provider counted one weather request')
  const children = app.children()
  assert.equal(children.length, 3, 'two workers and the embedded provider')
  assert.equal(await app.stop(), 0, 'SIGTERM exits 0')
  await waitFor(() => children.every(pid => !isAlive(pid)), 5000, 'children to exit')
})

test('npm start forks the workers while the embedded provider starts: the first miss after the first /health is answered, not refused', async () => {
  const originPort = await freePort()
  const port = await freePort()
  let metricsPort = await freePort()
  while (metricsPort === port) metricsPort = await freePort()
  const appEnv = { PATH: process.env.PATH, PORT: String(port), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1', WORKERS: '2' }
  // Not startApp: it waits for the primary's last line; this asks as early as a user could.
  const child = spawn(process.execPath, [MAIN], {
    env: { ...appEnv, ORIGIN_PORT: String(originPort), LOG_LEVEL: 'warn' },
    stdio: 'ignore'
  })
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200, 20_000, 'the first /health')
    const first = await fetch(`http://127.0.0.1:${port}/weather/lima`)
    assert.equal(first.status, 200, await first.text())
    assert.equal(first.headers.get('x-cache'), 'MISS')
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
})

test('npm start with ORIGIN_PORT taken: exits 1 naming the port, and leaves no worker behind', async () => {
  const taken = createServer().listen(0, '127.0.0.1')
  await once(taken, 'listening')
  const originPort = (taken.address() as AddressInfo).port
  try {
    await assert.rejects(startApp({ ORIGIN_PORT: String(originPort) }), (err: Error) => {
      assert.match(err.message, /app exited with 1/)
      assert.match(err.message, new RegExp(`ORIGIN_PORT=${originPort} in use`))
      // The workers forked beside the provider were drained before the exit, not orphaned.
      assert.match(err.message, /all workers stopped/)
      return true
    })
  } finally {
    taken.close()
  }
})

test('2 workers, layered: a key fetched once is HIT-L2 on the other worker; one origin request; metrics aggregated', async () => {
  const app = await startApp({ CACHE_STRATEGY: 'layered', REDIS_URL: redis.url, ORIGIN_URL: origin.url })
  apps.push(app)
  const before = (await origin.stats()).requests
  const seen: Array<string | undefined> = []
  for (let i = 0; i < 6; i++) seen.push((await freshGet(`${app.url}/weather/tokyo`)).xCache)
  assert.equal(seen[0], 'MISS')
  assert.ok(seen.includes('HIT-L2'), `another worker answered from L2: ${seen.join(',')}`)
  assert.equal(seen.filter(s => s === 'MISS').length, 1)
  assert.equal((await origin.stats()).requests - before, 1)

  const metrics = await (await fetch(app.metricsUrl)).text()
  const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? NaN)
  const l1 = value(/^cachestack_cache_hits_total\{layer="l1"\} (\d+)/m)
  const l2 = value(/^cachestack_cache_hits_total\{layer="l2"\} (\d+)/m)
  const misses = value(/^cachestack_cache_misses_total (\d+)/m)
  assert.equal(l1 + l2 + misses, 6, `all six lookups, from both workers: l1=${l1} l2=${l2} miss=${misses}`)
  assert.equal(l2, 1)
  assert.equal(await app.stop(), 0)
})

test('a crashed worker is respawned and the service keeps answering; the primary\'s gauges follow it', async () => {
  const app = await startApp({ ORIGIN_URL: origin.url })
  apps.push(app)
  const workers = async (): Promise<{ configured: number, listening: number }> => {
    const text = await (await fetch(app.metricsUrl)).text()
    const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN)
    return { configured: value('cachestack_workers_configured'), listening: value('cachestack_workers_listening') }
  }
  await waitFor(async () => (await workers()).listening === 2, 10_000, 'both workers listening')
  assert.deepEqual(await workers(), { configured: 2, listening: 2 })
  const [victim] = app.children()
  assert.ok(victim)
  process.kill(victim, 'SIGKILL')
  await waitFor(() => app.children().length === 2 && !app.children().includes(victim), 10_000, 'respawn')
  for (let i = 0; i < 4; i++) assert.equal((await freshGet(`${app.url}/weather/oslo`)).status, 200)
  assert.match(app.output(), /worker exited; respawning/)
  // The dead worker left the count; the new one joins it once it listens.
  await waitFor(async () => (await workers()).listening === 2, 10_000, 'the respawned worker counted')
  assert.equal(await app.stop(), 0)
})

test('SIGTERM drains in-flight requests, then exits 0', async () => {
  const slowOrigin = await startOrigin({ latencyMs: 400 })
  try {
    const app = await startApp({ ORIGIN_URL: slowOrigin.url })
    apps.push(app)
    const inFlight = freshGet(`${app.url}/weather/cairo`)
    await new Promise(resolve => setTimeout(resolve, 100))
    app.child.kill('SIGTERM')
    const answer = await inFlight
    assert.equal(answer.status, 200, 'the request in flight at SIGTERM completed')
    assert.equal(await app.exited(), 0)
  } finally {
    await slowOrigin.close()
  }
})

test('an invalid variable stops start-up with a message naming it', async () => {
  await assert.rejects(startApp({ CACHE_STRATEGY: 'fastest', WORKERS: 'many' }), (err: Error) => {
    assert.match(err.message, /CACHE_STRATEGY="fastest": expected one of none, memory, redis, layered/)
    assert.match(err.message, /WORKERS="many"/)
    return true
  })
})
