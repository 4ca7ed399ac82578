// Belady's MIN (Belady, "A study of replacement algorithms for a virtual-storage computer", IBM
// Systems Journal 1966), computed offline: knowing the whole trace, keep the keys whose next
// request comes soonest. The ceiling no online policy can beat at the same capacity.
// With bypass: a requested key whose next use is farther than every cached key's is not kept
// (nor is one never requested again). The stores may decline a key too (W-TinyLFU's admission),
// so the bound has to allow it; it is the optimum over every policy that fetches on demand
// (checked against a brute-force search in test/bench/policies-belady.test.ts).
// O(n log n): next-use indices in one backward pass, then a max-heap of (next use, key) with
// lazy deletion (an entry is current only while it matches the key's recorded next use).

/** For each request i, the index of the next request for the same key, or `requests.length`. */
export function nextUses (requests: Int32Array, keyCount: number): Int32Array {
  const n = requests.length
  const next = new Int32Array(n)
  const last = new Int32Array(keyCount).fill(n)
  for (let i = n - 1; i >= 0; i--) {
    const key = requests[i]!
    next[i] = last[key]!
    last[key] = i
  }
  return next
}

/** A max-heap of (priority, key) pairs in typed arrays. */
class MaxHeap {
  #priority: Int32Array
  #key: Int32Array
  size = 0

  constructor (capacity: number) {
    this.#priority = new Int32Array(Math.max(16, capacity))
    this.#key = new Int32Array(Math.max(16, capacity))
  }

  push (priority: number, key: number): void {
    if (this.size === this.#priority.length) this.#grow()
    let i = this.size++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.#priority[parent]! >= priority) break
      this.#priority[i] = this.#priority[parent]!
      this.#key[i] = this.#key[parent]!
      i = parent
    }
    this.#priority[i] = priority
    this.#key[i] = key
  }

  get topPriority (): number { return this.#priority[0]! }
  get topKey (): number { return this.#key[0]! }

  pop (): void {
    const last = --this.size
    const priority = this.#priority[last]!
    const key = this.#key[last]!
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= last) break
      if (child + 1 < last && this.#priority[child + 1]! > this.#priority[child]!) child++
      if (this.#priority[child]! <= priority) break
      this.#priority[i] = this.#priority[child]!
      this.#key[i] = this.#key[child]!
      i = child
    }
    this.#priority[i] = priority
    this.#key[i] = key
  }

  #grow (): void {
    const priority = new Int32Array(this.#priority.length * 2)
    const key = new Int32Array(this.#key.length * 2)
    priority.set(this.#priority)
    key.set(this.#key)
    this.#priority = priority
    this.#key = key
  }
}

/** Hits of Belady's MIN (with bypass) on `requests` with room for `capacity` keys. */
export function beladyHits (requests: Int32Array, keyCount: number, capacity: number): number {
  const n = requests.length
  const next = nextUses(requests, keyCount)
  /** The next use of each cached key; -1 = not cached. */
  const cachedNext = new Int32Array(keyCount).fill(-1)
  const heap = new MaxHeap(capacity * 2)
  let cached = 0
  let hits = 0
  for (let i = 0; i < n; i++) {
    const key = requests[i]!
    const nextUse = next[i]!
    if (cachedNext[key]! >= 0) {
      hits++
      cachedNext[key] = nextUse
      heap.push(nextUse, key)
      continue
    }
    if (nextUse === n) continue // never asked for again: keeping it cannot pay
    if (cached === capacity) {
      // Drop stale heap entries until the top is a cached key's current next use.
      while (cachedNext[heap.topKey] !== heap.topPriority) heap.pop()
      if (heap.topPriority <= nextUse) continue // bypass: every cached key is needed sooner
      cachedNext[heap.topKey] = -1
      heap.pop()
      cached--
    }
    cachedNext[key] = nextUse
    heap.push(nextUse, key)
    cached++
  }
  return hits
}
