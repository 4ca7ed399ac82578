// L2: Redis, shared by every worker and instance. Keys are namespaced and versioned
// (`weather:v1:<city id>`) so a format change never reads old bytes; TTLs are in milliseconds.
// Redis holds one physical TTL = fresh + grace; the value's header says how much of it is grace.
import type { RedisClient } from '../redis.js'
import type { CacheEntry } from './entry.js'
import { decodeL2Value, encodeL2Value } from './l2-format.js'
import type { Lifetime } from './memory-store.js'

/** Bump when the value format changes: old keys are then simply never read again. */
export const L2_FORMAT_VERSION = 'v1'

// Value and remaining TTL in one atomic round trip.
const GET_WITH_TTL = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
return { v, redis.call('PTTL', KEYS[1]) }
`

type RedisWithScripts = RedisClient & {
  csGetWithTtl (key: string): Promise<[string, number] | null>
}

export interface RedisStoreOptions {
  redis: RedisClient
  /** Namespace before the version, e.g. 'weather'. */
  prefix: string
}

export interface RedisHit {
  readonly entry: CacheEntry
  /** Freshness left, ms; zero or less means stale (within grace). */
  readonly freshMs: number
  /** Life left in Redis, ms: the end of grace. */
  readonly remainingMs: number
  readonly graceMs: number
  readonly deltaMs: number
}

/** What the engine needs of L2: RedisStore, or the in-memory fake of the engine's unit tests
 * (test/fakes/), both held to one contract suite (test/cache/shared-contract.test.ts). */
export interface SharedStore {
  /** The value with its lifetimes left, while it may be served (fresh or within grace). */
  get (key: string): Promise<RedisHit | undefined>
  set (key: string, entry: CacheEntry, lifetime: Lifetime): Promise<void>
  /** Whether there was a value to delete. */
  delete (key: string): Promise<boolean>
}

export class RedisStore implements SharedStore {
  readonly #redis: RedisWithScripts
  readonly #keyPrefix: string

  constructor ({ redis, prefix }: RedisStoreOptions) {
    this.#keyPrefix = `${prefix}:${L2_FORMAT_VERSION}:`
    if (typeof (redis as unknown as Partial<RedisWithScripts>).csGetWithTtl !== 'function') {
      redis.defineCommand('csGetWithTtl', { numberOfKeys: 1, lua: GET_WITH_TTL })
    }
    this.#redis = redis as unknown as RedisWithScripts
  }

  get redis (): RedisClient {
    return this.#redis
  }

  keyFor (key: string): string {
    return this.#keyPrefix + key
  }

  async get (key: string): Promise<RedisHit | undefined> {
    const reply = await this.#redis.csGetWithTtl(this.#keyPrefix + key)
    if (reply === null) return undefined
    const [raw, remainingMs] = reply
    if (remainingMs <= 0) return undefined // no expiry (-1) is not ours; gone (-2)
    const value = decodeL2Value(raw)
    if (value === undefined) return undefined
    return { entry: value.entry, freshMs: remainingMs - value.graceMs, remainingMs, graceMs: value.graceMs, deltaMs: value.deltaMs }
  }

  async set (key: string, entry: CacheEntry, { freshMs, graceMs = 0, deltaMs = 0 }: Lifetime): Promise<void> {
    const px = Math.max(1, Math.round(freshMs + graceMs))
    await this.#redis.set(this.#keyPrefix + key, encodeL2Value(entry, graceMs, deltaMs), 'PX', px)
  }

  async delete (key: string): Promise<boolean> {
    return (await this.#redis.del(this.#keyPrefix + key)) > 0
  }
}
