// L1 evicting by SIEVE (Zhang et al., "SIEVE is Simpler than LRU", NSDI 2024): one FIFO queue,
// a visited bit per record and a hand. A hit only sets the bit — no list surgery, cheaper than
// LRU's move-to-front. Eviction walks the hand from the oldest record towards the newest,
// clearing bits, and evicts the first record not visited since the hand last passed; the hand
// stays there, so new records (at the head) are examined last. Survivors keep their place:
// one-hit records inserted since then are evicted first (the "lazy promotion, quick demotion"
// that makes it resist scans better than LRU).
import type { Clock } from '../clock.js'
import type { CacheEntry } from '../entry.js'
import type { L1Store, Lifetime, MemoryRecord, MemoryStoreOptions } from '../memory-store.js'
import { checkStoreOptions, recordBytes, recordOf } from './l1-record.js'
import { NodeList, StoreNode } from './node-list.js'

export class SieveStore implements L1Store {
  readonly #map = new Map<string, StoreNode>()
  readonly #queue = new NodeList()
  readonly #clock: Clock
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #maxEntryBytes: number
  /** The next record the hand examines; undefined = start again from the tail (oldest). */
  #hand: StoreNode | undefined = undefined

  constructor (options: MemoryStoreOptions) {
    this.#maxEntryBytes = checkStoreOptions(options)
    this.#maxEntries = options.maxEntries
    this.#maxBytes = options.maxBytes
    this.#clock = options.clock
  }

  get (key: string): MemoryRecord | undefined {
    const node = this.#map.get(key)
    if (node === undefined) return undefined
    const record = node.record
    if (record.staleUntil <= this.#clock.now()) {
      this.#remove(node)
      return undefined
    }
    node.mark = 1
    return record
  }

  set (key: string, entry: CacheEntry, lifetime: Lifetime): MemoryRecord | undefined {
    const record = recordOf(entry, lifetime, this.#clock.now())
    if (record === undefined) return undefined
    const bytes = recordBytes(entry)
    const existing = this.#map.get(key)
    if (bytes > this.#maxEntryBytes) {
      // As lru-cache does: a value too large to keep also drops the older one.
      if (existing !== undefined) this.#remove(existing)
      return undefined
    }
    if (existing !== undefined) {
      // A new value in the same slot: it keeps its place and its visited bit.
      this.#queue.reweigh(existing, bytes)
      existing.bytes = bytes
      existing.record = record
      this.#evictFor(0, 0, existing)
      return record
    }
    this.#evictFor(1, bytes, undefined)
    const node = new StoreNode(key, record, bytes)
    this.#queue.pushHead(node)
    this.#map.set(key, node)
    return record
  }

  delete (key: string): boolean {
    const node = this.#map.get(key)
    if (node === undefined) return false
    this.#remove(node)
    return true
  }

  clear (): void {
    this.#map.clear()
    this.#queue.clear()
    this.#hand = undefined
  }

  get size (): number {
    return this.#queue.length
  }

  get bytes (): number {
    return this.#queue.bytes
  }

  /** Evicts until `entries` more records of `bytes` more fit; never `keep`. */
  #evictFor (entries: number, bytes: number, keep: StoreNode | undefined): void {
    while (this.#queue.length + entries > this.#maxEntries || this.#queue.bytes + bytes > this.#maxBytes) {
      if (!this.#evictOne(keep)) return
    }
  }

  #evictOne (keep: StoreNode | undefined): boolean {
    if (this.#queue.length === 0 || (this.#queue.length === 1 && this.#queue.head === keep)) return false
    let node = this.#hand ?? this.#queue.tail!
    // At most two laps: the first clears every bit, the second finds a record.
    while (node.mark === 1 || node === keep) {
      node.mark = 0
      node = node.prev ?? this.#queue.tail!
    }
    this.#hand = node.prev
    this.#remove(node)
    return true
  }

  #remove (node: StoreNode): void {
    if (this.#hand === node) this.#hand = node.prev
    this.#queue.remove(node)
    this.#map.delete(node.key)
  }
}
