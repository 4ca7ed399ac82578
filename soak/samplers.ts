// The samplers: every few seconds, one value per series from /proc (each worker, the primary,
// nginx, the provider), the primary's internal metrics listener (aggregated over the workers),
// Redis (INFO, DBSIZE) and the load itself. A source that fails gives nulls for that sample
// (a gap in the chart), never a made-up value.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { request } from 'undici'
import { parsePrometheusText, type Sample } from '../loadtest/measure/prometheus.js'
import type { LoadWindow } from './paced-client.js'
import type { ProcReader } from './proc.js'
import type { SeriesSpec } from './series.js'
import type { ProbeReport } from './worker-probe.js'

export interface SamplerTargets {
  /** The app's cluster primary; its children are the workers. */
  primaryPid: number
  workers: number
  /** nginx's master (its workers are its children). */
  nginxPid: number
  originPid: number
  /** The primary's internal metrics listener, …/metrics. */
  metricsUrl: string
  redisUrl: string
  /** Where soak/worker-probe.ts writes each process's heap (SOAK_PROBE_DIR); null: not loaded. */
  probeDir: string | null
}

/** Metric names on the metrics listener, matched by suffix (prom-client's default metrics carry
 * the app's `cachestack_` prefix). The L1 gauges are exact names. */
export const METRICS = Object.freeze({
  heapUsed: 'nodejs_heap_size_used_bytes',
  eventLoopP99: 'nodejs_eventloop_lag_p99_seconds',
  l1Entries: 'cachestack_l1_entries',
  l1Bytes: 'cachestack_l1_bytes'
})

export interface SoakEvent {
  /** Seconds since the load started. */
  t: number
  message: string
}

export interface Sampler {
  readonly series: readonly SeriesSpec[]
  /** One value per series id (null: not measured this time). */
  sample (t: number, load: LoadWindow | null): Promise<Record<string, number | null>>
  /** Worker exits and respawns, sources failing and recovering. */
  readonly events: SoakEvent[]
  /** What could not be measured at all, and why (e.g. a metric the listener does not expose). */
  notes (): string[]
  close (): Promise<void>
}

const spec = (id: string, label: string, unit: SeriesSpec['unit'], kind: SeriesSpec['kind'], source: string): SeriesSpec => ({ id, label, unit, kind, source })

export function seriesCatalogue (workers: number): SeriesSpec[] {
  const perWorker = Array.from({ length: workers }, (_, i) => {
    const w = `worker-${i + 1}`
    const name = `worker ${i + 1}`
    return [
      spec(`${w}.rss`, `${name} RSS`, 'bytes', 'process-memory', `VmRSS of /proc/<pid>/status, the primary's child #${i + 1}`),
      spec(`${w}.anon`, `${name} anonymous RSS`, 'bytes', 'process-memory', 'RssAnon of /proc/<pid>/status: V8 heap, Buffers and malloc, without mapped files'),
      spec(`${w}.heap-used`, `${name} V8 heap used`, 'bytes', 'heap',
        'used_heap_size, written each second by the soak\'s probe in the worker (soak/worker-probe.ts)'),
      spec(`${w}.heap-live`, `${name} V8 heap live after major GC`, 'bytes', 'live-heap',
        'the old generation\'s used size as each major collection ends (probe): what survives, the leak signal'),
      spec(`${w}.outside-heap`, `${name} memory outside the V8 heap`, 'bytes', 'process-memory',
        'RssAnon minus V8\'s committed heap (probe): Buffers, malloc, code — where a native leak shows'),
      { id: `${w}.fds`, label: `${name} file descriptors`, unit: 'count', kind: 'descriptors', source: 'entries of /proc/<pid>/fd' },
      { id: `${w}.sockets`, label: `${name} sockets`, unit: 'count', kind: 'descriptors', source: 'entries of /proc/<pid>/fd linking to socket:[…]' }
    ] satisfies SeriesSpec[]
  }).flat()
  return [
    ...perWorker,
    {
      id: 'workers.heap-used',
      label: 'V8 heap used, all workers',
      unit: 'bytes',
      kind: 'heap',
      source: `${METRICS.heapUsed} on the metrics listener: the sum over the workers (prom-client aggregates gauges by sum)`
    },
    {
      id: 'workers.event-loop-p99',
      label: 'event-loop delay p99, workers',
      unit: 'seconds',
      kind: 'event-loop',
      source: `${METRICS.eventLoopP99} on the metrics listener: the workers' average, each over the time since the previous scrape`
    },
    spec('l1.entries', 'L1 entries, all workers', 'count', 'cache-entries', `${METRICS.l1Entries} on the metrics listener (summed)`),
    spec('l1.bytes', 'L1 bytes, all workers', 'bytes', 'cache-bytes', `${METRICS.l1Bytes} on the metrics listener (summed)`),
    spec('primary.rss', 'primary RSS', 'bytes', 'process-memory', 'VmRSS of the cluster primary'),
    spec('primary.heap-live', 'primary V8 heap live after major GC', 'bytes', 'live-heap', 'as the workers\', from the probe in the primary'),
    spec('primary.outside-heap', 'primary memory outside the V8 heap', 'bytes', 'process-memory', 'as the workers\': RssAnon minus the committed heap'),
    spec('primary.fds', 'primary file descriptors', 'count', 'descriptors', 'entries of /proc/<primary>/fd'),
    spec('primary.sockets', 'primary sockets', 'count', 'descriptors', 'socket links in /proc/<primary>/fd'),
    spec('redis.used-memory', 'Redis used_memory', 'bytes', 'cache-bytes', 'INFO memory, used_memory'),
    spec('redis.keys', 'Redis keys', 'count', 'cache-entries', 'DBSIZE: every key of the stack\'s redis-server (entries and fill locks)'),
    spec('redis.clients', 'Redis connected clients', 'count', 'descriptors', 'INFO clients, connected_clients (the sampler\'s own connection included)'),
    spec('nginx.sockets', 'nginx sockets', 'count', 'descriptors', 'socket links in /proc/<pid>/fd, nginx master and workers together'),
    spec('origin.sockets', 'provider sockets', 'count', 'descriptors',
      'socket links in /proc/<pid>/fd of the simulated provider (the workers\' origin pools end here)'),
    spec('load.answers', 'answers per second (client)', 'per-second', 'info', 'answers the soak client received since the previous sample, per second'),
    spec('load.p99', 'answer time p99 (client)', 'ms', 'info', 'p99 of the answers received since the previous sample, through nginx'),
    spec('machine.load1', 'machine load average (1 min)', 'load', 'info', '/proc/loadavg: how busy the shared cores were (the soak\'s own processes included)')
  ]
}

/** The value of the first metric named `name`, or ending in `_name` for default metrics; undefined when absent. */
export function metricValue (samples: readonly Sample[], name: string): number | undefined {
  const matches = (n: string): boolean => n === name || n.endsWith(`_${name}`)
  const found = samples.filter((s) => matches(s.name))
  if (found.length === 0) return undefined
  // Labelled series of one gauge (e.g. per worker, if the listener ever exposes them) add up.
  return found.reduce((sum, s) => sum + s.value, 0)
}

/** `field:value` of a Redis INFO section. */
export function infoField (info: string, field: string): number | null {
  const match = new RegExp(`^${field}:(\\d+(?:\\.\\d+)?)\\r?$`, 'm').exec(info)
  return match === null ? null : Number(match[1])
}

/** A probe report no older than `maxAgeMs`, or null. */
export function readProbe (dir: string | null, pid: number, maxAgeMs = 5000): ProbeReport | null {
  if (dir === null) return null
  try {
    const report = JSON.parse(readFileSync(join(dir, `${pid}.json`), 'utf8')) as ProbeReport
    return report.pid === pid && Date.now() - report.at <= maxAgeMs ? report : null
  } catch {
    return null
  }
}

function loadAverage (): number | null {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  } catch {
    return null
  }
}

export function createSampler (targets: SamplerTargets, proc: ProcReader): Sampler {
  const series = seriesCatalogue(targets.workers)
  const events: SoakEvent[] = []
  // Worker slots: a pid keeps its slot while it lives; a respawned worker takes the freed one.
  const slots: Array<number | undefined> = new Array<number | undefined>(targets.workers)
  const failing = new Set<string>()
  const absentMetrics = new Set<string>()
  let scrapes = 0
  const redis = new Redis(targets.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    enableOfflineQueue: false
  })
  redis.on('error', () => {}) // failures show as nulls and events, per sample
  let connecting: Promise<void> | undefined

  /** A source's first failure and its recovery become events; the nulls speak for the rest. */
  const outcome = (t: number, source: string, err: unknown): void => {
    if (err === undefined) {
      if (failing.delete(source)) events.push({ t, message: `${source}: measured again` })
    } else if (!failing.has(source)) {
      failing.add(source)
      events.push({ t, message: `${source}: not measured (${(err as Error).message ?? String(err)})` })
    }
  }

  function assignWorkers (t: number): Array<number | undefined> {
    const children = proc.children(targets.primaryPid)
    const alive = new Set(children)
    for (let i = 0; i < slots.length; i++) {
      const pid = slots[i]
      if (pid !== undefined && !alive.has(pid)) {
        events.push({ t, message: `worker ${i + 1} (pid ${pid}) is gone` })
        slots[i] = undefined
      }
    }
    const placed = new Set(slots)
    for (const pid of children) {
      if (placed.has(pid)) continue
      const free = slots.findIndex((s) => s === undefined)
      if (free < 0) break
      if (scrapes > 0) events.push({ t, message: `worker ${free + 1} is now pid ${pid}` })
      slots[free] = pid
      placed.add(pid)
    }
    return slots
  }

  function sampleProcesses (t: number, values: Record<string, number | null>): void {
    const workers = assignWorkers(t)
    workers.forEach((pid, i) => {
      const w = `worker-${i + 1}`
      const memory = pid === undefined ? null : proc.memory(pid)
      const descriptors = pid === undefined ? null : proc.descriptors(pid)
      const probe = pid === undefined ? null : readProbe(targets.probeDir, pid)
      values[`${w}.rss`] = memory?.rssBytes ?? null
      values[`${w}.anon`] = memory?.anonBytes ?? null
      values[`${w}.heap-used`] = probe?.heapUsed ?? null
      values[`${w}.heap-live`] = probe?.liveAfterMajorGc ?? null
      values[`${w}.outside-heap`] = memory === null || probe === null ? null : memory.anonBytes - probe.heapCommitted
      values[`${w}.fds`] = descriptors?.fds ?? null
      values[`${w}.sockets`] = descriptors?.sockets ?? null
    })
    const primary = proc.memory(targets.primaryPid)
    const primaryFds = proc.descriptors(targets.primaryPid)
    values['primary.rss'] = primary?.rssBytes ?? null
    const primaryProbe = readProbe(targets.probeDir, targets.primaryPid)
    values['primary.heap-live'] = primaryProbe?.liveAfterMajorGc ?? null
    values['primary.outside-heap'] = primary === null || primaryProbe === null ? null : primary.anonBytes - primaryProbe.heapCommitted
    values['primary.fds'] = primaryFds?.fds ?? null
    values['primary.sockets'] = primaryFds?.sockets ?? null
    const nginx = [targets.nginxPid, ...proc.children(targets.nginxPid)].map((pid) => proc.descriptors(pid))
    values['nginx.sockets'] = nginx[0] === null ? null : nginx.reduce((sum, d) => sum + (d?.sockets ?? 0), 0)
    values['origin.sockets'] = proc.descriptors(targets.originPid)?.sockets ?? null
    values['machine.load1'] = loadAverage()
  }

  async function sampleMetrics (t: number, values: Record<string, number | null>): Promise<void> {
    try {
      const answer = await request(targets.metricsUrl, { headersTimeout: 4000, bodyTimeout: 4000 })
      const text = await answer.body.text()
      if (answer.statusCode !== 200) throw new Error(`status ${answer.statusCode}`)
      const samples = parsePrometheusText(text)
      const read = (id: string, name: string): void => {
        const value = metricValue(samples, name)
        values[id] = value ?? null
        if (value === undefined) absentMetrics.add(name)
        else absentMetrics.delete(name)
      }
      read('workers.heap-used', METRICS.heapUsed)
      read('workers.event-loop-p99', METRICS.eventLoopP99)
      read('l1.entries', METRICS.l1Entries)
      read('l1.bytes', METRICS.l1Bytes)
      outcome(t, 'metrics listener', undefined)
    } catch (err) {
      outcome(t, 'metrics listener', err)
    }
  }

  async function sampleRedis (t: number, values: Record<string, number | null>): Promise<void> {
    try {
      if (redis.status === 'wait') connecting ??= redis.connect()
      await connecting
      const replies = await redis.pipeline().info('memory').info('clients').dbsize().exec()
      if (replies === null) throw new Error('no reply')
      const [memory, clients, keys] = replies.map(([err, reply]) => {
        if (err !== null) throw err
        return reply
      }) as [string, string, number]
      values['redis.used-memory'] = infoField(memory, 'used_memory')
      values['redis.clients'] = infoField(clients, 'connected_clients')
      values['redis.keys'] = keys
      outcome(t, 'Redis', undefined)
    } catch (err) {
      outcome(t, 'Redis', err)
    }
  }

  return {
    series,
    events,
    async sample (t, load) {
      const values: Record<string, number | null> = Object.fromEntries(series.map((s) => [s.id, null]))
      sampleProcesses(t, values)
      await Promise.all([sampleMetrics(t, values), sampleRedis(t, values)])
      if (load !== null) {
        values['load.answers'] = load.seconds > 0 ? load.answers / load.seconds : null
        values['load.p99'] = load.p99Ms
      }
      scrapes++
      return values
    },
    notes () {
      const notes = [...absentMetrics].map((name) => `${name} is not exposed by the metrics listener: its series stays empty (verdict 'absent')`)
      if (targets.probeDir === null) notes.push('the heap probe was not loaded: per-worker heap series stay empty')
      return notes
    },
    async close () {
      redis.disconnect()
    }
  }
}
