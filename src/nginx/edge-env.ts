// What nginx's rendering takes from the environment — EDGE_CACHE, RATE_LIMIT*, ACCESS_LOG — read
// the way src/config.ts reads the app's: every bad variable named at once. The image's render step
// (render-nginx.ts) and the native stack runner (stack/stack-env.ts) both read it here.
import { EnvReader, type Env } from '../env-reader.js'
import { integer, onOff } from '../value-rules.js'
import type { RateLimitOptions } from './nginx-config.js'

/** What nginx's rendering depends on, in both Docker and native runs. */
export interface EdgeEnv {
  /** EDGE_CACHE=on|off. @default false */
  edgeCache: boolean
  /** RATE_LIMIT=on|off, RATE_LIMIT_RPS, RATE_LIMIT_BURST. @default 50 r/s, burst 100 */
  rateLimit: RateLimitOptions | false
  /** ACCESS_LOG=on|off. @default true */
  accessLog: boolean
}

/** The edge variables through a reader the caller owns (its errors join the caller's). */
export function readEdge (r: EnvReader): EdgeEnv {
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
  r.throwIfInvalid()
  return edge
}
