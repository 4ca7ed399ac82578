import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStore } from '../../src/cache/memory-store.js'
import { createEntry } from '../../src/cache/entry.js'
import { ManualClock } from '../helpers/fixtures.js'

const entry = (json = '{"a":1}') => createEntry(json, 0)

test('TTL expiry follows the injected monotonic clock', () => {
  const clock = new ManualClock()
  const store = new MemoryStore({ maxEntries: 10, maxBytes: 1e6, maxEntryBytes: 1e5, clock })
  store.set('k', entry(), { freshMs: 1000 })
  clock.advance(999)
  assert.ok(store.get('k'), 'fresh 1 ms before expiry')
  assert.equal(store.get('k')!.freshUntil - clock.now(), 1)
  clock.advance(1)
  assert.equal(store.get('k'), undefined, 'expired at the deadline')
  assert.equal(store.size, 0, 'an expired record is dropped on read')
})

test('wall-clock jumps do not expire entries', () => {
  const clock = new ManualClock()
  const store = new MemoryStore({ maxEntries: 10, maxBytes: 1e6, maxEntryBytes: 1e5, clock })
  const realNow = Date.now
  try {
    store.set('k', entry(), { freshMs: 1000 })
    Date.now = () => realNow() + 86_400_000
    assert.ok(store.get('k'))
  } finally {
    Date.now = realNow
  }
})

test('LRU bound by entry count evicts the least recently used', () => {
  const store = new MemoryStore({ maxEntries: 3, maxBytes: 1e6, maxEntryBytes: 1e5, clock: new ManualClock() })
  for (const key of ['a', 'b', 'c']) store.set(key, entry(), { freshMs: 10_000 })
  assert.ok(store.get('a')) // a is now the most recent
  store.set('d', entry(), { freshMs: 10_000 })
  assert.equal(store.size, 3)
  assert.equal(store.get('b'), undefined, 'b was least recently used')
  assert.ok(store.get('a') && store.get('c') && store.get('d'))
})

test('bound by bytes: the total stays under maxBytes, oversized entries are refused', () => {
  const body = JSON.stringify({ pad: 'x'.repeat(900) }) // ~912 bytes + overhead
  const store = new MemoryStore({ maxEntries: 1000, maxBytes: 5000, maxEntryBytes: 2000, clock: new ManualClock() })
  for (let i = 0; i < 50; i++) store.set(`k${i}`, entry(body), { freshMs: 10_000 })
  assert.ok(store.bytes <= 5000, `bytes ${store.bytes}`)
  assert.ok(store.size >= 4 && store.size <= 5, `size ${store.size}`)
  assert.ok(store.get('k49'), 'the newest survives')
  store.set('huge', entry(JSON.stringify({ pad: 'x'.repeat(3000) })), { freshMs: 10_000 })
  assert.equal(store.get('huge'), undefined)
})

test('zero or negative bounds are rejected, never "unbounded"', () => {
  assert.throws(() => new MemoryStore({ maxEntries: 0, maxBytes: 1e6, maxEntryBytes: 1e5, clock: new ManualClock() }), /maxEntries/)
  assert.throws(() => new MemoryStore({ maxEntries: 10, maxBytes: 0, maxEntryBytes: 1e5, clock: new ManualClock() }), /maxBytes/)
})

test('grace: past freshness the record is still served (stale) until freshUntil + grace', () => {
  const clock = new ManualClock()
  const store = new MemoryStore({ maxEntries: 10, maxBytes: 1e6, maxEntryBytes: 1e5, clock })
  store.set('k', entry(), { freshMs: 1000, graceMs: 500, deltaMs: 80 })
  clock.advance(1200)
  const stale = store.get('k')
  assert.ok(stale)
  assert.ok(stale.freshUntil <= clock.now(), 'no longer fresh')
  assert.equal(stale.deltaMs, 80)
  clock.advance(300)
  assert.equal(store.get('k'), undefined, 'gone after grace')
})
