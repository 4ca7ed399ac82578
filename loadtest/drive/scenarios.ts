// Scenarios: which paths a run requests and how often. Each request draws its path from a
// seeded PRNG, so a run is varied (not one URL) yet reproducible.
import { mulberry32, type Random } from './prng.js'
import type { RequestCity } from './cities.js'

export const SCENARIO_NAMES = [
  'hot', 'uniform', 'zipf', 'cold', 'stampede', 'expiry-storm', 'expiry-storm-jittered', 'expiry-storm-hard', 'origin-outage', 'purge'
] as const
export type ScenarioName = typeof SCENARIO_NAMES[number]

/** What a plain run measures: the steady-state scenarios and cold. The storms are asked for by name. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = Object.freeze(['hot', 'uniform', 'zipf', 'cold'])

/** Scenarios that restart the app (with their own environment) or flush Redis: native stack only. */
export const NATIVE_ONLY_SCENARIOS: readonly ScenarioName[] = Object.freeze([
  'cold', 'stampede', 'expiry-storm', 'expiry-storm-jittered', 'expiry-storm-hard', 'origin-outage', 'purge'
])

/** Scenarios that act on the provider while the load runs: the run puts the load test's provider
 * proxy (loadtest/bed/provider-proxy.ts) in front of it, and answers carry its stamps. */
export const PROVIDER_CONTROL_SCENARIOS: readonly ScenarioName[] = Object.freeze(['origin-outage', 'purge'])

/**
 * How the runner measures a scenario. `steady`: prime, warm up, then one closed-loop (or
 * fixed-rate) run. `stampede`: waves of simultaneous requests, one cold key each. `expiry`:
 * prime a hot set at one moment, then run across the moment its TTL ends. `outage`: prime a hot
 * set with a short TTL, then run while the provider fails for a while and recovers. `purge`:
 * steady traffic during which one key's data changes and the key is purged.
 */
export type ScenarioKind = 'steady' | 'stampede' | 'expiry' | 'outage' | 'purge'

/** The storms' settings, defaulted here (loadtest/options.ts spreads them into its DEFAULTS). */
export const STORM_DEFAULTS = Object.freeze({
  /** Hot set of the expiry storms: the N most populous cities, each equally likely. */
  stormCities: 200,
  /** CACHE_TTL_SECONDS of the app during the expiry storms: short, so that it ends mid-run. */
  stormTtlSeconds: 3,
  /** Simultaneous requests (one per connection) in each stampede wave. */
  stampedeConnections: 200,
  /** Stampede waves per run, each on another cold city. */
  stampedeWaves: 5,
  /** origin-outage: seconds the provider answers 503, longer than the storm TTL so that every
   * key of the hot set goes stale while it lasts. */
  outageSeconds: 5
})

/** origin-outage's timeline around the outage: steady before it, the recovery after it. */
export const OUTAGE_TIMING = Object.freeze({ leadSeconds: 1, recoverySeconds: 3 })

/** purge: the purged key's share of the requests (it is the most populous city), and when in the
 * run it is purged (a fraction of --duration). */
export const PURGE_PLAN = Object.freeze({ share: 0.1, atFraction: 0.4 })

/** The bearer token the purge scenario gives the app (PURGE_TOKEN) and sends with its DELETE. */
export const PURGE_TOKEN = 'cachestack-loadtest-purge-token'

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
  stormCities: number
  stormTtlSeconds: number
  stampedeConnections: number
  stampedeWaves: number
  outageSeconds: number
}

export interface StampedePlan {
  /** Requests sent at once, one per connection, all for the wave's city. */
  connections: number
  /** Waves, one cold city each (segments[i] for wave i). */
  waves: number
}

export interface ExpiryPlan {
  /** The app's CACHE_TTL_SECONDS during the run. */
  ttlSeconds: number
  /** The app's CACHE_TTL_JITTER, or null when the app's default is kept. */
  jitter: number | null
}

export interface OutagePlan {
  /** The provider fails from this second of the measured run… */
  fromSeconds: number
  /** …to this one; the run goes on for the recovery after it. */
  toSeconds: number
  /** The whole measured run (it does not follow --duration). */
  runSeconds: number
  /** The app's CACHE_TTL_SECONDS: an answer older than this is stale. */
  ttlSeconds: number
}

export interface PurgePlan {
  /** The purged city's path segment (the most populous city). */
  segment: string
  /** The provider's id of that city: its answers are recognized by it. */
  cityId: number
  /** When in the measured run the purge is sent, as a fraction of its duration. */
  atFraction: number
}

export interface Scenario {
  readonly name: ScenarioName
  readonly description: string
  readonly kind: ScenarioKind
  /** Caches flushed and the app restarted right before the run, and no warm-up. */
  readonly coldStart: boolean
  /** App environment on top of the harness's own (the same for every target, peers included). */
  readonly appEnv: Readonly<Record<string, string>>
  readonly stampede: StampedePlan | null
  readonly expiry: ExpiryPlan | null
  /** origin-outage only. @default undefined */
  readonly outage?: OutagePlan | null
  /** purge only. @default undefined */
  readonly purge?: PurgePlan | null
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
  const steady = { kind: 'steady', appEnv: {}, stampede: null, expiry: null } as const
  switch (name) {
    case 'hot':
      return { name, description: `one city (${top[0]!.name}), every request`, coldStart: false, ...steady, segments: [top[0]!.segment], weights: [1] }
    case 'uniform':
      return {
        name,
        description: `${top.length} most populous cities, each equally likely`,
        coldStart: false,
        ...steady,
        segments: top.map((c) => c.segment),
        weights: top.map(() => 1)
      }
    case 'zipf':
      return {
        name,
        description: `${top.length} most populous cities, ${law}`,
        coldStart: false,
        ...steady,
        segments: top.map((c) => c.segment),
        weights: zipfWeights(top, options.zipfLaw, options.zipfExponent)
      }
    case 'cold':
      return {
        name,
        description: 'zipf traffic on a just-restarted app with Redis flushed, no warm-up',
        coldStart: true,
        ...steady,
        segments: top.map((c) => c.segment),
        weights: zipfWeights(top, options.zipfLaw, options.zipfExponent)
      }
    case 'stampede': {
      // Its own city list: the waves need cold keys, not the steady scenarios' --cities.
      const wave = cities.slice(0, options.stampedeWaves)
      return {
        name,
        description: `${wave.length} wave(s) of ${options.stampedeConnections} simultaneous requests for one cold city each (${wave[0]!.name} first), ` +
          'on a just-restarted app with Redis flushed',
        kind: 'stampede',
        coldStart: true,
        appEnv: {},
        stampede: { connections: options.stampedeConnections, waves: wave.length },
        expiry: null,
        segments: wave.map((c) => c.segment),
        weights: wave.map(() => 1)
      }
    }
    case 'expiry-storm':
    case 'expiry-storm-jittered':
    case 'expiry-storm-hard': {
      const hot = cities.slice(0, options.stormCities)
      const jitter = name === 'expiry-storm-jittered' ? null : 0
      // CACHE_TTL_JITTER=0: every key of the hot set, filled within the priming's fraction of a
      // second, expires within that same fraction: the storm at its worst. The jittered variant
      // keeps the app's default jitter (peers have none: they get the same TTL and grace). The
      // hard one has no grace: nothing stale may be served, requests wait on the refresh.
      const appEnv: Record<string, string> = { CACHE_TTL_SECONDS: String(options.stormTtlSeconds) }
      if (jitter !== null) appEnv.CACHE_TTL_JITTER = String(jitter)
      if (name === 'expiry-storm-hard') appEnv.CACHE_GRACE_SECONDS = '0'
      return {
        name,
        description: `${hot.length} most populous cities, each equally likely, all filled at once with a ${options.stormTtlSeconds} s TTL ` +
          `(${jitter === null ? 'default TTL jitter' : 'no TTL jitter'}${name === 'expiry-storm-hard' ? ', no grace' : ''}), measured across their expiry`,
        kind: 'expiry',
        coldStart: false,
        appEnv: Object.freeze(appEnv),
        stampede: null,
        expiry: { ttlSeconds: options.stormTtlSeconds, jitter },
        segments: hot.map((c) => c.segment),
        weights: hot.map(() => 1)
      }
    }
    case 'origin-outage': {
      const hot = cities.slice(0, options.stormCities)
      const { leadSeconds, recoverySeconds } = OUTAGE_TIMING
      const toSeconds = leadSeconds + options.outageSeconds
      return {
        name,
        description: `${hot.length} most populous cities, each equally likely, all filled at once with a ${options.stormTtlSeconds} s TTL; ` +
          `the provider answers 503 from ${leadSeconds} s to ${toSeconds} s of the run, then recovers for ${recoverySeconds} s`,
        kind: 'outage',
        coldStart: false,
        // Default jitter and grace: the grace (600 s) outlasts the outage, as stale-if-error needs.
        appEnv: Object.freeze({ CACHE_TTL_SECONDS: String(options.stormTtlSeconds) }),
        stampede: null,
        expiry: null,
        outage: { fromSeconds: leadSeconds, toSeconds, runSeconds: toSeconds + recoverySeconds, ttlSeconds: options.stormTtlSeconds },
        segments: hot.map((c) => c.segment),
        weights: hot.map(() => 1)
      }
    }
    case 'purge': {
      // Zipf traffic, except that the purged key (the most populous city) takes a fixed share:
      // often enough asked for to time its first fresh answer within a few milliseconds.
      const weights = zipfWeights(top, options.zipfLaw, options.zipfExponent)
      const rest = weights.slice(1).reduce((a, b) => a + b, 0)
      const purged = top.length === 1 ? 1 : (PURGE_PLAN.share / (1 - PURGE_PLAN.share)) * rest
      return {
        name,
        description: `${top.length} most populous cities, ${law}, except ${top[0]!.name} (${fmtShare(PURGE_PLAN.share)} of requests), ` +
          `whose data changes and which is purged at ${fmtShare(PURGE_PLAN.atFraction)} of the run`,
        kind: 'purge',
        coldStart: false,
        appEnv: Object.freeze({ PURGE_TOKEN }),
        stampede: null,
        expiry: null,
        purge: { segment: top[0]!.segment, cityId: top[0]!.id, atFraction: PURGE_PLAN.atFraction },
        segments: top.map((c) => c.segment),
        weights: [purged, ...weights.slice(1)]
      }
    }
  }
}

const fmtShare = (share: number): string => `${Math.round(share * 100)}%`

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
