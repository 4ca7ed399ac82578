// Freshness, decided in one place: pure functions of an entry's lifetimes and a time (monotonic
// ms). Every layer and every caller — the fast path, the route, the refresher — asks here, so
// "fresh, stale or gone" cannot mean two things in two places.
import type { Lifetime, MemoryRecord } from './memory-store.js'
import type { RedisHit } from './redis-store.js'

/** fresh: served as a hit; stale: past freshness but within grace (served while one refresh
 * runs, RFC 5861); expired: past grace, never served. */
export type Freshness = 'fresh' | 'stale' | 'expired'

export function freshnessAt (record: Pick<MemoryRecord, 'freshUntil' | 'staleUntil'>, now: number): Freshness {
  if (record.freshUntil > now) return 'fresh'
  return record.staleUntil > now ? 'stale' : 'expired'
}

/** Freshness left, ms (0 once stale): what max-age says. */
export function freshLeftMs (record: Pick<MemoryRecord, 'freshUntil'>, now: number): number {
  return Math.max(0, record.freshUntil - now)
}

/**
 * XFetch (Vattani et al., VLDB 2015): refresh a fresh record early when
 * now − δ·β·ln(rand) ≥ expiry, rand ∈ (0, 1]. The expected head start grows with the recompute
 * time δ (how long the origin took), so slow keys start refreshing sooner.
 */
export function refreshesEarly (record: Pick<MemoryRecord, 'freshUntil' | 'deltaMs'>, now: number, beta: number, random: () => number): boolean {
  return now - record.deltaMs * beta * Math.log(random()) >= record.freshUntil
}

/** A new entry's fresh lifetime: jitter shortens it by up to `jitter` of the TTL, never lengthens
 * it, so keys filled together do not expire together and the TTL stays an upper bound. */
export function jitteredFreshMs (ttlMs: number, jitter: number, random: () => number): number {
  return jitter === 0 ? ttlMs : Math.round(ttlMs * (1 - jitter * random()))
}

/** The lifetime an L2 value promoted into L1 gets: what is *left* of the shared copy's, so L1
 * never outlives it. */
export function promotedLifetime (hit: RedisHit): Lifetime {
  return { freshMs: hit.freshMs, graceMs: hit.remainingMs - Math.max(0, hit.freshMs), deltaMs: hit.deltaMs }
}

/** While the coherence bus is down a purge elsewhere cannot reach this L1: its copies live at
 * most `capMs`, so a missed purge cannot outlive the cap. */
export function cappedLifetime (lifetime: Lifetime, capMs: number): Lifetime {
  return {
    freshMs: Math.min(lifetime.freshMs, capMs),
    graceMs: Math.min(lifetime.graceMs ?? 0, capMs),
    deltaMs: lifetime.deltaMs ?? 0
  }
}
