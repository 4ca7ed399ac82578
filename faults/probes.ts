// What a fault row observes besides the load's answers: the app's internal metrics (breaker
// state, L2 operations skipped) polled through the run, the provider's counter, a cluster
// primary's workers and their open sockets, and whether L2 serves (a key one worker filled is
// HIT-L2 on the other). Every read is bounded in time; a failed read is null, never a throw.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { request } from 'undici'
import { parsePrometheusText, sumSeries } from '../loadtest/measure/prometheus.js'
import { childPids } from '../stack/process-group.js'

const READ_TIMEOUT_MS = 2000

interface TextAnswer { status: number, text: string, headers: Record<string, string | string[] | undefined> }

async function readText (url: string, headers: Record<string, string> = {}): Promise<TextAnswer> {
  const res = await request(url, { headers, reset: true, headersTimeout: READ_TIMEOUT_MS, bodyTimeout: READ_TIMEOUT_MS })
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers }
}

/** The provider's count of weather requests (GET /stats); null when it cannot be read. */
export async function providerRequests (originUrl: string): Promise<number | null> {
  try {
    const { status, text } = await readText(`${originUrl}/stats`)
    const requests = (JSON.parse(text) as { requests?: unknown }).requests
    return status === 200 && typeof requests === 'number' ? requests : null
  } catch {
    return null
  }
}

export interface MetricsSample {
  /** performance.now() of the read. */
  atMs: number
  /** cachestack_circuit_breaker_state{layer="l2"}, the max over the workers: 0 closed, 1 half-open, 2 open. */
  breakerState: number
  /** cachestack_cache_skipped_total: L2 operations skipped while the breaker was open. */
  l2Skipped: number
  /** cachestack_cache_errors_total: failed cache operations (timeouts included). */
  l2Errors: number
}

export async function readMetrics (metricsUrl: string): Promise<MetricsSample | null> {
  try {
    const { status, text } = await readText(metricsUrl)
    if (status !== 200) return null
    const samples = parsePrometheusText(text)
    return {
      atMs: performance.now(),
      breakerState: sumSeries(samples, 'cachestack_circuit_breaker_state', { layer: 'l2' }),
      l2Skipped: sumSeries(samples, 'cachestack_cache_skipped_total'),
      l2Errors: sumSeries(samples, 'cachestack_cache_errors_total')
    }
  } catch {
    return null
  }
}

/** Reads the metrics every `intervalMs` until stopped (one read at a time). */
export function pollMetrics (metricsUrl: string, intervalMs = 250): { stop (): Promise<MetricsSample[]> } {
  const samples: MetricsSample[] = []
  const state = { running: true }
  const loop = (async () => {
    while (state.running) {
      const sample = await readMetrics(metricsUrl)
      if (sample !== null) samples.push(sample)
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    async stop () {
      state.running = false
      await loop
      return samples
    }
  }
}

/** Open sockets of a process (its /proc fd table); null when it cannot be read (gone). */
export function socketCount (pid: number): number | null {
  try {
    let n = 0
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++
      } catch {} // closed between the listing and the read
    }
    return n
  } catch {
    return null
  }
}

/** Socket inodes a process holds (its /proc fd table). */
function socketInodes (pid: number): Set<string> {
  const inodes = new Set<string>()
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`)
        if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1))
      } catch {}
    }
  } catch {}
  return inodes
}

interface TcpEntry { local: string, remote: string, localPort: number, state: string, inode: string }

/** /proc/net/tcp and tcp6: every TCP socket of the host's network namespace. */
function tcpTable (): TcpEntry[] {
  const entries: TcpEntry[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      entries.push({ local: f[1]!, remote: f[2]!, localPort: parseInt(f[1]!.split(':')[1]!, 16), state: f[3]!, inode: f[9]! })
    }
  }
  return entries
}

const TCP_LISTEN = '0A'

/**
 * Connections the workers hold on the app's port, by who is at the other end: nginx (its
 * upstream connections), or anyone else — a client straight at the app, or nobody any more (a
 * socket the client closed and the worker did not: CLOSE_WAIT, a leak).
 */
export function appConnections (appPort: number, workers: readonly number[], nginxPids: readonly number[]): { nginx: number, other: number } {
  const workerInodes = new Set(workers.flatMap((pid) => [...socketInodes(pid)]))
  const nginxInodes = new Set(nginxPids.flatMap((pid) => [...socketInodes(pid)]))
  const table = tcpTable()
  const byLocal = new Map(table.map((entry) => [entry.local, entry]))
  let nginx = 0
  let other = 0
  for (const entry of table) {
    if (entry.localPort !== appPort || entry.state === TCP_LISTEN || !workerInodes.has(entry.inode)) continue
    const peer = byLocal.get(entry.remote)
    if (peer !== undefined && nginxInodes.has(peer.inode)) nginx++
    else other++
  }
  return { nginx, other }
}

/** The cluster primary's live workers. */
export function workerPids (primaryPid: number): number[] {
  return childPids(primaryPid).sort((a, b) => a - b)
}

/** Open sockets summed over the primary's workers. */
export function workerSockets (primaryPid: number): number | null {
  let total = 0
  for (const pid of workerPids(primaryPid)) {
    const n = socketCount(pid)
    if (n === null) return null
    total += n
  }
  return total
}

/** Resolves once the primary has `count` workers, none of them in `not`; false after timeoutMs. */
export async function untilWorkers (primaryPid: number, count: number, timeoutMs: number, not: readonly number[] = []): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const pids = workerPids(primaryPid)
    if (pids.length === count && pids.every((pid) => !not.includes(pid))) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Whether L2 serves: new cities asked straight at an app (each on a fresh connection, which
 * the primary deals to its workers in turn) until one worker's fill is another's HIT-L2. Each
 * worker's breaker closes at its own next probe, so a few cities may pass first.
 */
export async function l2Serves (appUrl: string, segments: readonly string[], timeoutMs: number): Promise<{ serves: boolean, seen: string[] }> {
  const deadline = Date.now() + timeoutMs
  const seen: string[] = []
  for (const segment of segments) {
    if (Date.now() > deadline) break
    const asked: string[] = []
    for (let i = 0; i < 4; i++) {
      try {
        const answer = await readText(`${appUrl}/weather/${segment}`, { connection: 'close' })
        const xCache = answer.headers['x-cache']
        asked.push(`${answer.status} ${Array.isArray(xCache) ? xCache[0] : xCache ?? '-'}`)
      } catch (err) {
        asked.push((err as Error).message)
      }
    }
    seen.push(`${decodeURIComponent(segment)}: ${asked.join(' → ')}`)
    if (asked[0] === '200 MISS' && asked.includes('200 HIT-L2')) return { serves: true, seen }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return { serves: false, seen }
}

/** GET /ready straight at an app: 200 when a worker answers ready. */
export async function appReady (appUrl: string): Promise<boolean> {
  try {
    return (await readText(`${appUrl}/ready`)).status === 200
  } catch {
    return false
  }
}
