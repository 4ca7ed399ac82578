// What each eviction policy keeps when full: the rule of its paper, on small, hand-checked cases.
// (The contract every store shares is l1-store-contract.ts; hit ratios are the simulator's.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEntry } from '../../src/cache/entry.js'
import { createL1Store } from '../../src/cache/l1-policies/create-l1-store.js'
import { FrequencySketch, hashKey } from '../../src/cache/l1-policies/frequency-sketch.js'
import { S3FifoStore } from '../../src/cache/l1-policies/s3fifo-store.js'
import { SieveStore } from '../../src/cache/l1-policies/sieve-store.js'
import { TinyLfuStore } from '../../src/cache/l1-policies/tinylfu-store.js'
import { MemoryStore, type L1Store } from '../../src/cache/memory-store.js'
import { ManualClock } from '../helpers/fixtures.js'

const ENTRY = createEntry('{"a":1}', 0)
const LONG = { freshMs: 60_000 }
const options = (maxEntries: number) => ({ maxEntries, maxBytes: 1e6, maxEntryBytes: 1e5, clock: new ManualClock() })
/** A request as the engine makes it: get, and set on a miss. Returns whether it hit. */
const request = (store: L1Store, key: string): boolean => {
  if (store.get(key) !== undefined) return true
  store.set(key, ENTRY, LONG)
  return false
}
const held = (store: L1Store, keys: string[]): string[] => keys.filter((key) => store.get(key) !== undefined)

test('L1_POLICY names the store: lru is MemoryStore (lru-cache), the others the policy stores', () => {
  assert.ok(createL1Store('lru', options(2)) instanceof MemoryStore)
  assert.ok(createL1Store('sieve', options(2)) instanceof SieveStore)
  assert.ok(createL1Store('s3fifo', options(2)) instanceof S3FifoStore)
  assert.ok(createL1Store('tinylfu', options(2)) instanceof TinyLfuStore)
})

test('SIEVE: the hand evicts the oldest record not visited since it passed, clearing bits on its way', () => {
  const store = new SieveStore(options(3))
  for (const key of ['a', 'b', 'c']) store.set(key, ENTRY, LONG) // queue, newest first: c b a
  store.get('a')
  store.set('d', ENTRY, LONG) // hand from the tail: a visited → cleared; b not → evicted; hand stops at c
  assert.deepEqual(held(store, ['a', 'b', 'c', 'd']), ['a', 'c', 'd']) // (these gets visit a, c and d)
  store.set('e', ENTRY, LONG) // hand at c: clears c, d, wraps to a, clears it, comes back to c → evicted
  store.set('f', ENTRY, LONG) // hand at d, not visited since → evicted
  assert.deepEqual(held(store, ['a', 'b', 'c', 'd', 'e', 'f']), ['a', 'e', 'f'], 'where LRU would keep d, e, f')
})

test('SIEVE: the hand stays where it stopped, so a record survives while visited between its passes', () => {
  const store = new SieveStore(options(4))
  store.set('hot', ENTRY, LONG)
  for (let i = 0; i < 40; i++) {
    store.get('hot')
    store.set(`scan${i}`, ENTRY, LONG)
  }
  assert.ok(store.get('hot'), 'hot was visited before every pass of the hand')
  assert.equal(store.size, 4)
})

test('S3-FIFO: one-hit records leave through the small queue; a record hit there moves to the main queue', () => {
  const store = new S3FifoStore(options(10)) // small queue: 1 record's worth
  const first = Array.from({ length: 10 }, (_, i) => `k${i}`)
  for (const key of first) store.set(key, ENTRY, LONG)
  for (const key of first.slice(0, 5)) store.get(key) // k0…k4 hit while in the small queue
  for (let i = 0; i < 5; i++) store.set(`scan${i}`, ENTRY, LONG)
  assert.deepEqual(held(store, first), ['k0', 'k1', 'k2', 'k3', 'k4'], 'the hit ones were promoted; k5…k9 went')
})

test('S3-FIFO: a key evicted from the small queue is remembered (ghost) and comes back straight into the main queue', () => {
  const store = new S3FifoStore(options(10))
  const first = Array.from({ length: 10 }, (_, i) => `k${i}`)
  for (const key of first) store.set(key, ENTRY, LONG)
  for (const key of first.slice(0, 5)) store.get(key)
  store.set('n0', ENTRY, LONG) // k0…k4 to main; k5 out, into the ghost
  assert.equal(store.get('k5'), undefined)
  store.set('k5', ENTRY, LONG) // from the ghost: into the main queue
  for (let i = 0; i < 8; i++) store.set(`scan${i}`, ENTRY, LONG) // a scan through the small queue
  assert.ok(store.get('k5'), 'k5 was readmitted to the main queue, beyond the scan\'s reach')
  assert.deepEqual(held(store, ['k6', 'k7', 'k8', 'k9']), [], 'the one-hit records did not survive the scan')
})

test('W-TinyLFU: a scan of one-hit keys does not push out the keys asked for often', () => {
  const store = new TinyLfuStore(options(1000))
  const lru = new MemoryStore(options(1000))
  const hot = Array.from({ length: 900 }, (_, i) => `hot${i}`)
  for (let round = 0; round < 4; round++) for (const key of hot) { request(store, key); request(lru, key) }
  for (let i = 0; i < 10_000; i++) { request(store, `scan${i}`); request(lru, `scan${i}`) }
  // A few lose to one-hit keys whose counters collide with busier ones: the sketch is an estimate.
  assert.ok(held(store, hot).length >= 0.9 * hot.length, `${held(store, hot).length} of ${hot.length} hot keys kept`)
  assert.equal(held(lru, hot).length, 0, 'LRU, for contrast, lost them all')
})

test('W-TinyLFU: a new key enters the window and is readable at once, even when admission would refuse it later', () => {
  const store = new TinyLfuStore(options(3))
  for (let i = 0; i < 20; i++) {
    assert.ok(store.set(`k${i}`, ENTRY, LONG))
    assert.ok(store.get(`k${i}`), `k${i}`)
  }
  assert.equal(store.size, 3)
})

test('frequency sketch: counts requests per key, saturating at 15', () => {
  const sketch = new FrequencySketch(64)
  const a = hashKey('a')
  assert.equal(sketch.frequency(a), 0)
  for (let i = 0; i < 7; i++) sketch.increment(a)
  assert.equal(sketch.frequency(a), 7)
  for (let i = 0; i < 20; i++) sketch.increment(a)
  assert.equal(sketch.frequency(a), 15)
})

test('frequency sketch: ages: after 10 × capacity counted requests every count is halved', () => {
  const capacity = 64
  const sketch = new FrequencySketch(capacity)
  const a = hashKey('a')
  for (let i = 0; i < 15; i++) sketch.increment(a) // a's counters saturated: others' collisions cannot raise them
  let requests = 15
  for (let i = 0; sketch.frequency(a) === 15 && i < 10 * capacity; i++, requests++) sketch.increment(hashKey(`other${i}`))
  assert.equal(sketch.frequency(a), 7, '15 halved')
  assert.ok(requests <= 10 * capacity, `halved after ${requests} requests`)
})

test('hashKey spreads keys: 10,000 city ids fill a 16,384-slot table without piling up', () => {
  const slots = new Uint16Array(16_384)
  for (let i = 0; i < 10_000; i++) slots[hashKey(String(1_000_000 + i)) & 16_383]!++
  assert.ok(Math.max(...slots) <= 8, `fullest slot: ${Math.max(...slots)}`)
})
