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

/** An L1 slot: the entry and the monotonic time its freshness ends. */
export interface MemoryRecord {
  readonly entry: CacheEntry
  readonly expiresAt: number
}

export class MemoryStore {
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

  /** The fresh record for `key`, or undefined; an expired record is dropped on the way. */
  get (key: string): MemoryRecord | undefined {
    const record = this.#lru.get(key)
    if (record === undefined) return undefined
    if (record.expiresAt <= this.#clock.now()) {
      this.#lru.delete(key)
      return undefined
    }
    return record
  }

  set (key: string, entry: CacheEntry, ttlMs: number): void {
    if (ttlMs <= 0) return
    this.#lru.set(key, { entry, expiresAt: this.#clock.now() + ttlMs })
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
