// The fixed-rate client: request i is sent at start + i/rate whatever the earlier answers do
// (open loop), over an undici keep-alive pool, each answer checked against what its kind expects.
//
// Why not autocannon's overallRate: it paces each connection separately (rate/connections), so a
// connection waiting 80 ms on a cold miss sends its next requests late — the rate sags exactly
// when the service is slow — and its 'response' event carries no link to the request, so a 4xx
// cannot be told apart from an expected one, nor an ETag kept for the next If-None-Match.
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import { percentile } from '../loadtest/measure/stats.js'
import { REQUEST_KINDS, type PlannedRequest, type RequestKind } from './mix.js'

export interface KindTally {
  sent: number
  /** Answers by status code. */
  statuses: Record<string, number>
  /** Answers whose status (or error code) is not what the kind expects. */
  unexpected: number
  /** No answer: connection errors and timeouts. */
  errors: number
  /** Answer times, ms (bounded by the run: rate × duration values at most). */
  latenciesMs: number[]
}

export interface Anomaly {
  /** Seconds since the load started. */
  t: number
  kind: RequestKind
  variant: string
  method: string
  path: string
  /** The status, or the error's message. */
  got: string
  expected: string
}

export interface PacedLoadOptions {
  /** nginx's base URL. */
  url: string
  /** Requests per second, all kinds together. */
  rate: number
  durationSeconds: number
  /** The rate rises linearly from 0 over this many seconds first: a cold service (empty caches,
   * code not yet optimized by the JIT) is not met by the full rate at once. @default 0 */
  rampSeconds?: number
  next: () => PlannedRequest
  /** Keep-alive connections to nginx, opened on demand. @default 64 */
  connections?: number
  /** Requests in flight at most; a request due while this many wait is skipped (counted): the
   * service has fallen behind, and queueing more would only measure the queue. @default defaultMaxInFlight(rate) */
  maxInFlight?: number
  /** Bound on one answer (headers and body), ms. @default 10_000 */
  timeoutMs?: number
  /** Called with every answer's status and ETag header (conditional requests reuse it). */
  onAnswer?: (planned: PlannedRequest, status: number, etag: string | undefined) => void
  /** Ends the load early (what was sent is still counted). */
  signal?: AbortSignal
}

export interface PacedLoadOutcome {
  elapsedSeconds: number
  sent: number
  /** Due but not sent: maxInFlight requests were waiting. */
  skipped: number
  byKind: Record<RequestKind, KindTally>
  /** The first anomalies (bounded), for the report. */
  anomalies: Anomaly[]
  anomalyCount: number
}

/** What the load did since the previous call: the samplers chart it next to the service's own series. */
export interface LoadWindow {
  answers: number
  /** Seconds the window lasted. */
  seconds: number
  /** p99 answer time of the window, ms; null without answers. */
  p99Ms: number | null
}

export interface PacedLoad {
  /** Resolves when the duration has passed (or the signal fired) and every request has its answer. */
  readonly done: Promise<PacedLoadOutcome>
  /** Seconds since the first request. */
  elapsedSeconds (): number
  takeWindow (): LoadWindow
}

const MAX_ANOMALIES = 50

/** maxInFlight's default: five seconds of requests at the rate, at least 256. A shared machine
 * stalls the whole stack for a second now and then; five seconds behind is the service's doing. */
export const defaultMaxInFlight = (rate: number): number => Math.max(256, Math.ceil(5 * rate))

export function startPacedLoad (options: PacedLoadOptions): PacedLoad {
  const { url, rate, durationSeconds, rampSeconds = 0, next, connections = 64, timeoutMs = 10_000, onAnswer, signal } = options
  const { maxInFlight = defaultMaxInFlight(rate) } = options
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`expected rate to be a positive number of requests per second, got ${rate}`)
  if (!(durationSeconds > 0)) throw new RangeError(`expected durationSeconds to be positive, got ${durationSeconds}`)
  if (!(rampSeconds >= 0 && rampSeconds < durationSeconds)) throw new RangeError(`expected rampSeconds from 0 to below durationSeconds, got ${rampSeconds}`)
  // Requests due by t seconds: the integral of the rate, a parabola during the ramp, then a line.
  const dueBy = (t: number): number => rate * (t < rampSeconds ? (t * t) / (2 * rampSeconds) : t - rampSeconds / 2)
  const pool = new Pool(url, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000 })
  const tally = (): KindTally => ({ sent: 0, statuses: {}, unexpected: 0, errors: 0, latenciesMs: [] })
  const byKind = Object.fromEntries(REQUEST_KINDS.map((k) => [k, tally()])) as Record<RequestKind, KindTally>
  const anomalies: Anomaly[] = []
  let anomalyCount = 0
  let recent: number[] = []
  let windowStarted = performance.now()
  const total = Math.floor(dueBy(durationSeconds))
  const started = performance.now()
  let sent = 0
  let skipped = 0
  let inFlight = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let finish: () => void = () => {}
  const drained = new Promise<void>((resolve) => { finish = resolve })

  const elapsedSeconds = (): number => (performance.now() - started) / 1000
  const note = (planned: PlannedRequest, got: string): void => {
    anomalyCount++
    if (anomalies.length < MAX_ANOMALIES) {
      const expected = planned.expect.join('|') + (planned.expectCode === null ? '' : ` ${planned.expectCode}`)
      const { kind, variant, method } = planned
      anomalies.push({ t: elapsedSeconds(), kind, variant, method, path: planned.path.slice(0, 120), got, expected })
    }
  }
  const settle = (): void => {
    inFlight--
    if (stopped && inFlight === 0) finish()
  }

  async function send (planned: PlannedRequest): Promise<void> {
    const tally = byKind[planned.kind]
    tally.sent++
    const began = performance.now()
    try {
      const answer = await pool.request({ method: planned.method, path: planned.path, headers: planned.headers })
      const status = answer.statusCode
      const expected = planned.expect.includes(status)
      // The body is read only where its error code matters: an invalid input, or an answer that
      // is already wrong (its code says why). Every other body is drained unread.
      let code: string | null = null
      if (planned.expectCode !== null || !expected) {
        const text = await answer.body.text()
        try {
          code = (JSON.parse(text) as { code?: string }).code ?? null
        } catch {
          code = null
        }
      } else {
        await answer.body.dump()
      }
      const ms = performance.now() - began
      tally.latenciesMs.push(ms)
      recent.push(ms)
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1
      const etag = answer.headers.etag
      onAnswer?.(planned, status, typeof etag === 'string' ? etag : undefined)
      if (!expected || (planned.expectCode !== null && code !== planned.expectCode)) {
        tally.unexpected++
        note(planned, `${status} ${code ?? 'no code'}`)
      }
    } catch (err) {
      tally.errors++
      note(planned, (err as Error).message)
    } finally {
      settle()
    }
  }

  const stop = (): void => {
    if (stopped) return
    stopped = true
    clearTimeout(timer)
    if (inFlight === 0) finish()
  }

  const tick = (): void => {
    if (stopped) return
    const elapsedMs = performance.now() - started
    // Open loop: everything due by now goes out now, however the earlier requests are doing.
    const due = Math.min(total, Math.floor(dueBy(elapsedMs / 1000)) + 1)
    while (sent < due) {
      sent++
      if (inFlight >= maxInFlight) {
        skipped++
        continue
      }
      inFlight++
      void send(next())
    }
    if (sent >= total || elapsedMs >= durationSeconds * 1000) {
      stop()
      return
    }
    // At most 1/rate late, at least 1 ms apart (a timer's resolution): due requests go out in small batches.
    timer = setTimeout(tick, Math.max(1, Math.min(50, 1000 / rate)))
  }

  signal?.addEventListener('abort', stop, { once: true })
  tick()

  const done = drained.then(async () => {
    await pool.close()
    return { elapsedSeconds: elapsedSeconds(), sent, skipped, byKind, anomalies, anomalyCount }
  })
  return {
    done,
    elapsedSeconds,
    takeWindow () {
      const taken = recent
      const now = performance.now()
      const seconds = (now - windowStarted) / 1000
      recent = []
      windowStarted = now
      return { answers: taken.length, seconds, p99Ms: taken.length === 0 ? null : percentile(taken.sort((a, b) => a - b), 99) }
    }
  }
}
