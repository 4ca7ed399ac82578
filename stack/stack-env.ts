// The stack's environment variables and flags (`npm run stack`), read and validated in one place
// like src/config.ts does for the app: every bad variable is named. The edge's own variables are
// src/nginx/edge-env.ts, shared with the image's render step.
import { parseArgs } from 'node:util'
import { CACHE_STRATEGIES, usesRedis, type CacheStrategyName } from '../src/config.js'
import { EnvReader, type Env } from '../src/env-reader.js'
import { integer, onOff, oneOf, text } from '../src/value-rules.js'
import { readEdge } from '../src/nginx/edge-env.js'
import type { RedisTopology, StackOptions } from './stack.js'

export type { Env }

const strategyName = oneOf<CacheStrategyName>(CACHE_STRATEGIES)
const redisTopology = oneOf<RedisTopology>(['single', 'cluster'])

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
    const value = r.read(name, port, undefined)
    return value === undefined ? {} : { [name.replace(/_PORT$/, '').toLowerCase() + 'Port']: value }
  }
  const edge = readEdge(r)
  const strategy = r.read('CACHE_STRATEGY', strategyName, 'layered')
  const topology = r.read('REDIS_TOPOLOGY', redisTopology, 'single')
  const instances = r.read('APP_INSTANCES', integer(1, 16), undefined)
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
    logLevel: r.read('LOG_LEVEL', text, 'info'),
    observability: r.read('OBSERVABILITY', onOff, false)
  }
  r.throwIfInvalid()
  return options
}
