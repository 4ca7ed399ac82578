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
import { ManualClock, silentLogger } from '../helpers/fixtures.js'

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
      ttlMs: 60_000,
      graceMs: 60_000,
      lockPollMs: 5,
      clock,
      logger: silentLogger()
    })
    return { engine, bus }
  }
  return { clock, process }
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
