// Fills L2 (Redis) directly with the entries a fill would write, for the cost-against-work sweep:
// 135k cities filled through the provider (80 ms each) would take minutes of a 5-minute budget,
// and the point of that curve is the steady state (what a request costs once everything is in
// L2), not the warm-up. The bytes are the engine's own: the provider's observation for the
// current bucket, the report the loader builds, createEntry's ETag, RedisStore's format and TTLs.
import { Redis } from 'ioredis'
import type { DatasetCity } from '../../src/cities/dataset.js'
import { createEntry } from '../../src/cache/entry.js'
import { RedisStore } from '../../src/cache/redis-store.js'
import { observe } from '../../src/origin/weather-model.js'
import { buildReport } from '../../src/weather/weather-loader.js'

export interface SeedOptions {
  /** The stack's redis://127.0.0.1:port. */
  redisUrl: string
  cities: readonly DatasetCity[]
  /** The app's CACHE_TTL_SECONDS and CACHE_GRACE_SECONDS. */
  ttlSeconds: number
  graceSeconds: number
  /** Pad each answer to about this many bytes (a `padding` string in the observation). @default no padding */
  padToBytes?: number
  /** The app's REDIS_KEY_PREFIX. @default 'weather' */
  prefix?: string
  /** The provider's ORIGIN_BUCKET_SECONDS. @default 600 */
  bucketSeconds?: number
  /** @default Date.now */
  now?: () => number
}

/** One answer, as the loader would serialize it, padded when asked. */
export function seededBody (city: DatasetCity, bucketStart: number, bucketSeconds: number, padToBytes?: number): string {
  const observation = observe(city, bucketStart)
  const body = JSON.stringify(buildReport(city, { cityId: city.id, bucketSeconds, observation }))
  if (padToBytes === undefined || body.length >= padToBytes) return body
  // `"padding":"…",` inside the observation: the route and every cache pass it through unread.
  const room = padToBytes - body.length - '"padding":"",'.length
  const padded = { padding: 'x'.repeat(Math.max(0, room)), ...observation } as typeof observation
  return JSON.stringify(buildReport(city, { cityId: city.id, bucketSeconds, observation: padded }))
}

export async function seedL2 (options: SeedOptions): Promise<{ keys: number, bytes: number }> {
  const { redisUrl, cities, ttlSeconds, graceSeconds, padToBytes, prefix = 'weather', bucketSeconds = 600, now = Date.now } = options
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: true })
  redis.on('error', () => {})
  try {
    await redis.connect()
    const store = new RedisStore({ redis, prefix })
    const t = now()
    const bucketStart = t - (t % (bucketSeconds * 1000))
    let bytes = 0
    // Bounded batches: one pipeline of 135k commands would hold every reply in memory at once.
    for (let i = 0; i < cities.length; i += 2000) {
      await Promise.all(cities.slice(i, i + 2000).map((city) => {
        const body = seededBody(city, bucketStart, bucketSeconds, padToBytes)
        bytes += body.length
        return store.set(city.key, createEntry(body, t), { freshMs: ttlSeconds * 1000, graceMs: graceSeconds * 1000 })
      }))
    }
    return { keys: cities.length, bytes }
  } finally {
    redis.disconnect()
  }
}
