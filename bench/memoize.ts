// Tip 6 (Python's functools.lru_cache): a pure function worth caching, and two bounded memoizers
// for it: lru-cache directly, and this project's L1 store (MemoryStore, what CACHE_STRATEGY=memory
// puts in front of the provider). Each counts its misses, so the benchmark can print hit rates.
import { LRUCache } from 'lru-cache'
import { coarseClock } from '../src/cache/clock.js'
import type { CacheEntry } from '../src/cache/entry.js'
import { MemoryStore } from '../src/cache/memory-store.js'

/** Rounds of FNV-1a over the key: sized so that one call costs ~2 µs on this VM (printed by the benchmark). */
export const EXPENSIVE_ROUNDS = 75

/** Pure and deterministic: the same key always gives the same string, so caching it is safe. */
export function expensive (key: string): string {
  let h = 0x811c9dc5
  for (let round = 0; round < EXPENSIVE_ROUNDS; round++) {
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i) + round
      h = Math.imul(h, 0x01000193)
    }
  }
  return key + ':' + (h >>> 0).toString(36)
}

export interface Memo {
  get (key: string): string
  misses: number
}

export class LruMemo implements Memo {
  misses = 0
  readonly #fn: (key: string) => string
  readonly #cache: LRUCache<string, string>

  constructor (fn: (key: string) => string, maxEntries: number) {
    this.#fn = fn
    this.#cache = new LRUCache<string, string>({ max: maxEntries })
  }

  get (key: string): string {
    const hit = this.#cache.get(key)
    if (hit !== undefined) return hit
    this.misses++
    const value = this.#fn(key)
    this.#cache.set(key, value)
    return value
  }
}

// MemoryStore keeps CacheEntry records with an expiry. The entry is built as a literal, without
// createEntry's SHA-1 ETag: a memoizer has no use for a validator, and hashing every miss would
// measure crypto, not the store. Its clock is the service's default (a coarse performance.now).
const HOUR_MS = 3_600_000

export class StoreMemo implements Memo {
  misses = 0
  readonly #fn: (key: string) => string
  readonly #store: MemoryStore

  constructor (fn: (key: string) => string, maxEntries: number) {
    this.#fn = fn
    this.#store = new MemoryStore({ maxEntries, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024, clock: { now: coarseClock(() => performance.now()) } })
  }

  get (key: string): string {
    const hit = this.#store.get(key)
    if (hit !== undefined) return hit.entry.body
    this.misses++
    const body = this.#fn(key)
    const entry: CacheEntry = { body, etag: '', storedAt: 0 }
    this.#store.set(key, entry, { freshMs: HOUR_MS })
    return body
  }
}
