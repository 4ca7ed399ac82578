// A seeded PRNG: the same seed draws the same sequence of request paths, run after run.

/** A uniform draw in [0, 1). */
export type Random = () => number

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, full 2^32 period, passes
 * gjrand/PractRand at the sizes a load test draws, and one multiply-xorshift per call,
 * cheap enough to run once per request inside autocannon's setupRequest.
 */
export function mulberry32 (seed: number): Random {
  let state = seed >>> 0
  return function next (): number {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seed derived from a base seed and labels, so warm-up and each repetition draw their own streams. */
export function deriveSeed (seed: number, ...labels: Array<string | number>): number {
  // FNV-1a over the labels, mixed into the base seed.
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (const label of labels) {
    const text = String(label) + '\u0000'
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
  }
  return h
}
