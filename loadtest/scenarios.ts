// Scenarios: which paths a run requests and how often. Each request draws its path from a
// seeded PRNG, so a run is varied (not one URL) yet reproducible.
import { mulberry32, type Random } from './prng.js'
import type { RequestCity } from './cities.js'

export const SCENARIO_NAMES = ['hot', 'uniform', 'zipf', 'cold'] as const
export type ScenarioName = typeof SCENARIO_NAMES[number]

export const ZIPF_LAWS = ['population', 'rank'] as const
/**
 * `population`: a city is requested in proportion to its inhabitants (people ask about where
 * they live). `rank`: the classic Zipf law, weight 1/rank^s, steeper at the head.
 */
export type ZipfLaw = typeof ZIPF_LAWS[number]

export interface ScenarioOptions {
  /** Distinct cities for uniform, zipf and cold. */
  cities: number
  zipfLaw: ZipfLaw
  /** Exponent s of the rank law (ignored by the population law). */
  zipfExponent: number
}

export interface Scenario {
  readonly name: ScenarioName
  readonly description: string
  /** Caches flushed and the app restarted right before the run, and no warm-up. */
  readonly coldStart: boolean
  /** Path segments (one per city) and their relative weights. */
  readonly segments: readonly string[]
  readonly weights: readonly number[]
}

export function zipfWeights (cities: readonly RequestCity[], law: ZipfLaw, exponent: number): number[] {
  if (law === 'population') return cities.map((city) => city.population)
  return cities.map((_, rank) => 1 / Math.pow(rank + 1, exponent))
}

/** `cities` must be sorted by descending population (selectCities does). */
export function buildScenario (name: ScenarioName, cities: readonly RequestCity[], options: ScenarioOptions): Scenario {
  const top = cities.slice(0, options.cities)
  if (top.length === 0) throw new RangeError('a scenario needs at least one city')
  const law = options.zipfLaw === 'population' ? 'weighted by population' : `Zipf rank law, s=${options.zipfExponent}`
  switch (name) {
    case 'hot':
      return { name, description: `one city (${top[0]!.name}), every request`, coldStart: false, segments: [top[0]!.segment], weights: [1] }
    case 'uniform':
      return { name, description: `${top.length} most populous cities, each equally likely`, coldStart: false, segments: top.map((c) => c.segment), weights: top.map(() => 1) }
    case 'zipf':
      return { name, description: `${top.length} most populous cities, ${law}`, coldStart: false, segments: top.map((c) => c.segment), weights: zipfWeights(top, options.zipfLaw, options.zipfExponent) }
    case 'cold':
      return { name, description: `zipf traffic on a just-restarted app with Redis flushed, no warm-up`, coldStart: true, segments: top.map((c) => c.segment), weights: zipfWeights(top, options.zipfLaw, options.zipfExponent) }
  }
}

/** Draws indices in proportion to weights: a cumulative table and a binary search, O(log n) per draw. */
export class WeightedPicker {
  readonly #cumulative: Float64Array
  readonly #total: number
  readonly #random: Random

  constructor (weights: readonly number[], random: Random) {
    if (weights.length === 0) throw new RangeError('expected at least one weight')
    this.#cumulative = new Float64Array(weights.length)
    let total = 0
    weights.forEach((w, i) => {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`expected finite non-negative weights, got ${w} at ${i}`)
      total += w
      this.#cumulative[i] = total
    })
    if (total <= 0) throw new RangeError('expected a positive total weight')
    this.#total = total
    this.#random = random
  }

  next (): number {
    const u = this.#random() * this.#total
    const c = this.#cumulative
    let lo = 0
    let hi = c.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (c[mid]! > u) hi = mid
      else lo = mid + 1
    }
    return lo
  }
}

/** A path source for one run: `prefix` + a segment drawn by weight. */
export function pathSource (scenario: Scenario, prefix: string, seed: number): () => string {
  const paths = scenario.segments.map((segment) => prefix + segment)
  const picker = new WeightedPicker(scenario.weights, mulberry32(seed))
  return () => paths[picker.next()]!
}

export interface ScenarioShape {
  distinctPaths: number
  /** Share of requests expected on the most requested path. */
  topPathShare: number
  /** Share of requests expected on the most requested 10% of paths (at least one). */
  top10PercentShare: number
}

export function describeShape (scenario: Scenario): ScenarioShape {
  const sorted = [...scenario.weights].sort((a, b) => b - a)
  const total = sorted.reduce((a, b) => a + b, 0)
  const head = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 10))).reduce((a, b) => a + b, 0)
  return { distinctPaths: sorted.length, topPathShare: sorted[0]! / total, top10PercentShare: head / total }
}
