// L1 evicting by W-TinyLFU (Einziger, Friedman & Manes, ACM TOS 2017; the policy of Java's
// Caffeine): a small window LRU (1% of the entries) in front of a segmented LRU main space
// (80% protected, 20% probation), and an admission filter between them. A record leaving the
// window is a candidate for the main space: when that is full, it must be asked for more often
// (a count-min sketch with aging, frequency-sketch.ts) than the main space's victim, or it is
// dropped instead. The window catches bursts of new keys; the filter keeps one-hit keys (a
// scan) from pushing out the frequently used ones.
// Not done here: Caffeine's hill climber (adapts the window's share to the workload), its
// doorkeeper Bloom filter, and its random admission against hash flooding.
import type { MemoryRecord, MemoryStoreOptions } from '../memory-store.js'
import { FrequencySketch, hashKey } from './frequency-sketch.js'
import { NodeList, StoreNode } from './node-list.js'
import { PolicyStore } from './policy-store.js'

const WINDOW = 0
const PROBATION = 1
const PROTECTED = 2
/** The window's share of the entries (Caffeine's starting point). */
const WINDOW_SHARE = 0.01
/** The protected segment's share of the main space. */
const PROTECTED_SHARE = 0.8

export class TinyLfuStore extends PolicyStore {
  readonly #window = new NodeList()
  readonly #probation = new NodeList()
  readonly #protected = new NodeList()
  readonly #sketch: FrequencySketch
  readonly #windowEntries: number
  readonly #protectedEntries: number

  constructor (options: MemoryStoreOptions) {
    super(options)
    this.#windowEntries = Math.max(1, Math.round(options.maxEntries * WINDOW_SHARE))
    this.#protectedEntries = Math.floor((options.maxEntries - this.#windowEntries) * PROTECTED_SHARE)
    this.#sketch = new FrequencySketch(options.maxEntries)
  }

  // A miss is a request too: the count that later decides the key's admission.
  protected override missed (key: string): void {
    this.#sketch.increment(hashKey(key))
  }

  protected override requested (node: StoreNode): void {
    this.#sketch.increment(node.hash)
  }

  protected hit (node: StoreNode): void {
    this.#touch(node)
  }

  // A new value in the same slot: it stays in its segment, as the most recent there.
  protected replaced (node: StoreNode): void {
    this.listOf(node).moveToHead(node)
    this.#evictFor(node)
  }

  protected insert (key: string, record: MemoryRecord, bytes: number): void {
    const node = new StoreNode(key, record, bytes, hashKey(key))
    this.#window.pushHead(node)
    this.map.set(key, node)
    // The window's overflow: its least recent records, candidates for the main space.
    while (this.#window.length > this.#windowEntries) this.#admit(this.#window.tail!, node)
    this.#evictFor(node)
  }

  /** Drops every record. The sketch stays: it is history of requests, not values. */
  clear (): void {
    this.map.clear()
    this.#window.clear()
    this.#probation.clear()
    this.#protected.clear()
  }

  get bytes (): number {
    return this.#window.bytes + this.#probation.bytes + this.#protected.bytes
  }

  protected listOf (node: StoreNode): NodeList {
    return node.queue === WINDOW ? this.#window : node.queue === PROBATION ? this.#probation : this.#protected
  }

  /** A hit: most recent in the window or protected; from probation up to protected. */
  #touch (node: StoreNode): void {
    // Most hits are on protected records: that case first.
    if (node.queue === PROTECTED) {
      this.#protected.moveToHead(node)
      return
    }
    if (node.queue === WINDOW) {
      this.#window.moveToHead(node)
      return
    }
    this.#probation.remove(node)
    node.queue = PROTECTED
    this.#protected.pushHead(node)
    // Protected over its share: its least recent record goes back on probation.
    while (this.#protected.length > this.#protectedEntries && this.#protected.tail !== undefined) {
      const demoted = this.#protected.tail
      this.#protected.remove(demoted)
      demoted.queue = PROBATION
      this.#probation.pushHead(demoted)
    }
  }

  /**
   * `candidate` leaves the window. While the main space is full it duels the main space's victim
   * (probation's least recent, else protected's): the one asked for less often goes (a tie
   * evicts the candidate: the incumbent has proven itself longer). Never evicts `keep`.
   */
  #admit (candidate: StoreNode, keep: StoreNode): void {
    this.#window.remove(candidate)
    candidate.queue = PROBATION
    const mainEntries = this.maxEntries - this.#windowEntries
    let candidateFrequency = -1
    while (this.#probation.length + this.#protected.length >= mainEntries || this.#overBytes(candidate.bytes)) {
      const victim = this.#probation.tail ?? this.#protected.tail
      if (victim === undefined) break
      if (candidateFrequency < 0) candidateFrequency = this.#sketch.frequency(candidate.hash)
      if (candidateFrequency <= this.#sketch.frequency(victim.hash) && candidate !== keep) {
        this.map.delete(candidate.key)
        return
      }
      this.remove(victim)
    }
    this.#probation.pushHead(candidate)
  }

  #overBytes (more: number): boolean {
    return this.bytes + more > this.maxBytes
  }

  /** Over a bound after a set (bytes, mostly): evicts main victims, then window records; never `keep`. */
  #evictFor (keep: StoreNode): void {
    while (this.map.size > this.maxEntries || this.#overBytes(0)) {
      const victim = [this.#probation.tail, this.#protected.tail, this.#window.tail, this.#window.tail?.prev].find((n) => n !== undefined && n !== keep)
      if (victim === undefined) return
      this.remove(victim)
    }
  }
}
