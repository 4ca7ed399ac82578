// The engine across processes on the shared tier's in-memory fakes (test/fakes/), time on a
// manual clock: cluster-wide single-flight, purge coherence, and the bus-down cap on L1
// lifetimes, asserted by counts and states — no sleeping, no elapsed-time bound. The fakes keep
// the real parts' contract (test/cache/shared-contract.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CacheEngine } from '../../src/cache/engine.js'
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { MemoryStore } from '../../src/cache/memory-store.js'
import { FakeBusHub, FakeKeyspace, FakeSharedLock, FakeSharedStore, type FakeBus } from '../fakes/shared-tier.js'
import { watchFillWaits } from '../helpers/fill-waits.js'
import { ManualClock, silentLogger } from '../helpers/fixtures.js'

const LOCK_WAIT_MS = 2500
const TTL_MS = 60_000

/** Processes sharing one fake Redis: each an engine with its own L1, breaker and bus connection. */
function fleet (clock = new ManualClock()) {
  const keyspace = new FakeKeyspace(clock)
  const hub = new FakeBusHub()
  const process = (): { engine: CacheEngine, bus: FakeBus } => {
    const bus = hub.connect()
    const engine = new CacheEngine({
      l1: new MemoryStore({ maxEntries: 100, maxBytes: 1e6, maxEntryBytes: 1e5, clock }),
      l2: new FakeSharedStore(keyspace),
      lock: new FakeSharedLock(keyspace, 5000),
      bus,
      breaker: new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 1000, clock }),
      ttlMs: TTL_MS,
      graceMs: 60_000,
      lockWaitMs: LOCK_WAIT_MS,
      lockPollMs: 5,
      clock,
      logger: silentLogger()
    })
    return { engine, bus }
  }
  return { clock, keyspace, process }
}

/** A loader that resolves only when the test says so, counting its calls. */
function gatedLoader () {
  const gate = { calls: 0, open: (): void => {} }
  const opened = new Promise<void>((resolve) => { gate.open = resolve })
  return {
    gate,
    load: async (key: string): Promise<CacheEntry> => {
      gate.calls++
      await opened
      return createEntry(JSON.stringify({ key, n: gate.calls }), 0)
    }
  }
}

test('three processes, 50 concurrent misses each: one origin load in all; the others wait for its fill and answer from L2', async () => {
  const { process } = fleet()
  const workers = [process(), process(), process()]
  for (const { engine } of workers) await engine.start()
  const { gate, load } = gatedLoader()
  const answers = workers.flatMap(({ engine }) => Array.from({ length: 50 }, () => engine.get('oslo', load)))
  // Let every process reach the lock before the one load completes.
  await new Promise((resolve) => setImmediate(resolve))
  gate.open()
  const results = await Promise.all(answers)
  assert.equal(gate.calls, 1, 'one load across the processes')
  const sources = results.map((r) => r.source)
  assert.equal(sources.filter((s) => s === 'MISS').length, 50, 'the loading process\'s callers share its load')
  assert.equal(sources.filter((s) => s === 'HIT-L2').length, 100, 'the other processes answer from its fill')
  assert.equal(new Set(results.map((r) => r.entry.etag)).size, 1)
})

test('a purge in one process drops every other process\'s L1 copy', async () => {
  const { process } = fleet()
  const [a, b] = [process(), process()]
  await a.engine.start()
  await b.engine.start()
  const { gate, load } = gatedLoader()
  gate.open()
  await a.engine.get('lima', load)
  assert.equal((await b.engine.get('lima', load)).source, 'HIT-L2')
  assert.ok(b.engine.peek('lima'))
  await a.engine.delete('lima')
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(b.engine.peek('lima'), undefined, 'dropped on the bus message')
  assert.equal((await b.engine.get('lima', load)).source, 'MISS', 'and gone from L2')
})

test('while its bus is down a process keeps new L1 copies at most busDownL1MaxMs; when it is back, L1 is flushed', async () => {
  const { clock, process } = fleet()
  const a = process()
  await a.engine.start()
  const { gate, load } = gatedLoader()
  gate.open()
  a.bus.cut()
  await a.engine.get('rome', load)
  assert.ok(a.engine.peek('rome'), 'served from L1 meanwhile')
  clock.advance(1001) // the default cap, 1000 ms, on freshness and on grace alike
  assert.equal(a.engine.peek('rome'), undefined, 'no longer fresh in L1 after the cap')
  clock.advance(1000)
  assert.equal((await a.engine.get('rome', load)).source, 'HIT-L2', 'gone from L1 after the capped grace; L2 keeps its own lifetime')
  assert.equal(gate.calls, 1)
  a.bus.restore()
  assert.equal(a.engine.peek('rome'), undefined, 'flushed on reconnect')
})

/** Turns of the event loop until `done()`, bounded by a count of turns, not by time. */
async function turnsUntil (done: () => boolean, what: string, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve))
  assert.ok(done(), what)
}

test('a lock holder that died: every process waits while its lock wait lasts on the clock, then loads once', async () => {
  const { clock, keyspace, process } = fleet()
  const [a, b] = [process(), process()]
  await a.engine.start()
  await b.engine.start()
  assert.ok(await new FakeSharedLock(keyspace, 60_000).acquire('orphan'), 'a holder that will never finish')
  const { gate, load } = gatedLoader()
  gate.open()
  const { result: results, outcomes } = await watchFillWaits(async (started) => {
    const answers = [a, b].flatMap(({ engine }) => Array.from({ length: 50 }, () => engine.get('orphan', load)))
    await turnsUntil(() => started() === 2, 'one fill wait per process (its callers share it)')
    // Polls come and go; as long as the clock stays inside the wait, nobody loads.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    assert.equal(gate.calls, 0, 'no load while the holder\'s lock stands and the wait lasts')
    clock.advance(LOCK_WAIT_MS)
    return await Promise.all(answers)
  })
  // The first wait to end timed out and loaded; the other either timed out too or, woken by that
  // load's "filled" before its own check of the clock, took the value from L2: never a load per request.
  assert.equal(outcomes.length, 2, 'one fill wait per process')
  assert.equal(outcomes[0], 'timeout', 'the first waited out LOCK_WAIT_MS')
  assert.ok(outcomes[1] === 'timeout' || outcomes[1] === 'filled', String(outcomes[1]))
  const timeouts = outcomes.filter((o) => o === 'timeout').length
  assert.equal(gate.calls, timeouts, 'one load per process that timed out, not one per request')
  assert.equal(results.filter((r) => r.source === 'MISS').length, 50 * timeouts)
  assert.equal(results.filter((r) => r.source === 'HIT-L2').length, 50 * (2 - timeouts))
})

test('a lock holder whose load fails frees the lock: the waiters load at once, with no clock advance', async () => {
  const { process } = fleet()
  const [holder, waiter] = [process(), process()]
  await holder.engine.start()
  await waiter.engine.start()
  let failing = 0
  const failingLoad = async (): Promise<CacheEntry> => {
    failing++
    await new Promise((resolve) => setImmediate(resolve))
    throw new Error('origin down')
  }
  const { gate, load } = gatedLoader()
  gate.open()
  const { result, outcomes } = await watchFillWaits(async (started) => {
    const holding = holder.engine.get('quito', failingLoad).catch((err: Error) => err)
    await turnsUntil(() => failing === 1, 'the holder is loading')
    const waiting = Promise.all(Array.from({ length: 20 }, () => waiter.engine.get('quito', load)))
    await turnsUntil(() => started() === 1, 'the other process waits for the holder')
    return await Promise.all([holding, waiting])
  })
  assert.ok(result[0] instanceof Error, 'the holder\'s callers get its error')
  assert.deepEqual(outcomes, ['released'], 'the wait ended on the release, not at LOCK_WAIT_MS')
  assert.equal(gate.calls, 1, 'the waiting process loads once')
  assert.ok(result[1].every((r) => r.source === 'MISS'))
})

test('an expired key is refreshed once for the whole fleet, even when the new value has the same bytes', async () => {
  const { clock, process } = fleet()
  const [a, b] = [process(), process()]
  await a.engine.start()
  await b.engine.start()
  let loads = 0
  // Deterministic weather: a refresh within one time bucket returns identical bytes (same ETag).
  const same = async (key: string): Promise<CacheEntry> => {
    loads++
    await new Promise((resolve) => setImmediate(resolve))
    return createEntry(JSON.stringify({ key, weather: 'constant' }), 0)
  }
  await a.engine.get('storm', same)
  assert.equal((await b.engine.get('storm', same)).source, 'HIT-L2')
  clock.advance(TTL_MS + 1) // every copy, in both L1s and in L2, is past its freshness
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).engine.get('storm', same)))
  await turnsUntil(() => loads === 2, 'one refresh')
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  const after = await Promise.all([a.engine.get('storm', same), b.engine.get('storm', same)])
  assert.equal(loads, 2, 'one refresh for both processes')
  assert.ok(answers.every((r) => r.source === 'STALE' || r.source === 'MISS' || r.source.startsWith('HIT')), answers.map((r) => r.source).join())
  assert.ok(after.every((r) => r.source.startsWith('HIT')), `fresh again everywhere: ${after.map((r) => r.source).join()}`)
})
