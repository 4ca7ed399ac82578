// The cluster-wide single-flight lock: one holder per key across every worker and instance
// sharing the Redis. A token makes release safe (only the holder deletes), the expiry makes a
// dead holder harmless (the lock frees itself).
import { randomUUID } from 'node:crypto'
import type { RedisClient } from '../redis.js'
import { L2_FORMAT_VERSION } from './redis-store.js'

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

type RedisWithRelease = RedisClient & {
  csReleaseLock (key: string, token: string): Promise<number>
}

export interface FillLockOptions {
  redis: RedisClient
  prefix: string
  /** The lock frees itself after this, ms: above the origin timeout, so a live holder keeps it. */
  ttlMs: number
}

/** What the engine needs of the cluster-wide fill lock: FillLock, or the in-memory fake of the
 * engine's unit tests, both held to one contract suite (test/cache/shared-contract.test.ts). */
export interface SharedLock {
  /** The token when this caller holds the lock now, undefined when someone else does. */
  acquire (key: string): Promise<string | undefined>
  /** Frees the lock if `token` still holds it; whether it did. */
  release (key: string, token: string): Promise<boolean>
  isHeld (key: string): Promise<boolean>
}

export class FillLock implements SharedLock {
  readonly #redis: RedisWithRelease
  readonly #keyPrefix: string
  readonly #ttlMs: number

  constructor ({ redis, prefix, ttlMs }: FillLockOptions) {
    if (!(ttlMs > 0)) throw new TypeError(`expected ttlMs > 0, got ${ttlMs}`)
    if (typeof (redis as unknown as Partial<RedisWithRelease>).csReleaseLock !== 'function') {
      redis.defineCommand('csReleaseLock', { numberOfKeys: 1, lua: RELEASE })
    }
    this.#redis = redis as unknown as RedisWithRelease
    this.#keyPrefix = `${prefix}:${L2_FORMAT_VERSION}:lock:`
    this.#ttlMs = ttlMs
  }

  /** The token when this caller holds the lock now, undefined when someone else does. */
  async acquire (key: string): Promise<string | undefined> {
    const token = randomUUID()
    const ok = await this.#redis.set(this.#keyPrefix + key, token, 'PX', this.#ttlMs, 'NX')
    return ok === 'OK' ? token : undefined
  }

  async release (key: string, token: string): Promise<boolean> {
    return (await this.#redis.csReleaseLock(this.#keyPrefix + key, token)) === 1
  }

  async isHeld (key: string): Promise<boolean> {
    return (await this.#redis.exists(this.#keyPrefix + key)) === 1
  }
}
