// The L1 store contract: what the engine relies on, whatever the eviction policy. Every store —
// MemoryStore (lru-cache) and each of src/cache/l1-policies/ — runs these same tests
// (l1-store.test.ts), on a manual clock. Which records a full store keeps is the policy's own
// business and is not asserted here (l1-policies.test.ts, and the simulator, do that).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import type { L1Store, MemoryStoreOptions } from '../../src/cache/memory-store.js'
import { ManualClock } from '../helpers/fixtures.js'

export type StoreFactory = (options: MemoryStoreOptions) => L1Store

const entry = (json = '{"a":1}'): CacheEntry => createEntry(json, 0)
/** An entry weighing `bytes` against maxBytes (body length + 64). */
const sized = (bytes: number): CacheEntry => entry(JSON.stringify({ pad: 'x'.repeat(bytes - 64 - 10) }))
const LONG = { freshMs: 10_000 }

export function l1StoreContract (name: string, create: StoreFactory): void {
  const store = (options: Partial<MemoryStoreOptions> = {}): { store: L1Store, clock: ManualClock } => {
    const clock = new ManualClock()
    return { store: create({ maxEntries: 10, maxBytes: 1e6, maxEntryBytes: 1e5, clock, ...options }), clock }
  }

  test(`${name}: a set record is returned by get until its freshness ends, on the injected clock`, () => {
    const { store: s, clock } = store()
    const record = s.set('k', entry(), { freshMs: 1000 })
    assert.ok(record)
    assert.equal(s.get('k'), record)
    assert.equal(record.freshUntil, clock.now() + 1000)
    clock.advance(999)
    assert.equal(s.get('k'), record, 'fresh 1 ms before expiry')
    clock.advance(1)
    assert.equal(s.get('k'), undefined, 'expired at the deadline (no grace)')
    assert.equal(s.size, 0, 'an expired record is dropped on read')
    assert.equal(s.bytes, 0)
  })

  test(`${name}: grace serves the record stale until freshUntil + grace, then drops it on get`, () => {
    const { store: s, clock } = store()
    s.set('k', entry(), { freshMs: 1000, graceMs: 500, deltaMs: 80 })
    clock.advance(1200)
    const stale = s.get('k')
    assert.ok(stale, 'served within grace')
    assert.ok(stale.freshUntil <= clock.now(), 'no longer fresh')
    assert.equal(stale.staleUntil, stale.freshUntil + 500)
    assert.equal(stale.deltaMs, 80)
    clock.advance(300)
    assert.equal(s.get('k'), undefined, 'gone after grace')
    assert.equal(s.size, 0)
  })

  test(`${name}: a lifetime with nothing to serve stores nothing`, () => {
    const { store: s } = store()
    assert.equal(s.set('k', entry(), { freshMs: 0 }), undefined)
    assert.equal(s.set('k', entry(), { freshMs: -100, graceMs: 50 }), undefined)
    assert.equal(s.get('k'), undefined)
    assert.equal(s.size, 0)
  })

  test(`${name}: wall-clock jumps do not expire records`, () => {
    const { store: s } = store()
    const realNow = Date.now
    try {
      s.set('k', entry(), { freshMs: 1000 })
      Date.now = () => realNow() + 86_400_000
      assert.ok(s.get('k'))
    } finally {
      Date.now = realNow
    }
  })

  test(`${name}: bound by entries: never more than maxEntries, the record just set is kept`, () => {
    const { store: s } = store({ maxEntries: 5 })
    for (let i = 0; i < 50; i++) {
      const record = s.set(`k${i}`, entry(), LONG)
      assert.ok(record)
      assert.equal(s.get(`k${i}`), record, `k${i} readable right after its set`)
      assert.ok(s.size <= 5, `size ${s.size} after k${i}`)
      if (i % 3 === 0) s.get('k0')
    }
    assert.equal(s.size, 5, 'full, not emptier than it must be')
  })

  test(`${name}: bound by bytes: the total stays under maxBytes, the record just set is kept`, () => {
    const { store: s } = store({ maxEntries: 1000, maxBytes: 5000, maxEntryBytes: 2000 })
    for (let i = 0; i < 50; i++) {
      const record = s.set(`k${i}`, sized(1000), LONG)
      assert.ok(record)
      assert.equal(s.get(`k${i}`), record)
      assert.ok(s.bytes <= 5000, `bytes ${s.bytes} after k${i}`)
    }
    assert.equal(s.size, 5, '5 records of 1000 bytes fit in 5000')
    assert.equal(s.bytes, 5000)
    // A larger one makes room for itself.
    assert.ok(s.set('big', sized(1800), LONG))
    assert.ok(s.get('big'))
    assert.ok(s.bytes <= 5000 && s.size <= 4, `bytes ${s.bytes}, size ${s.size}`)
  })

  test(`${name}: a record over maxEntryBytes (or maxBytes) is refused, and drops the older value of its key`, () => {
    const { store: s } = store({ maxEntries: 10, maxBytes: 5000, maxEntryBytes: 2000 })
    s.set('huge', sized(2001), LONG)
    assert.equal(s.get('huge'), undefined)
    assert.equal(s.size, 0)
    assert.ok(s.set('k', sized(2000), LONG), 'exactly maxEntryBytes is kept')
    s.set('k', sized(3000), LONG)
    assert.equal(s.get('k'), undefined, 'no older value served in its place')
    assert.equal(s.bytes, 0)
    const { store: small } = store({ maxEntries: 10, maxBytes: 1000, maxEntryBytes: 2000 })
    small.set('k', sized(1001), LONG)
    assert.equal(small.get('k'), undefined, 'maxBytes bounds a single record too')
  })

  test(`${name}: a new value for a key replaces the old in place`, () => {
    const { store: s } = store()
    s.set('k', sized(100), LONG)
    const second = s.set('k', sized(300), { freshMs: 20_000 })
    assert.equal(s.get('k'), second)
    assert.equal(s.size, 1)
    assert.equal(s.bytes, 300)
  })

  test(`${name}: delete removes one record and says whether it was there`, () => {
    const { store: s } = store()
    s.set('a', sized(100), LONG)
    s.set('b', sized(200), LONG)
    assert.equal(s.delete('a'), true)
    assert.equal(s.delete('a'), false)
    assert.equal(s.delete('never'), false)
    assert.equal(s.get('a'), undefined)
    assert.ok(s.get('b'))
    assert.equal(s.size, 1)
    assert.equal(s.bytes, 200)
  })

  test(`${name}: clear empties the store, which works as before afterwards`, () => {
    const { store: s } = store({ maxEntries: 3 })
    for (const key of ['a', 'b', 'c']) s.set(key, sized(100), LONG)
    s.clear()
    assert.equal(s.size, 0)
    assert.equal(s.bytes, 0)
    for (const key of ['a', 'b', 'c']) assert.equal(s.get(key), undefined)
    for (const key of ['d', 'e', 'f', 'g']) assert.ok(s.set(key, sized(100), LONG))
    assert.equal(s.size, 3)
    assert.ok(s.get('g'))
  })

  test(`${name}: zero or negative bounds are rejected, never "unbounded"`, () => {
    const clock = new ManualClock()
    assert.throws(() => create({ maxEntries: 0, maxBytes: 1e6, maxEntryBytes: 1e5, clock }), /maxEntries/)
    assert.throws(() => create({ maxEntries: 10, maxBytes: 0, maxEntryBytes: 1e5, clock }), /maxBytes/)
    assert.throws(() => create({ maxEntries: -1, maxBytes: 1e6, maxEntryBytes: 1e5, clock }), /maxEntries/)
  })

  test(`${name}: any sequence of sets, gets and deletes keeps both bounds, and size and bytes match what get returns`, () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...keys), bytes: fc.integer({ min: 80, max: 700 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...keys) })
    )
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 120 }), (maxEntries, ops) => {
      const { store: s } = store({ maxEntries, maxBytes: 1500, maxEntryBytes: 600 })
      const latest = new Map<string, number>()
      for (const o of ops) {
        if (o.kind === 'set') {
          s.set(o.key, sized(o.bytes), LONG)
          if (o.bytes > 600) {
            latest.delete(o.key)
            assert.equal(s.get(o.key), undefined, 'over maxEntryBytes: not kept')
          } else {
            latest.set(o.key, o.bytes)
            assert.equal(s.get(o.key)?.entry.body.length, o.bytes - 64, 'readable right after its set')
          }
        } else if (o.kind === 'get') {
          const record = s.get(o.key)
          if (record !== undefined) assert.equal(record.entry.body.length + 64, latest.get(o.key), `${o.key}: the latest value, never an older one`)
        } else {
          s.delete(o.key)
          latest.delete(o.key)
        }
        assert.ok(s.size <= maxEntries, `size ${s.size} > ${maxEntries}`)
        assert.ok(s.bytes <= 1500, `bytes ${s.bytes} > 1500`)
      }
      let held = 0
      let bytes = 0
      for (const key of keys) {
        const record = s.get(key)
        if (record === undefined) continue
        held++
        bytes += record.entry.body.length + 64
        assert.equal(record.entry.body.length + 64, latest.get(key))
      }
      assert.equal(s.size, held, 'size counts exactly the records get returns')
      assert.equal(s.bytes, bytes, 'bytes counts exactly the records get returns')
    }), { numRuns: 300 })
  })
}
