// Stale-while-revalidate, grace (stale-if-error), XFetch early refresh, TTL jitter, negative caching.
// Exact loader-call counts on every path, time driven by an injected clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CacheEngine, type NegativeError } from '../../src/cache/engine.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { MemoryStore } from '../../src/cache/memory-store.js'
import { ManualClock, silentLogger } from '../helpers/fixtures.js'

interface Options { graceMs?: number, ttlJitter?: number, earlyRefreshBeta?: number, negativeTtlMs?: number, random?: () => number }

function memoryEngine (clock: ManualClock, options: Options = {}): CacheEngine {
  return new CacheEngine({
    l1: new MemoryStore({ maxEntries: 1000, maxBytes: 1e7, maxEntryBytes: 1e5, clock }),
    ttlMs: 10_000,
    refreshRetryMs: 1000,
    clock,
    logger: silentLogger(),
    ...options
  })
}

/** A loader whose calls are counted; it can fail, and it makes the clock advance by its latency. */
function loader (clock: ManualClock, latencyMs = 100) {
  const state = {
    calls: 0,
    fail: false as false | Error,
    version: 0,
    load: async (key: string): Promise<CacheEntry> => {
      state.calls++
      clock.advance(latencyMs)
      await new Promise(resolve => setImmediate(resolve))
      if (state.fail) throw state.fail
      state.version++
      return createEntry(JSON.stringify({ key, version: state.version }), Date.now())
    }
  }
  return state
}

const settle = () => new Promise(resolve => setTimeout(resolve, 5))
const version = (entry: CacheEntry): number => JSON.parse(entry.body).version

test('stale-while-revalidate: past freshness, 100 callers get the stale value at once and one refresh runs', async () => {
  const clock = new ManualClock()
  const engine = memoryEngine(clock, { graceMs: 60_000 })
  const origin = loader(clock)
  assert.equal((await engine.get('k', origin.load)).source, 'MISS')
  clock.advance(10_001)
  assert.equal(engine.peek('k'), undefined, 'the fast path does not serve stale')
  const results = await Promise.all(Array.from({ length: 100 }, () => engine.get('k', origin.load)))
  assert.ok(results.every(r => r.source === 'STALE' && version(r.entry) === 1 && r.remainingMs === 0))
  await settle()
  assert.equal(origin.calls, 2, 'one refresh for all of them')
  const fresh = await engine.get('k', origin.load)
  assert.equal(fresh.source, 'HIT-L1')
  assert.equal(version(fresh.entry), 2)
})

test('grace (stale-if-error): origin down → stale within grace, retries spaced, then the error past grace', async () => {
  const clock = new ManualClock()
  const engine = memoryEngine(clock, { graceMs: 5000 })
  const origin = loader(clock, 0)
  await engine.get('k', origin.load)
  origin.fail = new Error('origin down')
  clock.advance(10_001)
  for (let i = 0; i < 20; i++) assert.equal((await engine.get('k', origin.load)).source, 'STALE')
  await settle()
  assert.equal(origin.calls, 2, 'one failed refresh; the next waits refreshRetryMs')
  clock.advance(1000)
  assert.equal((await engine.get('k', origin.load)).source, 'STALE')
  await settle()
  assert.equal(origin.calls, 3, 'retried after refreshRetryMs')
  clock.advance(4000) // past fresh + grace
  await assert.rejects(engine.get('k', origin.load), /origin down/)
  assert.equal(origin.calls, 4)
})

test('no grace: an expired entry is a plain miss', async () => {
  const clock = new ManualClock()
  const engine = memoryEngine(clock)
  const origin = loader(clock, 0)
  await engine.get('k', origin.load)
  clock.advance(10_000)
  assert.equal((await engine.get('k', origin.load)).source, 'MISS')
  assert.equal(origin.calls, 2)
})

test('XFetch: refresh early when now − δ·β·ln(rand) ≥ expiry; never with the rule off', async () => {
  for (const [random, beta, expected] of [[0.5, 1, 2], [0.95, 1, 1], [0.95, 20, 2]] as const) {
    const clock = new ManualClock()
    const engine = memoryEngine(clock, { earlyRefreshBeta: beta, random: () => random })
    const origin = loader(clock, 100) // δ = 100 ms
    await engine.get('k', origin.load)
    clock.advance(10_000 - 50) // 50 ms before expiry
    // −100·β·ln(0.5) = 69·β ms ≥ 50 → refresh; −100·ln(0.95) = 5 ms < 50 → not yet; with β = 20, 103 ms → refresh.
    const record = engine.peek('k', origin.load)
    assert.equal(record?.entry !== undefined && version(record.entry), 1, `rand=${random} β=${beta}: the hit is answered either way`)
    await settle()
    assert.equal(origin.calls, expected, `rand=${random} β=${beta}: the lookup started the refresh itself`)
    // get() (a caller that did not peek) rolls the same dice.
    const again = memoryEngine(clock, { earlyRefreshBeta: beta, random: () => random })
    const slow = loader(clock, 100)
    await again.get('k', slow.load)
    clock.advance(10_000 - 50)
    assert.equal((await again.get('k', slow.load)).source, 'HIT-L1', 'the current value is still served')
    await settle()
    assert.equal(slow.calls, expected, `get(): rand=${random} β=${beta}`)
  }
  const clock = new ManualClock()
  const off = memoryEngine(clock, { random: () => 1e-12 })
  const origin = loader(clock, 100)
  await off.get('k', origin.load)
  clock.advance(9999)
  assert.ok(off.peek('k'))
  await off.get('k', origin.load)
  await settle()
  assert.equal(origin.calls, 1)
})

test('XFetch: one roll per lookup, and the hit that decides is answered — no hand-over to get(), no second roll', async () => {
  // The fast path and the route share one lookup: a decision to refresh early is taken and acted
  // on where the dice are rolled, so no request needs two winning rolls, and none falls through.
  const rolls = [0.5] // refresh; any further roll would be 0.95 (not yet)
  const clock = new ManualClock()
  const engine = memoryEngine(clock, { earlyRefreshBeta: 1, random: () => rolls.shift() ?? 0.95 })
  const origin = loader(clock, 100)
  await engine.get('k', origin.load)
  clock.advance(10_000 - 50)
  assert.ok(engine.peek('k', origin.load), 'the lookup that decides to refresh early answers the hit')
  assert.equal(rolls.length, 0, 'one roll')
  await settle()
  assert.equal(origin.calls, 2, 'the early refresh ran')
  assert.ok(engine.peek('k'), 'without a loader: a look, no dice')
  assert.equal(origin.calls, 2)
})

test('TTL jitter shortens fresh lifetimes by up to the share, spreading keys filled together', async () => {
  const clock = new ManualClock()
  let r = 0
  const engine = memoryEngine(clock, { ttlJitter: 0.2, random: () => (r = (r % 10) + 1) / 10 })
  const origin = loader(clock, 0)
  const lifetimes = new Set<number>()
  for (let i = 0; i < 10; i++) lifetimes.add((await engine.get(`k${i}`, origin.load)).remainingMs)
  assert.equal(lifetimes.size, 10, 'no two keys expire together')
  for (const ms of lifetimes) assert.ok(ms >= 8000 && ms <= 10_000, String(ms))
})

test('negative caching: "unknown" is remembered for its TTL, so unknown ids cannot drive origin load', async () => {
  const clock = new ManualClock()
  const engine = memoryEngine(clock, { negativeTtlMs: 30_000 })
  const origin = loader(clock, 0)
  origin.fail = Object.assign(new Error('unknown id'), { negativeCacheable: true as const }) satisfies NegativeError
  for (let i = 0; i < 50; i++) await assert.rejects(engine.get('ghost', origin.load), /unknown id/)
  assert.equal(origin.calls, 1)
  clock.advance(30_000)
  await assert.rejects(engine.get('ghost', origin.load), /unknown id/)
  assert.equal(origin.calls, 2, 'asked again after the negative TTL')
  origin.fail = new Error('transient')
  await assert.rejects(engine.get('flaky', origin.load))
  await assert.rejects(engine.get('flaky', origin.load))
  assert.equal(origin.calls, 4, 'ordinary failures are not remembered')
})

test('bounded negative cache: the oldest remembered answers go first', async () => {
  const clock = new ManualClock()
  const small = new CacheEngine({ ttlMs: 1000, negativeTtlMs: 30_000, negativeMaxEntries: 3, clock, logger: silentLogger() })
  const origin = loader(clock, 0)
  origin.fail = Object.assign(new Error('unknown'), { negativeCacheable: true as const })
  for (const key of ['a', 'b', 'c', 'd']) await assert.rejects(small.get(key, origin.load))
  assert.equal(origin.calls, 4)
  await assert.rejects(small.get('a', origin.load))
  assert.equal(origin.calls, 5, '"a" was evicted by "d"')
  await assert.rejects(small.get('d', origin.load))
  assert.equal(origin.calls, 5)
})
