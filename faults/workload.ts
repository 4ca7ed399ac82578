// What the fault matrix's load asks for: real cities, a hot set drawn by a Zipf rank law (the
// shape of real traffic: a few cities most of the time), and a steady trickle of cold keys —
// cities never requested before in this matrix, each asked once, so every one of them needs the
// provider. One workload serves every row: its cold cursor never hands out a city twice.
import { loadCities } from '../src/cities/dataset.js'
import { selectCities, type RequestCity } from '../loadtest/drive/cities.js'
import { deriveSeed, mulberry32 } from '../loadtest/drive/prng.js'
import { WeightedPicker, zipfWeights } from '../loadtest/drive/scenarios.js'
import type { NextRequest } from './traffic.js'

export interface WorkloadOptions {
  /** Cities in the hot set (the most populous ones). */
  hotCities: number
  /** Zipf exponent of the hot set's rank law. @default 1 */
  zipfExponent?: number
  /** Share of requests for a cold key, 0..1. */
  coldShare: number
  /** Cold cities available to the whole matrix (each used once). */
  coldCities: number
  /** @default 13 */
  seed?: number
}

export interface Workload {
  readonly hot: readonly RequestCity[]
  /** Cold cities not handed out yet. */
  coldLeft (): number
  /** The next never-requested city (for probes that need a fresh key too). */
  takeCold (): RequestCity
  /** A request source for one row's load: Zipf over the hot set, cold keys at `coldShare`. */
  requests (label: string): () => NextRequest
}

export function createWorkload (options: WorkloadOptions): Workload {
  const { hotCities, zipfExponent = 1, coldShare, coldCities, seed = 13 } = options
  if (!(Number.isInteger(hotCities) && hotCities >= 1)) throw new RangeError(`expected hotCities to be a positive integer, got ${hotCities}`)
  if (!(coldShare >= 0 && coldShare < 1)) throw new RangeError(`expected coldShare in [0, 1), got ${coldShare}`)
  if (!(Number.isInteger(coldCities) && coldCities >= 1)) throw new RangeError(`expected coldCities to be a positive integer, got ${coldCities}`)
  const cities = selectCities(loadCities(), hotCities + coldCities)
  const hot = cities.slice(0, hotCities)
  const hotPaths = hot.map((city) => `/weather/${city.segment}`)
  const weights = zipfWeights(hot, 'rank', zipfExponent)
  // Cold keys in a seeded shuffle of the rest, so they span the data set's populations.
  const cold = cities.slice(hotCities)
  const shuffle = mulberry32(deriveSeed(seed, 'cold-order'))
  for (let i = cold.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1))
    ;[cold[i], cold[j]] = [cold[j]!, cold[i]!]
  }
  let coldCursor = 0
  const takeCold = (): RequestCity => {
    if (coldCursor >= cold.length) throw new RangeError(`the workload's ${cold.length} cold cities are used up: raise coldCities`)
    return cold[coldCursor++]!
  }
  return {
    hot,
    coldLeft: () => cold.length - coldCursor,
    takeCold,
    requests (label) {
      const random = mulberry32(deriveSeed(seed, label))
      const picker = new WeightedPicker(weights, mulberry32(deriveSeed(seed, label, 'hot')))
      return () => {
        if (coldShare > 0 && random() < coldShare && coldCursor < cold.length) return { path: `/weather/${takeCold().segment}`, cold: true }
        return { path: hotPaths[picker.next()]!, cold: false }
      }
    }
  }
}
