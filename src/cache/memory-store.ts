// L1: in-process, bounded by entry count *and* bytes (lru-cache does the LRU bookkeeping),
// with expiry checked against an injected monotonic clock.
import { LRUCache } from 'lru-cache'
import type { Clock } from './clock.js'
import type { CacheEntry } from './entry.js'

export interface MemoryStoreOptions {
  /** Most entries kept; least recently used go first. */
  maxEntries: number
  /** Most bytes of bodies kept. */
  maxBytes: number
  /** Larger bodies are not kept at all. */
  maxEntryBytes: number
  clock: Clock
}

/**
 * An L1 slot: the entry, when its freshness ends, and until when it may still be served stale
 * (grace: RFC 5861 stale-while-revalidate / stale-if-error). Monotonic milliseconds.
 */
export interface MemoryRecord {
  readonly entry: CacheEntry
  readonly freshUntil: number
  readonly staleUntil: number
  /** How long the origin took to produce it, ms: XFetch's delta. */
  readonly deltaMs: number
}

/** The three numbers a record is stored with. */
export interface Lifetime {
  /** Fresh (logical TTL), ms. */
  freshMs: number
  /** Served stale after that, ms. @default 0 */
  graceMs?: number
  /** Recompute time, ms. @default 0 */
  deltaMs?: number
}

/**
 * What the engine needs of an L1, whatever its eviction policy (src/cache/l1-policies/): bounded
 * by entries *and* bytes, expiry on the injected monotonic clock, a record past its grace dropped
 * on get. test/cache/l1-store-contract.ts holds every implementation to the same behaviour.
 */
export interface L1Store {
  /** The record while it may be served (fresh, or stale within grace), or undefined. */
  get (key: string): MemoryRecord | undefined
  /**
   * Stores `entry`: the record built for it, or undefined when its lifetime leaves nothing to
   * serve. A record over the per-entry bound is not kept (get will not return it, nor an older one).
   */
  set (key: string, entry: CacheEntry, lifetime: Lifetime): MemoryRecord | undefined
  delete (key: string): boolean
  clear (): void
  /** Records held (expired ones included until read or evicted). */
  readonly size: number
  /** Bytes counted against the bound: body length + 64 per record. */
  readonly bytes: number
}

export class MemoryStore implements L1Store {
  readonly #lru: LRUCache<string, MemoryRecord>
  readonly #clock: Clock

  constructor ({ maxEntries, maxBytes, maxEntryBytes, clock }: MemoryStoreOptions) {
    if (!(maxEntries >= 1)) throw new TypeError(`expected maxEntries to be >= 1, got ${maxEntries}`)
    if (!(maxBytes >= 1)) throw new TypeError(`expected maxBytes to be >= 1, got ${maxBytes}`)
    this.#clock = clock
    this.#lru = new LRUCache<string, MemoryRecord>({
      max: maxEntries,
      maxSize: maxBytes,
      maxEntrySize: Math.min(maxEntryBytes, maxBytes),
      sizeCalculation: (record) => record.entry.body.length + 64
    })
  }

  /**
   * The record for `key` while it may be served (fresh, or stale within grace), or undefined;
   * a record past its grace is dropped on the way. The caller compares `freshUntil` with now.
   */
  get (key: string): MemoryRecord | undefined {
    const record = this.#lru.get(key)
    if (record === undefined) return undefined
    if (record.staleUntil <= this.#clock.now()) {
      this.#lru.delete(key)
      return undefined
    }
    return record
  }

  set (key: string, entry: CacheEntry, { freshMs, graceMs = 0, deltaMs = 0 }: Lifetime): MemoryRecord | undefined {
    if (freshMs + graceMs <= 0) return undefined
    const now = this.#clock.now()
    const record: MemoryRecord = { entry, freshUntil: now + freshMs, staleUntil: now + Math.max(0, freshMs) + graceMs, deltaMs }
    this.#lru.set(key, record)
    return record
  }

  delete (key: string): boolean {
    return this.#lru.delete(key)
  }

  clear (): void {
    this.#lru.clear()
  }

  get size (): number {
    return this.#lru.size
  }

  get bytes (): number {
    return this.#lru.calculatedSize
  }
}
