// The simulator's ceiling: Belady's MIN (bench/policies/belady.ts) equals the true optimum,
// found by brute force over every demand-fetch policy on small traces, and no real store beats it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { beladyHits, nextUses } from '../../bench/policies/belady.js'
import { POLICIES, replayHits } from '../../bench/policies/replay.js'
import type { Stream } from '../../bench/policies/stream.js'

/**
 * The most hits any policy can get: every cache state reachable after each request, by dynamic
 * programming over sets of keys (bitmasks). After a request the cache may hold any subset of what
 * it held plus the requested key (a key enters only when requested), within the capacity.
 */
function bruteForceOptimum (requests: readonly number[], capacity: number): number {
  const bits = (mask: number): number => { let n = 0; for (let m = mask; m !== 0; m &= m - 1) n++; return n }
  let states = new Map<number, number>([[0, 0]])
  for (const key of requests) {
    const bit = 1 << key
    const next = new Map<number, number>()
    for (const [mask, hits] of states) {
      const gained = hits + ((mask & bit) !== 0 ? 1 : 0)
      const pool = mask | bit
      // Every subset of the pool that fits.
      for (let sub = pool; ; sub = (sub - 1) & pool) {
        if (bits(sub) <= capacity && (next.get(sub) ?? -1) < gained) next.set(sub, gained)
        if (sub === 0) break
      }
    }
    states = next
  }
  return Math.max(...states.values())
}

const streamOf = (requests: readonly number[], keyCount: number): Stream => ({
  name: 'test',
  description: 'test',
  requests: Int32Array.from(requests),
  keys: Array.from({ length: keyCount }, (_, i) => `k${i}`)
})

test('nextUses: the index of the next request for the same key, or the length', () => {
  assert.deepEqual([...nextUses(Int32Array.from([0, 1, 0, 2, 1, 0]), 3)], [2, 4, 5, 6, 6, 6])
})

test('MIN on a hand-checked trace: keeps what is needed soonest, bypasses what is needed last', () => {
  // Capacity 2. a b c a b c a b c: MIN keeps a and b, never caches c → hits on a, b in rounds 2 and 3.
  assert.equal(beladyHits(Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2]), 3, 2), 4)
  assert.equal(bruteForceOptimum([0, 1, 2, 0, 1, 2, 0, 1, 2], 2), 4)
  // Everything fits: every request but the first of each key hits.
  assert.equal(beladyHits(Int32Array.from([0, 1, 0, 1, 2, 2]), 3, 3), 3)
})

test('MIN equals the brute-force optimum on random small traces', () => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 6 }).chain((keys) => fc.tuple(
      fc.constant(keys),
      fc.array(fc.integer({ min: 0, max: keys - 1 }), { minLength: 1, maxLength: 14 }),
      fc.integer({ min: 1, max: keys })
    )),
    ([keys, requests, capacity]) => {
      const trace = `trace ${requests.join(' ')}, capacity ${capacity}`
      assert.equal(beladyHits(Int32Array.from(requests), keys, capacity), bruteForceOptimum(requests, capacity), trace)
    }
  ), { numRuns: 400 })
})

test('no real store beats MIN at the same capacity', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 200 }),
    fc.integer({ min: 1, max: 8 }),
    (requests, capacity) => {
      const stream = streamOf(requests, 12)
      const min = beladyHits(stream.requests, 12, capacity)
      for (const policy of POLICIES) {
        const hits = replayHits(policy, stream, capacity)
        assert.ok(hits <= min, `${policy}: ${hits} hits > MIN's ${min} on ${requests.join(' ')} (capacity ${capacity})`)
      }
    }
  ), { numRuns: 200 })
})

test('replay: with room for every key, each policy misses only the first request of each key', () => {
  const stream = streamOf([0, 1, 2, 0, 1, 2, 3, 0], 4)
  for (const policy of POLICIES) assert.equal(replayHits(policy, stream, 4), 4, policy)
})
