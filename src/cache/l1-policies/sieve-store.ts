// L1 evicting by SIEVE (Zhang et al., "SIEVE is Simpler than LRU", NSDI 2024): one FIFO queue,
// a visited bit per record and a hand. A hit only sets the bit — no list surgery, cheaper than
// LRU's move-to-front. Eviction walks the hand from the oldest record towards the newest,
// clearing bits, and evicts the first record not visited since the hand last passed; the hand
// stays there, so new records (at the head) are examined last. Survivors keep their place:
// one-hit records inserted since then are evicted first (the "lazy promotion, quick demotion"
// that makes it resist scans better than LRU).
import type { MemoryRecord } from '../memory-store.js'
import { NodeList, StoreNode } from './node-list.js'
import { PolicyStore } from './policy-store.js'

export class SieveStore extends PolicyStore {
  readonly #queue = new NodeList()
  /** The next record the hand examines; undefined = start again from the tail (oldest). */
  #hand: StoreNode | undefined = undefined

  clear (): void {
    this.map.clear()
    this.#queue.clear()
    this.#hand = undefined
  }

  get bytes (): number {
    return this.#queue.bytes
  }

  protected listOf (): NodeList {
    return this.#queue
  }

  protected hit (node: StoreNode): void {
    node.mark = 1
  }

  // A new value in the same slot: it keeps its place and its visited bit.
  protected replaced (node: StoreNode): void {
    this.#evictFor(0, 0, node)
  }

  protected insert (key: string, record: MemoryRecord, bytes: number): void {
    this.#evictFor(1, bytes, undefined)
    const node = new StoreNode(key, record, bytes)
    this.#queue.pushHead(node)
    this.map.set(key, node)
  }

  /** Evicts until `entries` more records of `bytes` more fit; never `keep`. */
  #evictFor (entries: number, bytes: number, keep: StoreNode | undefined): void {
    while (this.#queue.length + entries > this.maxEntries || this.#queue.bytes + bytes > this.maxBytes) {
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
    this.remove(node)
    return true
  }

  protected override remove (node: StoreNode): void {
    if (this.#hand === node) this.#hand = node.prev
    super.remove(node)
  }
}
