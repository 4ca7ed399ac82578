// The engine's diagnostics_channel tracing: a subscriber sees, for one request, which operations
// ran, in which order, with the key, the layer and the outcome — over a real Redis (layered
// strategy). A miss, an L2 hit, a wait for another process's fill, a stale answer with its
// background refresh, a purge, and the fast path's synchronous L1 hit.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { Redis } from 'ioredis'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { TRACING_CHANNELS, traces } from '../../src/cache/tracing.js'
import { ManualClock, silentLogger, testConfig } from '../helpers/fixtures.js'
import { redisBed, waitFor } from '../helpers/redis.js'

const bed = redisBed()
const config = testConfig({ CACHE_TTL_SECONDS: '60', CACHE_GRACE_SECONDS: '600', REDIS_KEY_PREFIX: `trace${process.pid}` })

type Event = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error'
interface Seen { operation: keyof typeof TRACING_CHANNELS, event: Event, context: Record<string, unknown>, message: object }

/** Records every event of every channel, with a copy of the context as it was at that event. */
function record (): { seen: Seen[], of (key: string): string[], stop (): void } {
  const seen: Seen[] = []
  const handlers = Object.keys(TRACING_CHANNELS).map((operation) => {
    const name = operation as keyof typeof TRACING_CHANNELS
    const on = (event: Event) => (message: unknown) => {
      const { error, ...context } = message as Record<string, unknown>
      seen.push({ operation: name, event, context: error === undefined ? context : { ...context, error: String(error) }, message: message as object })
    }
    const handler = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') }
    traces[name].subscribe(handler as never)
    return { name, handler }
  })
  return {
    seen,
    /** `operation:event(layer/outcome)` for one key's operations, in order. An asynchronous
     * operation shows as its start and its asyncEnd (or error); a synchronous one as its start and
     * its end. */
    of (key) {
      const asynchronous = new Set(seen.filter((s) => s.event === 'asyncStart' || s.event === 'error').map((s) => s.message))
      return seen
        .filter((s) => s.context.key === key && s.event !== 'asyncStart' && !(s.event === 'end' && asynchronous.has(s.message)))
        .map((s) => {
          const what = `${String(s.context.layer ?? '-')}/${String(s.context.outcome ?? s.context.reason ?? '-')}`
          return `${s.operation}:${s.event}${s.event === 'start' ? '' : `(${what})`}`
        })
    },
    stop () {
      for (const { name, handler } of handlers) traces[name].unsubscribe(handler as never)
    }
  }
}

function layered (redis: Redis, subscriber: Redis, clock: ManualClock) {
  return createCacheEngine('layered', { config, redis, subscriber, clock, logger: silentLogger() })
}

function loader (delayMs = 5) {
  const state = {
    calls: 0,
    load: async (key: string): Promise<CacheEntry> => {
      state.calls++
      await new Promise(resolve => setTimeout(resolve, delayMs))
      return createEntry(JSON.stringify({ key, n: state.calls }), Date.now())
    }
  }
  return state
}

/** Two workers' engines on one Redis, closed after the test (so no earlier test's bus hears this one's keys). */
async function twoWorkers (t: TestContext, clock = new ManualClock()) {
  const a = layered(await bed.client(), await bed.client(), clock)
  const b = layered(await bed.client(), await bed.client(), clock)
  t.after(async () => { await Promise.all([a.close(), b.close()]) })
  await Promise.all([a.start(), b.start()])
  return { a, b, clock }
}

/** Until the fill of `key` is shared completely: stored, announced, and its lock released. */
async function settled (key: string): Promise<void> {
  const probe = await bed.client()
  await waitFor(async () => (await probe.keys(`${config.redis.keyPrefix}:*:lock:${key}`)).length === 0, 5000, `the fill lock of ${key} released`)
}

test('no subscriber: every channel reports none, so the engine takes its untraced path', () => {
  for (const channel of Object.values(traces)) assert.equal(channel.hasSubscribers, false)
  const names = Object.values(TRACING_CHANNELS)
  assert.equal(new Set(names).size, 6)
  for (const name of names) assert.match(name, /^cachestack:cache:[a-z0-9-]+$/)
})

test('a miss: lookup → L2 get (miss) → origin load (ok) → lookup ends answered by the origin', async (t) => {
  const { a } = await twoWorkers(t)
  const origin = loader()
  const recorder = record()
  try {
    const result = await a.get('trace-miss', origin.load)
    assert.equal(result.source, 'MISS')
  } finally { recorder.stop() }
  assert.deepEqual(recorder.of('trace-miss'), [
    'lookup:start',
    'l2Get:start', 'l2Get:asyncEnd(l2/miss)',
    'originLoad:start', 'originLoad:asyncEnd(origin/ok)',
    'lookup:asyncEnd(origin/miss)'
  ])
  const load = recorder.seen.find((s) => s.operation === 'originLoad' && s.event === 'asyncEnd')!
  assert.equal(load.context.background, false)
})

test('an L2 hit on another worker: lookup → L2 get (hit) → lookup ends answered by L2; then an L1 hit, synchronous on the fast path', async (t) => {
  const { a, b } = await twoWorkers(t)
  const origin = loader()
  await a.get('trace-l2', origin.load)
  await settled('trace-l2')
  const recorder = record()
  try {
    assert.equal((await b.get('trace-l2', origin.load)).source, 'HIT-L2')
    assert.notEqual(b.peek('trace-l2'), undefined)
  } finally { recorder.stop() }
  assert.deepEqual(recorder.of('trace-l2'), [
    'lookup:start', 'l2Get:start', 'l2Get:asyncEnd(l2/hit)', 'lookup:asyncEnd(l2/hit)',
    'lookup:start', 'lookup:end(l1/hit)'
  ])
  // The synchronous hit's context is complete at its start and its end.
  const sync = recorder.seen.filter((s) => s.operation === 'lookup' && s.context.layer === 'l1')
  assert.deepEqual(sync.map((s) => s.event), ['start', 'end'])
  assert.equal(sync[0]!.context.outcome, 'hit')
  assert.equal(origin.calls, 1)
})

test('a fill in progress elsewhere: the second worker waits for it (fill-wait: filled) and answers from L2, no second origin load', async (t) => {
  const { a, b } = await twoWorkers(t)
  const slow = loader(300)
  const recorder = record()
  try {
    const first = a.get('trace-wait', slow.load)
    await waitFor(() => slow.calls === 1, 5000, 'the first worker loads')
    const second = await b.get('trace-wait', slow.load)
    assert.equal((await first).source, 'MISS')
    assert.equal(second.source, 'HIT-L2')
  } finally { recorder.stop() }
  assert.equal(slow.calls, 1)
  const waits = recorder.seen.filter((s) => s.operation === 'fillWait' && s.event === 'asyncEnd')
  assert.deepEqual(waits.map((s) => s.context.outcome), ['filled'])
  assert.ok(recorder.of('trace-wait').includes('lookup:asyncEnd(l2/hit)'))
})

test('a stale answer: lookup ends stale from L1, then a refresh runs the origin load in the background and ends ok', async (t) => {
  const { a, clock } = await twoWorkers(t)
  const origin = loader()
  await a.get('trace-stale', origin.load)
  await settled('trace-stale')
  clock.advance(61_000)
  const recorder = record()
  try {
    assert.equal((await a.get('trace-stale', origin.load)).source, 'STALE')
    await waitFor(() => recorder.seen.some((s) => s.operation === 'refresh' && s.event === 'asyncEnd'), 5000, 'the refresh ends')
  } finally { recorder.stop() }
  // The refresh starts before the stale answer is returned, and loads once it holds the fill
  // lock; the other worker hears of the new value (invalidate: filled) whenever the bus delivers.
  assert.deepEqual(recorder.of('trace-stale').filter((event) => !event.startsWith('invalidate')), [
    'lookup:start',
    'refresh:start',
    'lookup:asyncEnd(l1/stale)',
    'originLoad:start',
    'originLoad:asyncEnd(origin/ok)',
    'refresh:asyncEnd(-/ok)'
  ])
  const load = recorder.seen.find((s) => s.operation === 'originLoad' && s.event === 'asyncEnd')!
  assert.equal(load.context.background, true)
  assert.equal(origin.calls, 2)
})

test('a purge: invalidate (purge, dropped) here, and the other worker drops its copy on the bus message (invalidate, dropped)', async (t) => {
  const { a, b } = await twoWorkers(t)
  const origin = loader()
  await a.get('trace-purge', origin.load)
  await b.get('trace-purge', origin.load)
  const recorder = record()
  try {
    await a.delete('trace-purge')
    await waitFor(() => recorder.seen.some((s) => s.operation === 'invalidate' && s.context.reason === 'invalidate' && s.context.dropped === true),
      5000, 'the other worker drops its copy')
  } finally { recorder.stop() }
  const ends = recorder.seen.filter((s) => s.operation === 'invalidate' && (s.event === 'asyncEnd' || s.event === 'end') && s.context.key === 'trace-purge')
  assert.ok(ends.some((s) => s.context.reason === 'purge' && s.context.dropped === true && s.event === 'asyncEnd'), JSON.stringify(ends))
  assert.ok(ends.some((s) => s.context.reason === 'invalidate' && s.context.dropped === true), JSON.stringify(ends))
  assert.equal(b.peek('trace-purge'), undefined)
})

test('a subscriber by channel name (diagnostics_channel.subscribe) gets the same context objects', async (t) => {
  const { a } = await twoWorkers(t)
  const origin = loader()
  const seen: unknown[] = []
  const onEnd = (message: unknown): void => { seen.push(message) }
  subscribe(`tracing:${TRACING_CHANNELS.lookup}:asyncEnd`, onEnd)
  try {
    await a.get('trace-by-name', origin.load)
  } finally { unsubscribe(`tracing:${TRACING_CHANNELS.lookup}:asyncEnd`, onEnd) }
  assert.deepEqual(seen.map((m) => ({ ...(m as object), result: undefined })), [{ key: 'trace-by-name', layer: 'origin', outcome: 'miss', result: undefined }])
})
