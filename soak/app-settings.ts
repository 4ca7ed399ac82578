// The app's configuration for a soak: bounds and lifetimes sized to the run, so that everything
// bounded reaches its steady state in the first quarter and the second half — the one judged —
// shows only what has no bound.
//
// At the defaults (300 s fresh + 600 s grace, 10,000 L1 entries per worker) a 10-minute soak
// would end while Redis still fills (keys live 15 minutes) and L1 still fills (an expired entry
// stays until the LRU evicts it, so cold misses add one entry each until the cap): bounded growth
// that looks like a leak. Shorter lifetimes and a smaller L1 make expiry and eviction run for
// most of the soak, which is where a leak would hide.
import { randomBytes } from 'node:crypto'
import type { SoakOptions } from './options.js'

export interface AppSettings {
  /** CACHE_TTL_SECONDS: fresh lifetime. */
  ttlSeconds: number
  /** CACHE_GRACE_SECONDS: stale lifetime after it (Redis keeps fresh + grace). */
  graceSeconds: number
  /** L1_MAX_ENTRIES, per worker. */
  l1MaxEntries: number
  /** PURGE_TOKEN: a fresh random one per run. */
  purgeToken: string
  /** The whole environment given to the app (the soak's sizing, then options.appEnv on top). */
  env: Record<string, string>
}

/** Share of the run by which every bounded structure should have reached its bound. */
export const SETTLE_FRACTION = 0.25

export function appSettings (options: Pick<SoakOptions, 'durationSeconds' | 'rate' | 'mix' | 'workers' | 'appEnv'>): AppSettings {
  const settle = options.durationSeconds * SETTLE_FRACTION
  // Fresh + grace = settle / 2: every key written expires (from L2) well inside the first quarter.
  const ttlSeconds = Math.min(300, Math.max(3, Math.round(settle / 4)))
  const graceSeconds = ttlSeconds
  // Each worker gets cold misses at rate × cold / workers, one new L1 entry each: the cap is
  // reached by the end of the first quarter (the hot set's entries fill it sooner).
  const coldPerWorker = (options.rate * options.mix.cold) / options.workers
  const l1MaxEntries = Math.min(10_000, Math.max(100, Math.round(coldPerWorker * settle)))
  const purgeToken = randomBytes(24).toString('base64url')
  const env: Record<string, string> = {
    CACHE_TTL_SECONDS: String(ttlSeconds),
    CACHE_GRACE_SECONDS: String(graceSeconds),
    L1_MAX_ENTRIES: String(l1MaxEntries),
    PURGE_TOKEN: purgeToken,
    LOG_LEVEL: 'warn',
    ...options.appEnv
  }
  return {
    ttlSeconds: Number(env.CACHE_TTL_SECONDS),
    graceSeconds: Number(env.CACHE_GRACE_SECONDS),
    l1MaxEntries: Number(env.L1_MAX_ENTRIES),
    purgeToken: env.PURGE_TOKEN!,
    env
  }
}
