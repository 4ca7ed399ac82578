// The optimization ladder: the real service, started through the real stack, one step at a
// time from a deliberately naive composition to the default one. A rung is a full setting of
// the switches below; each rung changes exactly one of them from the rung before (a test holds
// it to that), so what a rung gains is what its one step gains.
import type { CacheStrategyName, NaiveComponent } from '../src/config.js'

/** Every switch the ladder turns, one per rung. */
export interface RungSettings {
  /**
   * NAIVE=…: src/naive/ components swapped in (linear city scan, per-request stringify through
   * Fastify's router and reply, new origin connection per request).
   */
  naive: readonly NaiveComponent[]
  /** CACHE_STRATEGY. */
  strategy: CacheStrategyName
  /** REDIS_AUTO_PIPELINING (only matters once L2 is in). */
  redisAutoPipelining: boolean
  /** nginx's upstream keep-alive pool to the app (false = nginx upstreamKeepalive 0: a connection per request). */
  nginxUpstreamKeepalive: boolean
}

export type Switch = keyof RungSettings

export interface Rung {
  /** Short id shown in tables: 0, 1, 2a, … */
  id: string
  /** One-word stage of the ladder: naive, algorithm, caching, I/O, tricks. */
  stage: 'naive' | 'algorithm' | 'caching' | 'I/O' | 'tricks'
  /** What the step does, in a few words. */
  step: string
  /** Why it should help: what the previous rung spends that this one does not. */
  why: string
  settings: Readonly<RungSettings>
}

const NAIVE_ALL: readonly NaiveComponent[] = Object.freeze(['resolver', 'serialize', 'connection'])

function rung (id: string, stage: Rung['stage'], step: string, why: string, settings: RungSettings): Rung {
  return Object.freeze({ id, stage, step, why, settings: Object.freeze({ ...settings, naive: Object.freeze([...settings.naive]) }) })
}

const base: RungSettings = { naive: NAIVE_ALL, strategy: 'none', redisAutoPipelining: false, nginxUpstreamKeepalive: false }

/**
 * The rungs, in order. Rung 0 turns every switch to its naive side; the last rung is the
 * default service (no NAIVE, CACHE_STRATEGY=layered, auto-pipelining on, nginx keep-alive on).
 */
export const RUNGS: readonly Rung[] = Object.freeze([
  rung('0', 'naive', 'naive: linear city scan, report stringified per request, new origin connection per request, no cache',
    'the first version: every request scans 135k cities, calls the provider on a fresh TCP connection and stringifies its answer',
    base),
  rung('1', 'algorithm', 'indexed city lookup (CityIndex) instead of the linear scan',
    'a Map lookup replaces a scan that canonicalizes every city name on every request',
    { ...base, naive: ['serialize', 'connection'] }),
  rung('2a', 'caching', 'L1: in-process memory cache (CACHE_STRATEGY=memory)',
    'a repeated city is answered from the worker\'s memory instead of the provider (80 ms)',
    { ...base, naive: ['serialize', 'connection'], strategy: 'memory' }),
  rung('2b', 'caching', 'L1 + L2: Redis behind the memory cache (CACHE_STRATEGY=layered)',
    'a city one worker fetched is an L2 hit for the other worker, and survives a restart; costs a Redis write per fill',
    { ...base, naive: ['serialize', 'connection'], strategy: 'layered' }),
  rung('3a', 'I/O', 'keep-alive pool to the provider (PooledOriginClient) instead of a connection per request',
    'a miss no longer pays a TCP handshake and the setup of a client',
    { ...base, naive: ['serialize'], strategy: 'layered' }),
  rung('3b', 'I/O', 'Redis auto-pipelining (REDIS_AUTO_PIPELINING=true)',
    'Redis commands issued in the same tick share one write and one read',
    { ...base, naive: ['serialize'], strategy: 'layered', redisAutoPipelining: true }),
  rung('3c', 'I/O', 'nginx upstream keep-alive (a pool of idle connections to the app)',
    'nginx stops opening (and the app accepting) a TCP connection per request',
    { naive: ['serialize'], strategy: 'layered', redisAutoPipelining: true, nginxUpstreamKeepalive: true }),
  rung('4', 'tricks',
    'serialize once, answer L1 hits before the router: the entry holds the JSON; ' +
      'a hit is found in Node\'s request listener and its stored bytes written with one header array (the default service)',
    'a hit no longer rebuilds the report and runs JSON.stringify, nor pays Fastify\'s router, request and reply objects, hook runner and send pipeline',
    { naive: [], strategy: 'layered', redisAutoPipelining: true, nginxUpstreamKeepalive: true })
])

/** The switches whose value differs between two settings. */
export function changedSwitches (a: Readonly<RungSettings>, b: Readonly<RungSettings>): Switch[] {
  const changed: Switch[] = []
  if ([...a.naive].sort().join(',') !== [...b.naive].sort().join(',')) changed.push('naive')
  if (a.strategy !== b.strategy) changed.push('strategy')
  if (a.redisAutoPipelining !== b.redisAutoPipelining) changed.push('redisAutoPipelining')
  if (a.nginxUpstreamKeepalive !== b.nginxUpstreamKeepalive) changed.push('nginxUpstreamKeepalive')
  return changed
}

export interface WorkloadEnv {
  /** Bound on one provider request, ms: generous, since rung 0's workers are blocked ~100 ms per request and a reply waits in line. */
  originTimeoutMs: number
}

/** The app's environment for a rung (on top of what every rung shares). */
export function appEnvironment (settings: Readonly<RungSettings>, workload: WorkloadEnv): Record<string, string> {
  return {
    NAIVE: settings.naive.length === 0 ? 'none' : settings.naive.join(','),
    REDIS_AUTO_PIPELINING: String(settings.redisAutoPipelining),
    ORIGIN_TIMEOUT_MS: String(workload.originTimeoutMs),
    // The limit target (/baseline/:city) is served by the last rung's app.
    EXPOSE_BASELINE: 'true',
    LOG_LEVEL: 'warn'
  }
}

/** nginx's upstream keep-alive pool size for a rung: the stack default (64), or none. */
export function nginxUpstreamKeepalive (settings: Readonly<RungSettings>): number {
  return settings.nginxUpstreamKeepalive ? 64 : 0
}
