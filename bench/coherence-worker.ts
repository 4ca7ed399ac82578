// One worker of `npm run bench -- coherence`: a cache engine built as a service worker builds it
// (its own command connection, its own bus connection or tracking receivers), driven over IPC by
// bench/coherence.bench.ts. It timestamps every L1 copy it drops (from the engine's invalidate
// tracing channel) on the wall clock shared by the processes of this machine.
import { tracingChannel } from 'node:diagnostics_channel'
import { pino } from 'pino'
import { monotonicClock } from '../src/cache/clock.js'
import { createEntry, type CacheEntry } from '../src/cache/entry.js'
import { createCacheEngine } from '../src/cache/strategies.js'
import { TRACING_CHANNELS, type InvalidateTrace } from '../src/cache/tracing.js'
import { loadConfig } from '../src/config.js'
import { createRedisClient } from '../src/redis.js'
import type { WorkerReply, WorkerRequest } from './coherence-protocol.js'

/** Wall-clock ms with sub-ms resolution, comparable across the processes of one machine. */
const now = (): number => performance.timeOrigin + performance.now()

const env = JSON.parse(process.env.COHERENCE_BENCH_ENV ?? '{}') as Record<string, string>
const worker = Number(process.env.COHERENCE_BENCH_WORKER ?? 0)
const config = loadConfig(env)
const logger = pino({ level: 'silent' })
const redisConfig = { ...config.redis, target: config.redis.target! }
const redis = createRedisClient(redisConfig, logger)
const subscriber = createRedisClient(redisConfig, logger, { subscriber: true })
const engine = createCacheEngine('layered', { config, redis, subscriber, clock: monotonicClock, logger })

let loads = 0
const load = async (key: string): Promise<CacheEntry> => createEntry(JSON.stringify({ key, worker, load: ++loads }), Date.now())

const send = (message: WorkerReply): void => { process.send!(message) }

tracingChannel<object, InvalidateTrace>(TRACING_CHANNELS.invalidate).subscribe({
  start (context: InvalidateTrace) {
    if (context.reason === 'resync') {
      send({ type: 'flush', worker, t: now() })
    } else if ((context.reason === 'invalidate' || context.reason === 'filled') && context.dropped === true) {
      send({ type: 'drop', worker, key: context.key, t: now() })
    }
  },
  end () {},
  asyncStart () {},
  asyncEnd () {},
  error () {}
})

// The read loop: every key once per tick (≈ 1 ms), each answer logged as (time, ETag).
interface ReadLog { times: number[], etags: string[] }
let reading: { keys: string[], logs: ReadLog[], state: { stop: boolean }, done: Promise<void> } | undefined

async function readLoop (keys: string[], logs: ReadLog[], state: { stop: boolean }): Promise<void> {
  while (!state.stop) {
    await Promise.all(keys.map(async (key, i) => {
      try {
        const answer = await engine.get(key, load)
        logs[i]!.times.push(now())
        logs[i]!.etags.push(answer.entry.etag)
      } catch {
        // an answer that failed is no stale answer
      }
    }))
    await new Promise(resolve => setTimeout(resolve, 1))
  }
}

/**
 * Reads after `t` that returned the value this worker served last before `t` (unless that is the
 * value written at `t`), and how long after `t` the last of them was served.
 */
function staleAfter (log: ReadLog, t: number, written: string): { stale: number, lastStaleMs: number | null } {
  let before = -1
  while (before + 1 < log.times.length && log.times[before + 1]! <= t) before++
  const old = before >= 0 ? log.etags[before] : undefined
  if (old === undefined || old === written) return { stale: 0, lastStaleMs: null }
  let stale = 0
  let last: number | null = null
  for (let i = before + 1; i < log.times.length; i++) {
    if (log.etags[i] !== old) continue
    stale++
    last = log.times[i]! - t
  }
  return { stale, lastStaleMs: last }
}

async function handle (request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'get': {
      const sources: string[] = []
      for (const key of request.keys) sources.push((await engine.get(key, load)).source)
      return sources
    }
    case 'purge': {
      const t = now()
      await engine.delete(request.key)
      return t
    }
    case 'held':
      return request.keys.map((key) => engine.peek(key)?.entry.etag ?? null)
    case 'usage':
      return engine.l1Usage()?.entries ?? 0
    case 'readStart': {
      const logs = request.keys.map(() => ({ times: [], etags: [] }))
      const state = { stop: false }
      reading = { keys: request.keys, logs, state, done: readLoop(request.keys, logs, state) }
      return null
    }
    case 'readStop': {
      if (reading === undefined) return 0
      reading.state.stop = true
      await reading.done
      return reading.logs.reduce((n, log) => n + log.times.length, 0)
    }
    case 'stale': {
      // Per write: stale reads after it, and when the last of them was served.
      return request.writes.map(({ key, t, etag }) => staleAfter(reading!.logs[reading!.keys.indexOf(key)]!, t, etag))
    }
    case 'close':
      await engine.close()
      redis.disconnect()
      setImmediate(() => process.exit(0))
      return null
  }
}

process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (result) => send({ type: 'reply', id: request.id, result }),
    (err: unknown) => send({ type: 'reply', id: request.id, error: String(err) })
  )
})

await new Promise<void>((resolve) => redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve()))
await engine.start()
send({ type: 'ready', worker })
