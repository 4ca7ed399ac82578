// `npm run bench -- coherence`: the two L1 coherence modes side by side in one run —
// L1_INVALIDATION=pubsub (our messages on a channel) against tracking (Redis reports every write,
// CLIENT TRACKING in broadcast mode). Each mode runs a fleet of 4 worker processes (2 instances ×
// 2 workers: every worker has its own connections, as in the service; which instance a worker
// belongs to changes nothing on the wire), each on a redis-server of its own, so INFO counts one
// mode only. Measured:
//  - invalidation delay: a purge (both modes), or an out-of-band SET (a plain client, as redis-cli)
//    → every other worker's L1 copy dropped, from the drop times each worker takes on the wall clock
//    (one machine, one clock); rounds alternate the modes' order;
//  - stale reads: every worker reads the key once per ~1 ms while it is written by hand;
//  - Redis CPU (INFO cpu, user + sys) and network (INFO stats, total_net_input + output bytes) per
//    purge and per fill, with the commandstats that differ;
//  - a Redis restart, and a Redis Cluster failover (3 masters, 3 replicas; a master killed): when
//    each L1 is flushed, and the stale reads after a write by hand.
import { fork, type ChildProcess } from 'node:child_process'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Cluster, Redis } from 'ioredis'
import { createEntry } from '../src/cache/entry.js'
import { encodeL2Value } from '../src/cache/l2-format.js'
import { L2_FORMAT_VERSION } from '../src/cache/redis-store.js'
import type { L1InvalidationMode } from '../src/config.js'
import { startRedisCluster, type RedisCluster } from '../stack/redis-cluster.js'
import { startRedisServer, type RedisServer } from '../stack/redis-server.js'
import type { StaleCount, WorkerCommand, WorkerReply } from './coherence-protocol.js'
import type { TaskResult } from './harness.js'
import { withRedis } from '../stack/redis-once.js'

const MODES = ['pubsub', 'tracking'] as const satisfies readonly L1InvalidationMode[]
/** 2 instances × 2 workers, one process each. */
const WORKERS = 4
const FRESH_MS = 300_000
const GRACE_MS = 600_000

const now = (): number => performance.timeOrigin + performance.now()
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export interface CoherenceOptions {
  /** Purges per mode (and out-of-band SETs under tracking) for the delay. @default 1000 */
  writes: number
  /** The writes are split into this many rounds, the modes' order alternating. @default 5 */
  rounds: number
  /** Out-of-band writes for the stale-read count. @default 100 */
  staleWrites: number
  /** How long every worker reads around each of them, ms. @default 250 */
  windowMs: number
  /** Purges and fills per cost round (3 rounds). @default 1000 */
  costOps: number
  /** The Redis Cluster failover. @default true */
  cluster: boolean
}

export function parseCoherenceArgs (argv: readonly string[]): CoherenceOptions {
  const options: CoherenceOptions = { writes: 1000, rounds: 5, staleWrites: 100, windowMs: 250, costOps: 1000, cluster: true }
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    const number = Number(match?.[2])
    switch (match?.[1]) {
      case 'writes': options.writes = number; break
      case 'rounds': options.rounds = number; break
      case 'stale-writes': options.staleWrites = number; break
      case 'window-ms': options.windowMs = number; break
      case 'cost-ops': options.costOps = number; break
      case 'no-cluster': options.cluster = false; break
      default: throw new TypeError(`unknown argument ${arg}: expected --writes=N, --rounds=N, --stale-writes=N, --window-ms=N, --cost-ops=N, --no-cluster`)
    }
  }
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) throw new TypeError(`expected --${name} to be a positive integer, got ${value}`)
  }
  if (options.writes % options.rounds !== 0) throw new TypeError(`expected --writes (${options.writes}) to be a multiple of --rounds (${options.rounds})`)
  return options
}

/** A value as another service (or redis-cli) would write it: readable, fresh, its own ETag. */
function byHand (key: string): { value: string, etag: string } {
  const entry = createEntry(JSON.stringify({ key, by: 'hand', at: Math.random() }), Date.now())
  return { value: encodeL2Value(entry, GRACE_MS, 0), etag: entry.etag }
}

/** Four worker processes of one mode, on one Redis target. */
class Fleet {
  readonly mode: L1InvalidationMode
  readonly prefix: string
  readonly probe: Redis | Cluster
  /** Whole-L1 flushes (the bus back after an outage), in arrival order. */
  readonly flushes: Array<{ worker: number, t: number }> = []
  readonly #children: ChildProcess[] = []
  readonly #pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  readonly #drops = new Map<string, { waiting: Set<number>, times: Map<number, number>, done: () => void }>()
  #nextId = 0

  private constructor (mode: L1InvalidationMode, prefix: string, probe: Redis | Cluster) {
    this.mode = mode
    this.prefix = prefix
    this.probe = probe
  }

  static async start (mode: L1InvalidationMode, prefix: string, target: Record<string, string>, probe: Redis | Cluster): Promise<Fleet> {
    const fleet = new Fleet(mode, prefix, probe)
    const script = fileURLToPath(new URL('./coherence-worker.js', import.meta.url))
    const env = {
      ...target,
      REDIS_KEY_PREFIX: prefix,
      L1_INVALIDATION: mode,
      CACHE_STRATEGY: 'layered',
      WORKERS: '1',
      CACHE_TTL_SECONDS: String(FRESH_MS / 1000),
      CACHE_GRACE_SECONDS: String(GRACE_MS / 1000),
      CACHE_TTL_JITTER: '0',
      LOG_LEVEL: 'silent'
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, worker) => new Promise<void>((resolve, reject) => {
      const child = fork(script, [], {
        env: { ...process.env, COHERENCE_BENCH_ENV: JSON.stringify(env), COHERENCE_BENCH_WORKER: String(worker) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc']
      })
      fleet.#children.push(child)
      child.once('exit', (code) => reject(new Error(`${mode} worker ${worker} exited (${code}) before it was ready`)))
      child.on('message', (message: WorkerReply) => {
        if (message.type === 'ready') resolve()
        else fleet.#receive(message)
      })
    })))
    return fleet
  }

  #receive (message: WorkerReply): void {
    if (message.type === 'reply') {
      const pending = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (message.error !== undefined) pending?.reject(new Error(message.error))
      else pending?.resolve(message.result)
    } else if (message.type === 'drop') {
      const waiter = this.#drops.get(message.key)
      if (waiter === undefined || !waiter.waiting.has(message.worker)) return
      waiter.waiting.delete(message.worker)
      waiter.times.set(message.worker, message.t)
      if (waiter.waiting.size === 0) waiter.done()
    } else if (message.type === 'flush') {
      this.flushes.push({ worker: message.worker, t: message.t })
    }
  }

  call<T> (worker: number, request: WorkerCommand): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#children[worker]!.send({ ...request, id })
    })
  }

  all<T> (request: WorkerCommand): Promise<T[]> {
    return Promise.all(this.#children.map((_, worker) => this.call<T>(worker, request)))
  }

  /** Resolves with each listed worker's drop time of `key` (those that dropped within `timeoutMs`). Call before the write. */
  expectDrops (key: string, workers: readonly number[], timeoutMs: number): Promise<Map<number, number>> {
    return new Promise((resolve) => {
      const times = new Map<number, number>()
      const finish = (): void => {
        clearTimeout(timer)
        this.#drops.delete(key)
        resolve(times)
      }
      const timer = setTimeout(finish, timeoutMs)
      this.#drops.set(key, { waiting: new Set(workers), times, done: finish })
    })
  }

  redisKey (key: string): string {
    return `${this.prefix}:${L2_FORMAT_VERSION}:${key}`
  }

  /** Every worker holds a fresh copy of each key: the first fills it, the others read it from L2. */
  async hold (keys: readonly string[]): Promise<void> {
    await this.call(0, { op: 'get', keys: [...keys] })
    for (const key of keys) {
      for (let tries = 0; (await this.probe.exists(this.redisKey(key))) !== 1; tries++) {
        if (tries > 200) throw new Error(`${this.mode}: ${key} never reached L2`)
        await sleep(2)
      }
    }
    await Promise.all([1, 2, 3].map(async (worker) => await this.call(worker, { op: 'get', keys: [...keys] })))
  }

  async writeByHand (key: string): Promise<{ key: string, t: number, etag: string }> {
    const { value, etag } = byHand(key)
    await this.probe.set(this.redisKey(key), value, 'PX', FRESH_MS + GRACE_MS)
    return { key, t: now(), etag }
  }

  /** Stops every read loop; per write, the stale reads summed over the workers and the last one's delay. */
  async staleReads (writes: Array<{ key: string, t: number, etag: string }>): Promise<Array<{ stale: number, lastStaleMs: number | null }>> {
    await this.all({ op: 'readStop' })
    const perWorker = await this.all<StaleCount[]>({ op: 'stale', writes })
    return writes.map((_, i) => {
      const counts = perWorker.map((worker) => worker[i]!)
      const lasts = counts.map((c) => c.lastStaleMs).filter((t): t is number => t !== null)
      return { stale: counts.reduce((n, c) => n + c.stale, 0), lastStaleMs: lasts.length === 0 ? null : Math.max(...lasts) }
    })
  }

  async close (): Promise<void> {
    await Promise.race([this.all({ op: 'close' }).catch(() => {}), sleep(2000)])
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL')
  }
}

interface RedisSnapshot { at: number, cpuS: number, netBytes: number, commands: Map<string, { calls: number, usec: number }> }

async function snapshot (probe: Redis): Promise<RedisSnapshot> {
  const info = String(await probe.call('INFO', 'cpu', 'stats', 'commandstats'))
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN)
  const commands = new Map<string, { calls: number, usec: number }>()
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/gm)) commands.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) })
  return {
    at: now(),
    cpuS: field('used_cpu_user') + field('used_cpu_sys'),
    netBytes: field('total_net_input_bytes') + field('total_net_output_bytes'),
    commands
  }
}

interface Cost { cpuUs: number, netBytes: number, commands: string }

/** What the server spends with its clients connected and idle (cron, INFO itself): taken out of the deltas. */
interface Idle { cpuSPerMs: number, infoBytes: number }

async function idleCost (probe: Redis): Promise<Idle> {
  const a = await snapshot(probe)
  const b = await snapshot(probe)
  await sleep(1000)
  const c = await snapshot(probe)
  return { cpuSPerMs: (c.cpuS - b.cpuS) / (c.at - b.at), infoBytes: b.netBytes - a.netBytes }
}

function costPerOp (before: RedisSnapshot, after: RedisSnapshot, ops: number, idle: Idle): Cost {
  const changed: string[] = []
  for (const [name, { calls }] of after.commands) {
    if (name === 'info') continue
    const delta = calls - (before.commands.get(name)?.calls ?? 0)
    if (delta > 0) changed.push(`${name} ${(delta / ops).toFixed(2)}`)
  }
  return {
    cpuUs: (after.cpuS - before.cpuS - idle.cpuSPerMs * (after.at - before.at)) * 1e6 / ops,
    netBytes: (after.netBytes - before.netBytes - idle.infoBytes) / ops,
    commands: changed.sort().join(', ')
  }
}

/** Nearest rank. */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 0.5)
const ms = (n: number): string => Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(0)

/** The delay of one write: the last listed worker's drop, after `t0`; NaN when one never dropped. */
async function delayOf (fleet: Fleet, key: string, workers: readonly number[], write: () => Promise<number>): Promise<number> {
  const drops = fleet.expectDrops(key, workers, 2000)
  const t0 = await write()
  const times = await drops
  return times.size === workers.length ? Math.max(...times.values()) - t0 : NaN
}

interface Delays {
  /** Per kind of write, every delay (NaN: some worker never dropped its copy). */
  all: Record<string, number[]>
  /** Per kind, the p50 of each round: the spread across rounds. */
  roundP50: Record<string, number[]>
}

async function delayPhase (fleets: Record<L1InvalidationMode, Fleet>, options: CoherenceOptions, out: NodeJS.WritableStream): Promise<Delays> {
  const delays: Record<string, number[]> = { 'pubsub purge': [], 'tracking purge': [], 'tracking out-of-band': [] }
  const roundP50: Record<string, number[]> = { 'pubsub purge': [], 'tracking purge': [], 'tracking out-of-band': [] }
  const perRound = options.writes / options.rounds
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? MODES : [...MODES].reverse()
    const thisRound: Record<string, number[]> = { 'pubsub purge': [], 'tracking purge': [], 'tracking out-of-band': [] }
    for (const mode of order) {
      const fleet = fleets[mode]
      for (let j = 0; j < perRound; j++) {
        const i = round * perRound + j
        const key = `d${i}`
        await fleet.hold([key])
        const writer = i % WORKERS
        const others = [0, 1, 2, 3].filter((w) => w !== writer)
        thisRound[`${mode} purge`]!.push(await delayOf(fleet, key, others, () => fleet.call<number>(writer, { op: 'purge', key })))
        if (mode === 'tracking') {
          const oob = `o${i}`
          await fleet.hold([oob])
          thisRound['tracking out-of-band']!.push(await delayOf(fleet, oob, [0, 1, 2, 3], async () => {
            const t0 = now()
            await fleet.writeByHand(oob)
            return t0
          }))
        }
      }
    }
    for (const [name, values] of Object.entries(thisRound)) {
      delays[name]!.push(...values)
      roundP50[name]!.push(median(values.filter((v) => !Number.isNaN(v))))
    }
    const p50s = Object.entries(thisRound).map(([name, v]) => `${name} ${ms(median(v))} ms`).join(', ')
    out.write(`  round ${round + 1}/${options.rounds} (${order.join(' then ')}): p50 ${p50s}\n`)
  }
  return { all: delays, roundP50 }
}

async function costPhase (fleets: Record<L1InvalidationMode, Fleet>, probes: Record<L1InvalidationMode, Redis>, options: CoherenceOptions,
  out: NodeJS.WritableStream): Promise<Record<string, Cost[]>> {
  const costs: Record<string, Cost[]> = { 'pubsub purge': [], 'tracking purge': [], 'pubsub fill': [], 'tracking fill': [] }
  for (let round = 0; round < 3; round++) {
    for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
      const fleet = fleets[mode]
      const probe = probes[mode]
      const idle = await idleCost(probe)
      const pipeline = probe.pipeline()
      for (let i = 0; i < options.costOps; i++) pipeline.set(fleet.redisKey(`c${round}-${i}`), byHand(`c${round}-${i}`).value, 'PX', 60_000)
      await pipeline.exec()
      await sleep(300)
      const beforePurge = await snapshot(probe)
      for (let i = 0; i < options.costOps; i++) await fleet.call(i % WORKERS, { op: 'purge', key: `c${round}-${i}` })
      await sleep(300)
      const afterPurge = await snapshot(probe)
      costs[`${mode} purge`]!.push(costPerOp(beforePurge, afterPurge, options.costOps, idle))
      for (let i = 0; i < options.costOps; i++) await fleet.call(i % WORKERS, { op: 'get', keys: [`f${round}-${i}`] })
      await sleep(300)
      const afterFill = await snapshot(probe)
      costs[`${mode} fill`]!.push(costPerOp(afterPurge, afterFill, options.costOps, idle))
    }
    const last = Object.entries(costs).map(([name, c]) => `${name} ${c.at(-1)!.cpuUs.toFixed(1)} µs ${c.at(-1)!.netBytes.toFixed(0)} B`).join(', ')
    out.write(`  cost round ${round + 1}/3: ${last}\n`)
  }
  return costs
}

async function stalePhase (fleets: Record<L1InvalidationMode, Fleet>, options: CoherenceOptions,
  out: NodeJS.WritableStream): Promise<Record<L1InvalidationMode, StaleCount[]>> {
  const stale: Record<L1InvalidationMode, StaleCount[]> = { pubsub: [], tracking: [] }
  // Both fleets at once, on their own servers: one window, side by side.
  for (let i = 0; i < options.staleWrites; i++) {
    const key = `s${i}`
    await Promise.all(MODES.map(async (mode) => await fleets[mode].hold([key])))
    await Promise.all(MODES.map(async (mode) => await fleets[mode].all({ op: 'readStart', keys: [key] })))
    await sleep(50)
    const writes = await Promise.all(MODES.map(async (mode) => await fleets[mode].writeByHand(key)))
    await sleep(options.windowMs - 50)
    for (const [m, mode] of MODES.entries()) stale[mode].push(...await fleets[mode].staleReads([writes[m]!]))
  }
  const medians = MODES.map((mode) => `${mode} ${median(stale[mode].map((s) => s.stale))}`).join(', ')
  out.write(`  ${options.staleWrites} writes by hand: stale reads per write (median) ${medians}\n`)
  return stale
}

interface OutageResult {
  /** Per worker: ms from the server back (or the kill) to its L1 flush; null when it never flushed. */
  flushMs: Array<number | null>
  /** Stale reads after a write by hand right after the outage, summed over the workers and keys. */
  staleFirst: number
  /** … and after a write once everything reconnected. */
  staleLater: number
  lastStaleLaterMs: number | null
}

async function restartPhase (fleet: Fleet, server: RedisServer, keys: readonly string[]): Promise<{ result: OutageResult, server: RedisServer }> {
  await fleet.hold(keys)
  await fleet.all({ op: 'readStart', keys: [...keys] })
  await sleep(200)
  const flushesBefore = fleet.flushes.length
  await server.kill()
  server = await server.restart()
  const back = now()
  // Another service repopulates L2 at once, on a connection of its own, while our workers (and the
  // probe) are still in their reconnect back-off.
  const writer = new Redis(server.url, { maxRetriesPerRequest: 1 })
  writer.on('error', () => {})
  const first = await Promise.all(keys.map(async (key) => {
    const { value, etag } = byHand(key)
    await writer.set(fleet.redisKey(key), value, 'PX', FRESH_MS + GRACE_MS)
    return { key, t: now(), etag }
  }))
  writer.disconnect()
  const deadline = Date.now() + 15_000
  while (new Set(fleet.flushes.slice(flushesBefore).map((f) => f.worker)).size < WORKERS && Date.now() < deadline) await sleep(20)
  await sleep(500)
  const later = await Promise.all(keys.map((key) => fleet.writeByHand(key)))
  await sleep(500)
  const counts = await fleet.staleReads([...first, ...later])
  const flushMs = [0, 1, 2, 3].map((worker) => {
    const flush = fleet.flushes.slice(flushesBefore).find((f) => f.worker === worker)
    return flush === undefined ? null : flush.t - back
  })
  return {
    result: {
      flushMs,
      staleFirst: counts.slice(0, keys.length).reduce((n, c) => n + c.stale, 0),
      staleLater: counts.slice(keys.length).reduce((n, c) => n + c.stale, 0),
      lastStaleLaterMs: counts.slice(keys.length).reduce<number | null>((last, c) => c.lastStaleMs === null ? last : Math.max(last ?? 0, c.lastStaleMs), null)
    },
    server
  }
}

interface FailoverResult { promotedMs: number, modes: Record<L1InvalidationMode, OutageResult> }

async function failoverPhase (cluster: RedisCluster, out: NodeJS.WritableStream): Promise<FailoverResult> {
  const seeds = cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }))
  const oob = new Cluster(seeds, { redisOptions: { maxRetriesPerRequest: 1 } })
  oob.on('error', () => {})
  const fleets = {} as Record<L1InvalidationMode, Fleet>
  try {
    while (oob.status !== 'ready') await sleep(20)
    for (const mode of MODES) fleets[mode] = await Fleet.start(mode, `cb${mode}`, { REDIS_CLUSTER_NODES: cluster.seeds }, oob)
    // A replica that never synced may not take over (Redis 7 delays the first full sync by 5 s).
    for (;;) {
      const infos = await Promise.all(cluster.nodes.map((n) => withRedis(n.port, async (c) => String(await c.info('replication')))))
      if (infos.every((info) => info.includes('role:master') || info.includes('master_link_status:up'))) break
      await sleep(200)
    }
    const masters = (await cluster.describe()).filter((n) => n.role === 'master').map((n) => n.port)
    const slots = await withRedis(masters[0]!, async (c) => await c.call('CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>)
    const owner = (slot: number): number => slots.find(([from, to]) => slot >= from && slot <= to)![2][1]
    const victim = masters[0]!
    // Per fleet: two keys on each master.
    const keys = {} as Record<L1InvalidationMode, string[]>
    for (const mode of MODES) {
      const perMaster = new Map<number, string[]>(masters.map((port) => [port, []]))
      for (let i = 0; [...perMaster.values()].some((k) => k.length < 2); i++) {
        const key = `fo${i}`
        const list = perMaster.get(owner(Number(await oob.call('CLUSTER', 'KEYSLOT', fleets[mode].redisKey(key)))))!
        if (list.length < 2) list.push(key)
      }
      keys[mode] = [...perMaster.values()].flat()
      await fleets[mode].hold(keys[mode])
      await fleets[mode].all({ op: 'readStart', keys: keys[mode] })
    }
    await sleep(200)
    const flushesBefore = Object.fromEntries(MODES.map((mode) => [mode, fleets[mode].flushes.length]))
    const killed = now()
    await cluster.nodes.find((n) => n.port === victim)!.kill()
    for (;;) {
      const live = await cluster.describe()
      if (live.filter((n) => n.role === 'master').length === masters.length) break
      await sleep(100)
    }
    const promoted = now()
    // Written by hand as soon as a replica has taken over (retried while clients catch up).
    const writes = {} as Record<L1InvalidationMode, Array<{ key: string, t: number, etag: string }>>
    for (const mode of MODES) {
      writes[mode] = []
      for (const key of keys[mode]) {
        for (let tries = 0; ; tries++) {
          try {
            writes[mode].push(await fleets[mode].writeByHand(key))
            break
          } catch (err) {
            if (tries > 100) throw err
            await sleep(50)
          }
        }
      }
    }
    await sleep(3000)
    out.write(`  master ${victim} killed; a replica took over after ${ms(promoted - killed)} ms\n`)
    const results = {} as Record<L1InvalidationMode, OutageResult>
    for (const mode of MODES) {
      const counts = await fleets[mode].staleReads(writes[mode])
      const flushes = fleets[mode].flushes.slice(flushesBefore[mode])
      results[mode] = {
        flushMs: [0, 1, 2, 3].map((worker) => {
          const flush = flushes.find((f) => f.worker === worker)
          return flush === undefined ? null : flush.t - killed
        }),
        staleFirst: 0,
        staleLater: counts.reduce((n, c) => n + c.stale, 0),
        lastStaleLaterMs: counts.reduce<number | null>((last, c) => c.lastStaleMs === null ? last : Math.max(last ?? 0, c.lastStaleMs), null)
      }
    }
    return { promotedMs: promoted - killed, modes: results }
  } finally {
    for (const fleet of Object.values(fleets)) await fleet.close()
    oob.disconnect()
  }
}

const flushSummary = (flushMs: ReadonlyArray<number | null>): string => {
  const flushed = flushMs.filter((t): t is number => t !== null)
  return `${flushed.length}/${flushMs.length} workers` + (flushed.length > 0 ? `, the last after ${ms(Math.max(...flushed))} ms` : '')
}

export async function coherenceBench (argv: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<TaskResult[]> {
  const options = parseCoherenceArgs(argv)
  const command = ['npm run bench -- coherence', ...argv].join(' ')
  out.write(`${command}\nnode ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}\n`)
  out.write('fleets: per mode 4 worker processes (2 instances × 2 workers), each with its own connections, on a redis-server of its own\n')
  const servers = {} as Record<L1InvalidationMode, RedisServer>
  const probes = {} as Record<L1InvalidationMode, Redis>
  const fleets = {} as Record<L1InvalidationMode, Fleet>
  try {
    for (const mode of MODES) {
      servers[mode] = await startRedisServer()
      probes[mode] = new Redis(servers[mode].url, { maxRetriesPerRequest: 3 })
      probes[mode].on('error', () => {})
      fleets[mode] = await Fleet.start(mode, `cb${mode}`, { REDIS_URL: servers[mode].url }, probes[mode])
    }
    out.write(`\ninvalidation delay (${options.writes} writes per kind, ${options.rounds} rounds):\n`)
    const delays = await delayPhase(fleets, options, out)
    out.write('\nRedis cost per operation (3 rounds):\n')
    const costs = await costPhase(fleets, probes, options, out)
    out.write(`\nstale reads after a write by hand (every worker reading the key every ~1 ms, ${options.windowMs} ms window):\n`)
    const stale = await stalePhase(fleets, options, out)
    out.write('\nRedis restart (killed, restarted on its port, a write by hand at once, another once reconnected):\n')
    const restart = {} as Record<L1InvalidationMode, OutageResult>
    for (const mode of MODES) {
      const { result, server } = await restartPhase(fleets[mode], servers[mode], ['r1', 'r2', 'r3'])
      servers[mode] = server
      restart[mode] = result
      out.write(`  ${mode}: L1 flushed on ${flushSummary(result.flushMs)}; ` +
        `stale reads ${result.staleFirst} after the first write, ${result.staleLater} after the second\n`)
    }
    let failover: FailoverResult | undefined
    if (options.cluster) {
      out.write('\nRedis Cluster failover (3 masters + 3 replicas, node timeout 1 s; both fleets on one cluster):\n')
      const cluster = await startRedisCluster()
      try {
        failover = await failoverPhase(cluster, out)
      } finally {
        await cluster.stop()
      }
      for (const mode of MODES) {
        out.write(`  ${mode}: L1 flushed on ${flushSummary(failover.modes[mode].flushMs)} (after the kill); ` +
          `stale reads after the writes ${failover.modes[mode].staleLater}\n`)
      }
    }
    out.write(`\n${summaryTable({ delays, costs, stale, restart, failover, options })}\n`)
  } finally {
    for (const fleet of Object.values(fleets)) await fleet.close()
    for (const probe of Object.values(probes)) probe.disconnect()
    for (const server of Object.values(servers)) await server.stop().catch(() => {})
  }
  return []
}

function summaryTable ({ delays, costs, stale, restart, failover, options }: {
  delays: Delays
  costs: Record<string, Cost[]>
  stale: Record<L1InvalidationMode, StaleCount[]>
  restart: Record<L1InvalidationMode, OutageResult>
  failover: FailoverResult | undefined
  options: CoherenceOptions
}): string {
  const delay = (name: string): string => {
    const values = delays.all[name]!
    const seen = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
    const lost = values.length - seen.length
    const rounds = delays.roundP50[name]!
    return `${ms(percentile(seen, 0.5))} / ${ms(percentile(seen, 0.99))} (round p50s ${ms(Math.min(...rounds))}–${ms(Math.max(...rounds))})` +
      (lost > 0 ? `; ${lost} of ${values.length} never dropped` : '')
  }
  const cost = (name: string, field: 'cpuUs' | 'netBytes'): string => {
    const values = costs[name]!.map((c) => c[field])
    const digits = field === 'cpuUs' ? 1 : 0
    return `${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`
  }
  const staleLater = (result: OutageResult): string =>
    String(result.staleLater) + (result.lastStaleLaterMs === null ? '' : ` (the last ${ms(result.lastStaleLaterMs)} ms after the write)`)
  const staleCell = (mode: L1InvalidationMode): string => {
    const counts = stale[mode].map((s) => s.stale).sort((a, b) => a - b)
    const lasts = stale[mode].map((s) => s.lastStaleMs).filter((v): v is number => v !== null).sort((a, b) => a - b)
    const tail = mode === 'pubsub'
      ? ' — every read until the copy expires'
      : lasts.length > 0 ? `; last one ${ms(percentile(lasts, 0.99))} ms after the write (p99)` : ''
    return `${percentile(counts, 0.5)} / ${counts.at(-1)}${tail}`
  }
  const rows: string[][] = [
    ['invalidation delay, a purge → every other L1 dropped, ms (p50 / p99)', delay('pubsub purge'), delay('tracking purge')],
    ['invalidation delay, a SET by hand → every L1 dropped, ms (p50 / p99)', 'never: pub/sub cannot see it', delay('tracking out-of-band')],
    [`stale reads after a SET by hand, per write (4 workers × 1 read/ms; median / max of ${options.staleWrites})`, staleCell('pubsub'), staleCell('tracking')],
    ['Redis CPU per purge, µs (median [min–max] of 3 rounds; idle CPU taken out)', cost('pubsub purge', 'cpuUs'), cost('tracking purge', 'cpuUs')],
    ['Redis network per purge, bytes in + out', cost('pubsub purge', 'netBytes'), cost('tracking purge', 'netBytes')],
    ['commands per purge', costs['pubsub purge']!.at(-1)!.commands, costs['tracking purge']!.at(-1)!.commands],
    ['Redis CPU per fill (a miss: lock, SET, release), µs', cost('pubsub fill', 'cpuUs'), cost('tracking fill', 'cpuUs')],
    ['Redis network per fill, bytes in + out', cost('pubsub fill', 'netBytes'), cost('tracking fill', 'netBytes')],
    ['commands per fill', costs['pubsub fill']!.at(-1)!.commands, costs['tracking fill']!.at(-1)!.commands],
    ['Redis restart: L1 flushed (ms after the server is back)', flushSummary(restart.pubsub.flushMs), flushSummary(restart.tracking.flushMs)],
    ['restart: stale reads after a SET by hand made as the server came back (3 keys × 4 workers)',
      String(restart.pubsub.staleFirst), String(restart.tracking.staleFirst)],
    ['restart: stale reads after a SET by hand once reconnected (3 keys, 500 ms)', staleLater(restart.pubsub), staleLater(restart.tracking)]
  ]
  if (failover !== undefined) {
    rows.push(
      [`cluster failover: L1 flushed (ms after the kill; a replica took over after ${ms(failover.promotedMs)} ms)`,
        flushSummary(failover.modes.pubsub.flushMs), flushSummary(failover.modes.tracking.flushMs)],
      ['failover: stale reads after SETs by hand on every master once a replica took over (6 keys, 3 s)',
        staleLater(failover.modes.pubsub), staleLater(failover.modes.tracking)]
    )
  }
  return ['| | pubsub | tracking |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}
