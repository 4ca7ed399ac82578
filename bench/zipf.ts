// Zipf-distributed ranks: the k-th most popular key drawn with weight 1/k^s, the repeats that make
// a cache worth having (a few hot keys, a long tail). Seeded (mulberry32), so every run and every
// variant sees the same sequence.
import { mulberry32 } from '../loadtest/drive/prng.js'

/** `count` ranks in [0, universe), rank 0 the most popular. */
export function zipfRanks (universe: number, count: number, { exponent = 1, seed = 1 } = {}): Int32Array {
  const cdf = new Float64Array(universe)
  let total = 0
  for (let k = 0; k < universe; k++) {
    total += 1 / Math.pow(k + 1, exponent)
    cdf[k] = total
  }
  const random = mulberry32(seed)
  const ranks = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    // The first k with cdf[k] > u: binary search.
    const u = random() * total
    let lo = 0
    let hi = universe - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid]! > u) hi = mid
      else lo = mid + 1
    }
    ranks[i] = lo
  }
  return ranks
}
