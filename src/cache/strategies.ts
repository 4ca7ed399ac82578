// Strategy name → cache composition. `none` is the baseline every other strategy is measured
// against; `peer-*` put other libraries behind the same route, for the load tests.
import type { RedisClient } from '../redis.js'
import type { Logger } from 'pino'
import type { CacheConfig, CacheStrategyName, OriginConfig, RedisConfig } from '../config.js'
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js'
import type { Clock } from './clock.js'
import { CacheEngine, type CacheEvents } from './engine.js'
import { FillLock } from './fill-lock.js'
import { RedisBus } from './invalidation-bus.js'
import { createL1Store } from './l1-policies/create-l1-store.js'
import { RedisStore, L2_FORMAT_VERSION } from './redis-store.js'
import { TrackingBus } from './tracking-bus.js'

/** The parts of Config a cache is built from (a whole Config will do). */
export interface StrategyConfig {
  readonly cache: Pick<CacheConfig, 'ttlMs' | 'graceMs' | 'ttlJitter' | 'negativeTtlMs' | 'xfetchBeta' | 'lockWaitMs' | 'l1'>
  readonly redis: Pick<RedisConfig, 'keyPrefix' | 'commandTimeoutMs' | 'breaker'>
  readonly origin: Pick<OriginConfig, 'timeoutMs'>
}

export interface StrategyDependencies {
  config: StrategyConfig
  /** Command connection; required by every strategy but 'none' and 'memory'. */
  redis?: RedisClient | undefined
  /** A dedicated connection for the invalidation bus (pub/sub); without it, no coherence bus. */
  subscriber?: RedisClient | undefined
  clock: Clock
  logger: Logger
  events?: CacheEvents
  onBreakerStateChange?: (state: BreakerState) => void
  random?: () => number
}

/** The bus channel of a key namespace: every process sharing the keys shares the channel. */
export function busChannel (prefix: string): string {
  return `${prefix}:${L2_FORMAT_VERSION}:bus`
}

export function createCacheEngine (strategy: Exclude<CacheStrategyName, `peer-${string}`>, deps: StrategyDependencies): CacheEngine {
  const { config, redis, subscriber, clock, logger, events } = deps
  const withL1 = strategy !== 'none' && strategy !== 'redis'
  const withL2 = strategy === 'redis' || strategy === 'layered' || strategy === 'layered-xfetch'
  if (withL2 && redis === undefined) throw new TypeError(`strategy '${strategy}' needs a Redis client`)
  const { policy, maxEntries, maxBytes, maxEntryBytes } = config.cache.l1
  const l1 = withL1 ? createL1Store(policy, { maxEntries, maxBytes, maxEntryBytes, clock }) : undefined
  const l2 = withL2 ? new RedisStore({ redis: redis!, prefix: config.redis.keyPrefix }) : undefined
  const breaker = withL2
    ? new CircuitBreaker({
      failureThreshold: config.redis.breaker.failureThreshold,
      resetTimeoutMs: config.redis.breaker.resetMs,
      clock,
      onStateChange: (state) => {
        logger.warn({ state }, 'L2 circuit breaker changed state')
        deps.onBreakerStateChange?.(state)
      }
    })
    : undefined
  // The lock outlives a slow origin call, so a live holder is never overtaken.
  const lock = withL2 ? new FillLock({ redis: redis!, prefix: config.redis.keyPrefix, ttlMs: config.origin.timeoutMs + 1000 }) : undefined
  // L1_INVALIDATION=tracking: Redis reports the writes itself, to RESP2 connections the bus opens
  // per server (tracking-node.ts); the subscriber given here is not needed. The fill locks live
  // under the same prefix (fill-lock.ts): taking or freeing one changes no cached value.
  const bus = withL2 && withL1 && subscriber !== undefined
    ? config.cache.l1.invalidation === 'tracking'
      ? new TrackingBus({ redis: redis!, keyPrefix: l2!.keyFor(''), ignoredPrefixes: [l2!.keyFor('lock:')], logger })
      : new RedisBus({ subscriber, publisher: redis!, channel: busChannel(config.redis.keyPrefix), logger })
    : undefined
  if (!(bus instanceof RedisBus)) subscriber?.disconnect()
  return new CacheEngine({
    l1,
    l2,
    breaker,
    lock,
    bus,
    ttlMs: config.cache.ttlMs,
    // The baseline pays for every request, as an uncached service would.
    graceMs: strategy === 'none' ? 0 : config.cache.graceMs,
    ttlJitter: config.cache.ttlJitter,
    negativeTtlMs: strategy === 'none' ? 0 : config.cache.negativeTtlMs,
    earlyRefreshBeta: strategy === 'layered-xfetch' ? config.cache.xfetchBeta : undefined,
    lockWaitMs: config.cache.lockWaitMs,
    // A command is bounded by the client's timeout; this catches what a client re-queues instead.
    l2DeadlineMs: config.redis.commandTimeoutMs * 2 + 50,
    coalesce: strategy !== 'none',
    clock,
    logger,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(events === undefined ? {} : { events })
  })
}
