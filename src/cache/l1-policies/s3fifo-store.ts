// L1 evicting by S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction",
// SOSP 2023): three FIFO queues. New records enter a small queue (10% of the bounds); most
// objects are requested once, and the small queue lets them go quickly ("quick demotion")
// without reaching the main queue. A record hit while in the small queue moves to the main
// queue when it reaches the small queue's tail; one that was not is evicted and its key kept
// in a ghost queue (keys only). A key found in the ghost queue goes straight to the main queue.
// The main queue is a FIFO with a 2-bit frequency (CLOCK with up to 3 second chances). A hit
// only bumps the frequency: no list surgery.
import type { MemoryRecord, MemoryStoreOptions } from '../memory-store.js'
import { NodeList, StoreNode } from './node-list.js'
import { PolicyStore } from './policy-store.js'

const SMALL = 0
const MAIN = 1
/** The small queue's share of both bounds (the paper's 10%). */
const SMALL_SHARE = 0.1
/** Frequency saturates here: 2 bits. */
const MAX_FREQUENCY = 3

export class S3FifoStore extends PolicyStore {
  readonly #small = new NodeList()
  readonly #main = new NodeList()
  /**
   * The ghost queue: keys evicted from the small queue, in a ring (slot → key) with an index
   * (key → slot). A ring, not a Map's insertion order: deleting a Map's oldest key over and over
   * leaves holes its iterator walks past, which made eviction O(n) at large capacities.
   */
  readonly #ghostRing: Array<string | undefined>
  readonly #ghostSlot = new Map<string, number>()
  #ghostNext = 0
  readonly #smallEntries: number
  readonly #smallBytes: number
  /** The ghost queue holds as many keys as the main queue holds records (the paper's sizing). */
  readonly #ghostEntries: number

  constructor (options: MemoryStoreOptions) {
    super(options)
    this.#smallEntries = Math.max(1, Math.round(options.maxEntries * SMALL_SHARE))
    this.#smallBytes = options.maxBytes * SMALL_SHARE
    this.#ghostEntries = Math.max(1, options.maxEntries - this.#smallEntries)
    this.#ghostRing = new Array<string | undefined>(this.#ghostEntries).fill(undefined)
  }

  protected hit (node: StoreNode): void {
    if (node.mark < MAX_FREQUENCY) node.mark++
  }

  // A new value in the same slot: it keeps its queue, place and frequency.
  protected replaced (node: StoreNode): void {
    this.#evictFor(0, 0, node)
  }

  protected insert (key: string, record: MemoryRecord, bytes: number): void {
    this.#evictFor(1, bytes, undefined)
    const node = new StoreNode(key, record, bytes)
    if (this.#ghostSlot.delete(key)) {
      node.queue = MAIN
      this.#main.pushHead(node)
    } else {
      this.#small.pushHead(node)
    }
    this.map.set(key, node)
  }

  /** Drops every record. The ghost keys stay: they are history of requests, not values. */
  clear (): void {
    this.map.clear()
    this.#small.clear()
    this.#main.clear()
  }

  get bytes (): number {
    return this.#small.bytes + this.#main.bytes
  }

  protected listOf (node: StoreNode): NodeList {
    return node.queue === SMALL ? this.#small : this.#main
  }

  /** Evicts until `entries` more records of `bytes` more fit; never `keep`. */
  #evictFor (entries: number, bytes: number, keep: StoreNode | undefined): void {
    while (this.map.size + entries > this.maxEntries || this.bytes + bytes > this.maxBytes) {
      const small = this.#small.length > 0 && (this.#small.length >= this.#smallEntries || this.#small.bytes >= this.#smallBytes || this.#main.length === 0)
      if (!(small ? this.#evictSmall(keep) : this.#evictMain(keep))) return
    }
  }

  /** The small queue's tail: to the main queue if it was hit there, else out (key to the ghost). */
  #evictSmall (keep: StoreNode | undefined): boolean {
    while (this.#small.tail !== undefined) {
      const node = this.#small.tail
      this.#small.remove(node)
      if (node.mark > 0 || node === keep) {
        // Promoted with its frequency spent: the main queue's own chances start afresh.
        node.mark = 0
        node.queue = MAIN
        this.#main.pushHead(node)
        continue
      }
      this.map.delete(node.key)
      this.#toGhost(node.key)
      return true
    }
    return this.#evictMain(keep)
  }

  /** CLOCK over the main queue: a record with frequency left goes round again with one less. */
  #evictMain (keep: StoreNode | undefined): boolean {
    if (this.#main.length === 0 || (this.#main.length === 1 && this.#main.head === keep)) return this.#small.length > 0 && this.#evictSmall(keep)
    // At most MAX_FREQUENCY + 1 laps: each spends one unit of every record's frequency.
    for (;;) {
      const node = this.#main.tail!
      if (node.mark > 0 || node === keep) {
        if (node !== keep) node.mark--
        this.#main.moveToHead(node)
        continue
      }
      this.#main.remove(node)
      this.map.delete(node.key)
      return true
    }
  }

  /** Remembers `key` in the ghost queue, forgetting its oldest key when full. */
  #toGhost (key: string): void {
    const slot = this.#ghostNext
    const oldest = this.#ghostRing[slot]
    // The slot's old key is forgotten unless it was readmitted, or remembered again since (another slot).
    if (oldest !== undefined && this.#ghostSlot.get(oldest) === slot) this.#ghostSlot.delete(oldest)
    this.#ghostRing[slot] = key
    this.#ghostSlot.set(key, slot)
    this.#ghostNext = slot + 1 === this.#ghostEntries ? 0 : slot + 1
  }
}
