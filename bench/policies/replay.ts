// Replays a stream through a real L1 store, the one the service would run (src/cache/l1-policies/),
// as the engine uses it: get, and on a miss set. Capacity is in entries: every value is the same
// entry (equal sizes), the byte bound is far away, and the clock stands still (no expiry), so
// only the eviction policy decides what is kept. Every request counts, the first (cold) ones too.
import { L1_POLICIES, type L1PolicyName } from '../../src/config.js'
import { createEntry } from '../../src/cache/entry.js'
import { createL1Store } from '../../src/cache/l1-policies/create-l1-store.js'
import type { Lifetime } from '../../src/cache/memory-store.js'
import type { Stream } from './stream.js'

export const POLICIES: readonly L1PolicyName[] = L1_POLICIES

const ENTRY = createEntry('{"temperatureC":21.5,"condition":"clear"}', 0)
const FOREVER: Lifetime = { freshMs: 1e12 }
const STILL = { now: () => 0 }

/** Hits of `policy` with room for `capacity` entries over `stream`. */
export function replayHits (policy: L1PolicyName, stream: Stream, capacity: number): number {
  const store = createL1Store(policy, { maxEntries: capacity, maxBytes: 2 ** 50, maxEntryBytes: 2 ** 20, clock: STILL })
  const { requests, keys } = stream
  let hits = 0
  for (let i = 0; i < requests.length; i++) {
    const key = keys[requests[i]!]!
    if (store.get(key) !== undefined) hits++
    else store.set(key, ENTRY, FOREVER)
  }
  return hits
}
