// The stack's environment variables (`npm run stack`, and the Docker nginx render step), read and
// validated in one place like src/config.ts does for the app: every bad variable is named.
import { parseArgs } from 'node:util'
import { CACHE_STRATEGIES, usesRedis, type CacheStrategyName } from '../config.js'
import { EnvReader, integer, oneOf, type Env } from '../env-reader.js'
import type { RateLimitOptions } from './nginx-config.js'
import type { RedisTopology, StackOptions } from './stack.js'

export type { Env }

/** What nginx's rendering depends on, in both Docker and native runs. */
export interface EdgeEnv {
  /** EDGE_CACHE=on|off. @default false */
  edgeCache: boolean
  /** RATE_LIMIT=on|off, RATE_LIMIT_RPS, RATE_LIMIT_BURST. @default 50 r/s, burst 100 */
  rateLimit: RateLimitOptions | false
  /** ACCESS_LOG=on|off. @default true */
  accessLog: boolean
}

/** Throws one error naming every bad variable the reader met. */
function throwIfInvalid (r: EnvReader): void {
  if (r.errors.length > 0) throw new Error(`invalid stack environment:\n${r.errors.join('\n')}`)
}

const onOff = (raw: string): boolean => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw new Error('expected on or off')
}

const strategyName = oneOf<CacheStrategyName>(CACHE_STRATEGIES)

const REDIS_TOPOLOGIES: readonly RedisTopology[] = ['single', 'cluster']

const redisTopology = oneOf(REDIS_TOPOLOGIES)

function readEdge (r: EnvReader): EdgeEnv {
  const limited = r.read('RATE_LIMIT', onOff, true)
  const ratePerSecond = r.read('RATE_LIMIT_RPS', integer(1, 10_000_000), 50)
  const burst = r.read('RATE_LIMIT_BURST', integer(0, 10_000_000), 100)
  return {
    edgeCache: r.read('EDGE_CACHE', onOff, false),
    rateLimit: limited ? { ratePerSecond, burst } : false,
    accessLog: r.read('ACCESS_LOG', onOff, true)
  }
}

/** EDGE_CACHE, RATE_LIMIT*, ACCESS_LOG: what the Docker render step needs. */
export function readEdgeEnv (env: Env): EdgeEnv {
  const r = new EnvReader(env)
  const edge = readEdge(r)
  throwIfInvalid(r)
  return edge
}

/** Everything `npm run stack` takes from the environment, then from its flags (which win):
 * `--redis single|cluster` (REDIS_TOPOLOGY), `--instances N` (APP_INSTANCES),
 * `--observability` (OBSERVABILITY=on: a Prometheus scraping the app with the project's rules). */
export function readStackEnv (env: Env, argv: readonly string[] = []): StackOptions & { nginxPort: number } {
  let flags: { redis?: string | undefined, instances?: string | undefined, observability?: boolean | undefined }
  try {
    flags = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { redis: { type: 'string' }, instances: { type: 'string' }, observability: { type: 'boolean' } }
    }).values
  } catch (err) {
    throw new Error(`invalid stack arguments: ${(err as Error).message} (known: --redis single|cluster, --instances N, --observability)`)
  }
  return readStackSettings({
    ...env,
    ...(flags.redis === undefined ? {} : { REDIS_TOPOLOGY: flags.redis }),
    ...(flags.instances === undefined ? {} : { APP_INSTANCES: flags.instances }),
    ...(flags.observability === true ? { OBSERVABILITY: 'on' } : {})
  })
}

function readStackSettings (env: Env): StackOptions & { nginxPort: number } {
  const r = new EnvReader(env)
  const port = integer(1, 65535)
  const optionalPort = (name: string): { [key: string]: number } => {
    const value = r.read<number | undefined>(name, port, undefined)
    return value === undefined ? {} : { [name.replace(/_PORT$/, '').toLowerCase() + 'Port']: value }
  }
  const edge = readEdge(r)
  const strategy = r.read('CACHE_STRATEGY', strategyName, 'layered')
  const topology = r.read('REDIS_TOPOLOGY', redisTopology, 'single')
  const instances = r.read<number | undefined>('APP_INSTANCES', integer(1, 16), undefined)
  const options: StackOptions & { nginxPort: number } = {
    ...edge,
    strategy,
    workers: r.read('WORKERS', integer(1, 256), 2),
    nginxPort: r.read('NGINX_PORT', port, 8080),
    ...optionalPort('APP_PORT'),
    ...optionalPort('ORIGIN_PORT'),
    ...optionalPort('REDIS_PORT'),
    // Only when the strategy reads L2: `CACHE_STRATEGY=memory npm run stack` needs no redis-server.
    redis: usesRedis(strategy) ? topology : false,
    // A cluster comes with 2 instances (startStack's default) unless told otherwise.
    ...(instances === undefined ? {} : { appInstances: instances }),
    logLevel: r.read('LOG_LEVEL', (raw) => raw, 'info'),
    observability: r.read('OBSERVABILITY', onOff, false)
  }
  throwIfInvalid(r)
  return options
}
