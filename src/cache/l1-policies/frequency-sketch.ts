// TinyLFU's memory of how often each key was asked for (Einziger, Friedman & Manes, "TinyLFU: A
// Highly Efficient Cache Admission Policy", ACM TOS 2017): a count-min sketch of 4 counters per
// key, each saturating at 15 (4-bit counts, a byte each), 16 counters per record the cache holds
// (Caffeine's sizing: fewer fill up under a scan of one-hit keys until every key looks as popular
// as the hot ones). As in Caffeine, a key's 4 counters lie in one 64-byte block (a cache line),
// one in each quarter of 16: an increment touches one cache line instead of four, which a get
// (hit) pays for, and each counter still has 16 places to fall in.
// Aging: after 10 × capacity increments every counter is halved, so popularity fades and a key
// that was hot an hour ago does not keep its place forever (the paper's "reset" operation).
const MAX_COUNT = 15
/** Counters per record of capacity. */
const COUNTERS_PER_RECORD = 16
/** A key's block: 4 quarters of 16 counters, one counter in each quarter. */
const BLOCK = 64
/** Increments between two halvings, per record of capacity (the paper's W/C = 10). */
const SAMPLE_FACTOR = 10

/** A 32-bit hash of a string: FNV-1a, then murmur3's finalizer to spread short keys' bits. */
export function hashKey (key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export class FrequencySketch {
  readonly #counters: Uint8Array
  /** Mask of a block's index (blocks are a power of two). */
  readonly #blockMask: number
  readonly #sampleSize: number
  #additions = 0

  /** Sized for `capacity` records: a power of two of at least 16 × `capacity` counters. */
  constructor (capacity: number) {
    let blocks = 1
    while (blocks * BLOCK < COUNTERS_PER_RECORD * capacity) blocks *= 2
    this.#blockMask = blocks - 1
    this.#counters = new Uint8Array(blocks * BLOCK)
    this.#sampleSize = SAMPLE_FACTOR * Math.max(1, capacity)
  }

  /** Counts one request for the key of `hash`. */
  increment (hash: number): void {
    // The block from the hash's own bits; the counter in each quarter from a second, mixed hash.
    const base = (hash & this.#blockMask) * BLOCK
    const h2 = Math.imul(hash ^ (hash >>> 16), 0x9e3779b1)
    const counters = this.#counters
    let added = false
    for (let i = 0; i < 4; i++) {
      const index = base + (i << 4) + ((h2 >>> (i << 3)) & 15)
      if (counters[index]! < MAX_COUNT) {
        counters[index]!++
        added = true
      }
    }
    if (added && ++this.#additions >= this.#sampleSize) this.#age()
  }

  /** Estimated requests for the key of `hash` since the counts were last halved (an upper bound). */
  frequency (hash: number): number {
    const base = (hash & this.#blockMask) * BLOCK
    const h2 = Math.imul(hash ^ (hash >>> 16), 0x9e3779b1)
    let min = MAX_COUNT
    for (let i = 0; i < 4; i++) {
      const count = this.#counters[base + (i << 4) + ((h2 >>> (i << 3)) & 15)]!
      if (count < min) min = count
    }
    return min
  }

  #age (): void {
    const counters = this.#counters
    for (let i = 0; i < counters.length; i++) counters[i] = counters[i]! >>> 1
    this.#additions = this.#additions >>> 1
  }
}
