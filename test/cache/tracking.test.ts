// L1_INVALIDATION=tracking over a real redis-server: Redis itself reports writes (CLIENT TRACKING,
// broadcast mode), so an out-of-band SET — redis-cli by hand, another service — drops every
// worker's L1 copy, which the pub/sub bus cannot see. Our own writes keep our copy (NOLOOP); a
// reconnect of either connection flushes L1 and re-arms tracking.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tracingChannel } from 'node:diagnostics_channel'
import { Redis } from 'ioredis'
import type { CacheEngine } from '../../src/cache/engine.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { encodeL2Value } from '../../src/cache/l2-format.js'
import { L2_FORMAT_VERSION } from '../../src/cache/redis-store.js'
import { TRACING_CHANNELS, type InvalidateTrace } from '../../src/cache/tracing.js'
import { monotonicClock } from '../../src/cache/clock.js'
import { createRedisClient } from '../../src/redis.js'
import type { L1InvalidationMode } from '../../src/config.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { redisBed, waitFor } from '../helpers/redis.js'

const bed = redisBed()

const prefixes: Record<L1InvalidationMode, string> = { pubsub: `pubsub${process.pid}`, tracking: `tracking${process.pid}` }
const lifetimes = { CACHE_TTL_SECONDS: '60', CACHE_GRACE_SECONDS: '60', CACHE_TTL_JITTER: '0' }
const configs = {
  pubsub: testConfig({ REDIS_KEY_PREFIX: prefixes.pubsub, L1_INVALIDATION: 'pubsub', ...lifetimes }),
  tracking: testConfig({ REDIS_KEY_PREFIX: prefixes.tracking, L1_INVALIDATION: 'tracking', ...lifetimes })
}
const redisKey = (mode: L1InvalidationMode, key: string): string => `${prefixes[mode]}:${L2_FORMAT_VERSION}:${key}`

interface Worker { engine: CacheEngine, redis: Redis }

/** One worker as the service builds it: a command connection and a bus connection of its own. */
async function worker (mode: L1InvalidationMode = 'tracking', strategy: 'layered' | 'layered-xfetch' = 'layered', random?: () => number): Promise<Worker> {
  const redis = await bed.client()
  const target = { target: { kind: 'single' as const, url: bed.server.url }, commandTimeoutMs: 150, connectTimeoutMs: 1000 }
  const subscriber = createRedisClient(target, silentLogger(), { subscriber: true })
  const engine = bed.track(createCacheEngine(strategy, {
    config: configs[mode],
    redis,
    subscriber,
    clock: monotonicClock,
    logger: silentLogger(),
    ...(random === undefined ? {} : { random })
  }))
  await engine.start()
  return { engine, redis }
}

/** A plain client, as redis-cli or another service would write. */
async function outOfBand (): Promise<Redis> {
  const client = new Redis(bed.server.url, { maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  bed.track({ close: async () => { client.disconnect() } })
  await client.ping()
  return client
}

let loads = 0
const load = async (key: string): Promise<CacheEntry> => {
  loads++
  await new Promise(resolve => setTimeout(resolve, 5))
  return createEntry(JSON.stringify({ key, load: loads }), Date.now())
}

/** Writes `key` by hand, in the service's L2 format (fresh for a minute): returns its ETag. */
async function writeByHand (client: Redis, key: string, mode: L1InvalidationMode = 'tracking'): Promise<string> {
  const entry = createEntry(JSON.stringify({ key, by: 'hand', at: Math.random() }), Date.now())
  await client.set(redisKey(mode, key), encodeL2Value(entry, 60_000, 0), 'PX', 120_000)
  return entry.etag
}

/**
 * Fills `key` through the first worker, then promotes it from L2 into every other worker's L1.
 * Waiting for the fill to reach L2 matters twice: another worker would load its own value, and a
 * write by hand racing with our SET could land first and be overwritten by it — then Redis rightly
 * reports nothing to us (the last writer of the key is us, and NOLOOP leaves our writes out).
 */
async function holdEverywhere (workers: readonly Worker[], key: string, probe: Redis, mode: L1InvalidationMode = 'tracking'): Promise<string> {
  const [first, ...others] = workers
  const { etag } = (await first!.engine.get(key, load)).entry
  await waitFor(async () => (await probe.exists(redisKey(mode, key))) === 1, 2000, `${key} in L2`)
  for (const other of others) assert.equal((await other.engine.get(key, load)).source, 'HIT-L2')
  for (const w of workers) assert.equal(w.engine.peek(key)?.entry.etag, etag, `every worker holds ${key}`)
  return etag
}

/** CLIENT LIST, one record per connection. */
async function clients (redis: Redis): Promise<Array<Record<string, string>>> {
  const list = String(await redis.client('LIST'))
  return list.trim().split('\n').map((line) => Object.fromEntries(line.trim().split(' ').map((field) => {
    const at = field.indexOf('=')
    return [field.slice(0, at), field.slice(at + 1)]
  })))
}

/** The command connection with this id tracks, redirected to a live receiver of ours; returns the receiver's id. */
async function trackedBy (oob: Redis, commandId: number): Promise<string | undefined> {
  const all = await clients(oob)
  const command = all.find((c) => c.id === String(commandId))
  if (command === undefined || !command.flags!.includes('t')) return undefined
  const receiver = all.find((c) => c.id === command.redir)
  return receiver?.name === 'cachestack-tracking' && receiver.flags!.includes('P') ? receiver.id : undefined
}

/** Counts whole-L1 flushes (the engine's "resync" on the invalidate tracing channel). */
function countFlushes (): { readonly count: number, stop (): void } {
  const channel = tracingChannel<object, InvalidateTrace>(TRACING_CHANNELS.invalidate)
  const counter = { count: 0, stop: () => channel.unsubscribe(handlers) }
  const handlers = {
    start: (context: InvalidateTrace) => { if (context.reason === 'resync') counter.count++ },
    end () {},
    asyncStart () {},
    asyncEnd () {},
    error () {}
  }
  channel.subscribe(handlers)
  return counter
}

test('tracking: an out-of-band SET of a cached key drops every worker\'s L1 copy (2 instances × 2 workers)', async () => {
  const workers = await Promise.all([worker(), worker(), worker(), worker()])
  const oob = await outOfBand()
  const before = await holdEverywhere(workers, 'by-hand', oob)
  const written = await writeByHand(oob, 'by-hand')
  await waitFor(() => workers.every((w) => w.engine.peek('by-hand') === undefined), 5000, 'every L1 copy dropped')
  for (const w of workers) {
    const answer = await w.engine.get('by-hand', load)
    assert.equal(answer.source, 'HIT-L2')
    assert.equal(answer.entry.etag, written, 'every worker now serves the hand-written value')
    assert.notEqual(answer.entry.etag, before)
  }
})

test('pubsub cannot see an out-of-band SET: every copy keeps serving the old value (the documented difference)', async () => {
  const workers = await Promise.all([worker('pubsub'), worker('pubsub')])
  const oob = await outOfBand()
  const before = await holdEverywhere(workers, 'by-hand', oob, 'pubsub')
  await holdEverywhere(workers, 'barrier', oob, 'pubsub')
  await writeByHand(oob, 'by-hand', 'pubsub')
  // A bus message sent after the write, delivered: had the write made one, it would have come first.
  await workers[0]!.engine.delete('barrier')
  await waitFor(() => workers[1]!.engine.peek('barrier') === undefined, 5000, 'the purge after the write')
  for (const w of workers) {
    const answer = await w.engine.get('by-hand', load)
    assert.equal(answer.source, 'HIT-L1')
    assert.equal(answer.entry.etag, before, 'stale: the hand-written value is not seen')
  }
})

test('tracking: our own fill does not evict the copy we just stored', async () => {
  const [a, b] = await Promise.all([worker(), worker()])
  const oob = await outOfBand()
  loads = 0
  const own = await a.engine.get('own', load)
  assert.equal(own.source, 'MISS')
  await waitFor(async () => (await oob.exists(redisKey('tracking', 'own'))) === 1, 2000, 'our fill in L2')
  await holdEverywhere([a, b], 'barrier', oob)
  // Reports reach one receiver in the order of the writes: once the barrier's has arrived, a report
  // of our own SET (before it) would have too.
  await writeByHand(oob, 'barrier')
  await waitFor(() => a.engine.peek('barrier') === undefined && b.engine.peek('barrier') === undefined, 5000, 'the barrier\'s report')
  assert.equal(a.engine.peek('own')?.entry.etag, own.entry.etag, 'our copy survived our own SET')
  const again = await a.engine.get('own', load)
  assert.equal(again.source, 'HIT-L1')
  assert.equal(loads, 2, 'own + barrier: nothing loaded again')
})

test('tracking: a refresh elsewhere drops the old copy; the refreshing worker keeps its new one', async () => {
  // a refreshes early on every L1 hit (XFetch with rand → 0); b holds the old value.
  const a = await worker('tracking', 'layered-xfetch', () => 1e-300)
  const b = await worker()
  const oob = await outOfBand()
  // A slow first load: XFetch's head start (δ·β·−ln rand) must reach past the 60 s of freshness.
  const first = await b.engine.get('updated', async (key) => {
    await new Promise(resolve => setTimeout(resolve, 100))
    return await load(key)
  })
  await waitFor(async () => (await oob.exists(redisKey('tracking', 'updated'))) === 1, 2000, 'b\'s fill in L2')
  assert.equal((await a.engine.get('updated', load)).source, 'HIT-L2')
  assert.equal(b.engine.peek('updated')?.entry.etag, first.entry.etag, 'a promoting (a read) dropped nothing')
  const hit = await a.engine.get('updated', load)
  assert.equal(hit.serverTiming, 'l1;desc=hit-early-refresh')
  await waitFor(() => b.engine.peek('updated') === undefined, 5000, 'a\'s SET reported to b')
  const after = await b.engine.get('updated', load)
  assert.equal(after.source, 'HIT-L2')
  assert.notEqual(after.entry.etag, first.entry.etag, 'b now serves the new value')
  assert.equal(a.engine.l1Usage()?.entries, 1, 'a kept its own new copy')
})

test('tracking: a purge reaches every other L1 through the DEL alone — nothing is published', async () => {
  const workers = await Promise.all([worker(), worker(), worker()])
  const oob = await outOfBand()
  await holdEverywhere(workers, 'purged', oob)
  const published = async (): Promise<number> => Number(/cmdstat_publish:calls=(\d+)/.exec(String(await oob.info('commandstats')))?.[1] ?? 0)
  const before = await published()
  await workers[0]!.engine.delete('purged')
  await waitFor(() => workers.every((w) => w.engine.peek('purged') === undefined), 5000, 'the purge everywhere')
  assert.equal(await published(), before, 'no PUBLISH for a purge under tracking')
  assert.equal((await workers[1]!.engine.get('purged', load)).source, 'MISS', 'the next answer is a fresh fetch')
})

test('tracking: another process taking and freeing a fill lock drops no copy (lock keys are not values)', async () => {
  const workers = await Promise.all([worker(), worker()])
  const oob = await outOfBand()
  const etag = await holdEverywhere(workers, 'locked', oob)
  await holdEverywhere(workers, 'barrier-lock', oob)
  await oob.set(redisKey('tracking', 'lock:locked'), 'someone-else', 'PX', 5000, 'NX')
  await oob.del(redisKey('tracking', 'lock:locked'))
  await writeByHand(oob, 'barrier-lock')
  await waitFor(() => workers.every((w) => w.engine.peek('barrier-lock') === undefined), 5000, 'the barrier\'s report')
  for (const w of workers) assert.equal(w.engine.peek('locked')?.entry.etag, etag)
})

test('tracking: the command connection reconnecting flushes L1 once and re-arms tracking', async () => {
  const a = await worker()
  const oob = await outOfBand()
  await a.engine.get('before-reconnect', load)
  const oldId = await a.redis.client('ID')
  assert.ok(await trackedBy(oob, oldId) !== undefined, 'tracking on before')
  const flushes = countFlushes()
  try {
    await oob.client('KILL', 'ID', String(oldId))
    await waitFor(() => a.engine.peek('before-reconnect') === undefined, 5000, 'L1 flushed on re-arm')
    const newId = await a.redis.client('ID')
    assert.notEqual(newId, oldId)
    await waitFor(async () => await trackedBy(oob, newId) !== undefined, 5000, 'tracking re-armed on the new connection')
    assert.equal(flushes.count, 1, 'one flush for one reconnect')
  } finally {
    flushes.stop()
  }
  // An out-of-band write after the reconnect still drops copies.
  await holdEverywhere([a], 'after-reconnect', oob)
  await writeByHand(oob, 'after-reconnect')
  await waitFor(() => a.engine.peek('after-reconnect') === undefined, 5000, 'a write after the reconnect reported')
})

test('tracking: the receiver reconnecting flushes L1 once and re-arms tracking to its new id', async () => {
  const a = await worker()
  const oob = await outOfBand()
  await a.engine.get('before-receiver', load)
  const commandId = await a.redis.client('ID')
  const oldReceiver = await trackedBy(oob, commandId)
  assert.ok(oldReceiver !== undefined)
  const flushes = countFlushes()
  try {
    await oob.client('KILL', 'ID', oldReceiver)
    await waitFor(() => a.engine.peek('before-receiver') === undefined, 5000, 'L1 flushed on re-arm')
    await waitFor(async () => {
      const receiver = await trackedBy(oob, commandId)
      return receiver !== undefined && receiver !== oldReceiver
    }, 5000, 'tracking redirected to the new receiver, on the same command connection')
    assert.equal(flushes.count, 1, 'one flush for one reconnect')
  } finally {
    flushes.stop()
  }
  await holdEverywhere([a], 'after-receiver', oob)
  await writeByHand(oob, 'after-receiver')
  await waitFor(() => a.engine.peek('after-receiver') === undefined, 5000, 'a write after the reconnect reported')
})

test('tracking: FLUSHALL (a null report) drops every copy', async () => {
  const workers = await Promise.all([worker(), worker()])
  const oob = await outOfBand()
  await holdEverywhere(workers, 'flushed-1', oob)
  await holdEverywhere(workers, 'flushed-2', oob)
  await oob.flushall()
  await waitFor(() => workers.every((w) => w.engine.l1Usage()?.entries === 0), 5000, 'every L1 emptied')
})

test('tracking: a Redis restart (both connections lost) flushes L1 and re-arms; later writes still drop copies', async () => {
  const workers = await Promise.all([worker(), worker()])
  const oob = await outOfBand() // reconnects by itself: the server comes back on the same port
  await holdEverywhere(workers, 'before-restart', oob)
  await bed.server.kill()
  bed.server = await bed.server.restart()
  await waitFor(() => workers.every((w) => w.engine.peek('before-restart') === undefined), 10_000, 'L1 flushed on re-arm')
  const armed = async (w: Worker): Promise<boolean> => w.redis.status === 'ready' && await trackedBy(oob, await w.redis.client('ID')) !== undefined
  await waitFor(async () => (await Promise.all(workers.map(armed))).every(Boolean), 10_000, 'both workers re-armed')
  await holdEverywhere(workers, 'after-restart', oob)
  await writeByHand(oob, 'after-restart')
  await waitFor(() => workers.every((w) => w.engine.peek('after-restart') === undefined), 5000, 'a write after the restart reported')
})
