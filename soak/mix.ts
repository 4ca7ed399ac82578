// The soak's mixed load: what each request is and what answer it must get. Every path is drawn
// from a seeded PRNG (loadtest/drive/prng.ts), so two soaks with one seed send the same requests.
import type { RequestCity } from '../loadtest/drive/cities.js'
import { deriveSeed, mulberry32 } from '../loadtest/drive/prng.js'
import { WeightedPicker, zipfWeights } from '../loadtest/drive/scenarios.js'

/**
 * hit: a city of the hot set, drawn by population (a zipf law: most requests on a few cities);
 * conditional: the same, with If-None-Match set to the ETag last seen for that city (304 when it
 * still matches); cold: a real city never requested before in the run (a miss through L1, L2 and
 * the lock to the provider); purge: DELETE of a hot city with the purge token; invalid: inputs
 * the service must refuse with a 4xx, never with a 5xx or a cache or origin call.
 */
export const REQUEST_KINDS = ['hit', 'conditional', 'cold', 'purge', 'invalid'] as const
export type RequestKind = typeof REQUEST_KINDS[number]

/** Shares of each kind, summing to 1. */
export const DEFAULT_MIX: Readonly<Record<RequestKind, number>> = Object.freeze({ hit: 0.78, conditional: 0.1, cold: 0.05, purge: 0.02, invalid: 0.05 })

export interface PlannedRequest {
  kind: RequestKind
  /** Which case of its kind (the invalid input's name; 'matching' or 'unknown-etag' for conditional). */
  variant: string
  method: 'GET' | 'DELETE'
  path: string
  headers: Record<string, string>
  /** The statuses that are a correct answer. */
  expect: readonly number[]
  /** The `code` the JSON error body must carry, or null when the body is not checked. */
  expectCode: string | null
  /** Index in the hot set of the city answered (its ETag is remembered), or -1. */
  hotIndex: number
}

export interface InvalidInput {
  readonly variant: string
  readonly method: 'GET' | 'DELETE'
  /** `n` makes names unique where uniqueness is the point (an unknown city never seen twice). */
  readonly path: (n: number) => string
  readonly status: number
  readonly code: string
  /** Whether the purge token is sent (a DELETE of an unknown city must still be a 404). */
  readonly authorized?: boolean
}

/** Refused inputs and the answer each must get (README's error table); drawn in turn. */
export const INVALID_INPUTS: readonly InvalidInput[] = Object.freeze([
  { variant: 'too-long', method: 'GET', path: () => `/weather/${'x'.repeat(101)}`, status: 400, code: 'CS_ERR_CITY_INVALID' },
  { variant: 'bad-characters', method: 'GET', path: (n) => `/weather/%3Cscript%3E${n}`, status: 400, code: 'CS_ERR_CITY_INVALID' },
  { variant: 'path-segments', method: 'GET', path: () => '/weather/a%2F..%2Fb', status: 400, code: 'CS_ERR_CITY_INVALID' },
  { variant: 'control-character', method: 'GET', path: () => '/weather/%00', status: 400, code: 'CS_ERR_REQUEST_INVALID' },
  { variant: 'bad-country', method: 'GET', path: () => '/weather/paris?country=FRA', status: 400, code: 'CS_ERR_COUNTRY_INVALID' },
  { variant: 'unknown-city', method: 'GET', path: (n) => `/weather/soak-unknown-${n}`, status: 404, code: 'CS_ERR_CITY_NOT_FOUND' },
  { variant: 'purge-unknown-city', method: 'DELETE', path: (n) => `/weather/soak-unknown-${n}`, status: 404, code: 'CS_ERR_CITY_NOT_FOUND', authorized: true },
  { variant: 'purge-without-token', method: 'DELETE', path: () => '/weather/paris', status: 401, code: 'CS_ERR_UNAUTHORIZED' }
])

export interface MixOptions {
  /** The hot set, by descending population (selectCities' order). */
  hot: readonly RequestCity[]
  /** Cities never in the hot set: each requested once, in turn (recycled only when all are used). */
  cold: readonly RequestCity[]
  shares: Readonly<Record<RequestKind, number>>
  /** Bearer token of DELETE /weather/:city (the app's PURGE_TOKEN). */
  purgeToken: string
  seed: number
}

/** An ETag that no answer carries: a conditional request before any ETag is known must get 200. */
const UNKNOWN_ETAG = '"soak-never-matches"'

export class RequestMix {
  readonly #hotPaths: string[]
  readonly #coldPaths: string[]
  readonly #kinds: WeightedPicker
  readonly #hotPicker: WeightedPicker
  readonly #purgePicker: WeightedPicker
  readonly #etags: Array<string | undefined>
  readonly #auth: string
  #cold = 0
  #invalid = 0
  #recycled = 0

  constructor ({ hot, cold, shares, purgeToken, seed }: MixOptions) {
    if (hot.length === 0) throw new RangeError('expected at least one hot city')
    if (cold.length === 0 && shares.cold > 0) throw new RangeError('expected cold cities for a cold share above 0')
    const hotKeys = new Set(hot.map((c) => c.segment))
    const overlap = cold.find((c) => hotKeys.has(c.segment))
    if (overlap !== undefined) throw new RangeError(`expected cold cities outside the hot set, got ${overlap.name}`)
    this.#hotPaths = hot.map((c) => `/weather/${c.segment}`)
    this.#coldPaths = cold.map((c) => `/weather/${c.segment}`)
    this.#kinds = new WeightedPicker(REQUEST_KINDS.map((k) => shares[k]), mulberry32(deriveSeed(seed, 'kind')))
    const weights = zipfWeights(hot, 'population', 1)
    this.#hotPicker = new WeightedPicker(weights, mulberry32(deriveSeed(seed, 'hot')))
    this.#purgePicker = new WeightedPicker(weights, mulberry32(deriveSeed(seed, 'purge')))
    this.#etags = new Array<string | undefined>(hot.length)
    this.#auth = `Bearer ${purgeToken}`
  }

  next (): PlannedRequest {
    const kind = REQUEST_KINDS[this.#kinds.next()]!
    switch (kind) {
      case 'hit': {
        const i = this.#hotPicker.next()
        return { kind, variant: 'zipf', method: 'GET', path: this.#hotPaths[i]!, headers: {}, expect: [200], expectCode: null, hotIndex: i }
      }
      case 'conditional': {
        const i = this.#hotPicker.next()
        const etag = this.#etags[i]
        // A known ETag matches unless the entry changed since (refreshed into a new weather bucket): 304 or 200.
        const request = { kind, method: 'GET', path: this.#hotPaths[i]!, expectCode: null, hotIndex: i } as const
        return etag === undefined
          ? { ...request, variant: 'unknown-etag', headers: { 'if-none-match': UNKNOWN_ETAG }, expect: [200] }
          : { ...request, variant: 'matching', headers: { 'if-none-match': etag }, expect: [304, 200] }
      }
      case 'cold': {
        if (this.#cold === this.#coldPaths.length) {
          this.#cold = 0
          this.#recycled++
        }
        const path = this.#coldPaths[this.#cold++]!
        return { kind, variant: 'never-requested', method: 'GET', path, headers: {}, expect: [200], expectCode: null, hotIndex: -1 }
      }
      case 'purge': {
        const i = this.#purgePicker.next()
        const headers = { authorization: this.#auth }
        return { kind, variant: 'authorized', method: 'DELETE', path: this.#hotPaths[i]!, headers, expect: [204], expectCode: null, hotIndex: -1 }
      }
      case 'invalid': {
        const n = this.#invalid++
        const input = INVALID_INPUTS[n % INVALID_INPUTS.length]!
        return {
          kind,
          variant: input.variant,
          method: input.method,
          path: input.path(n),
          headers: input.authorized === true ? { authorization: this.#auth } : {},
          expect: [input.status],
          expectCode: input.code,
          hotIndex: -1
        }
      }
    }
  }

  /** The ETag an answer carried for a hot city: what the next conditional request for it sends. */
  remember (hotIndex: number, etag: string): void {
    if (hotIndex >= 0 && hotIndex < this.#etags.length) this.#etags[hotIndex] = etag
  }

  /** How many times the cold cities were all used and started over (0: every cold request was a city's first). */
  get coldRecycled (): number {
    return this.#recycled
  }
}
