// One row of the matrix: the load through nginx for before + window + after seconds, the fault
// injected when the window opens and lifted when it closes, the metrics polled meanwhile, then
// every figure of the row and its checks.
import { performance } from 'node:perf_hooks'
import { request } from 'undici'
import type { FaultBed } from './beds.js'
import type { Fact, FaultContext, FaultDefinition, Measured } from './fault.js'
import { pollMetrics, providerRequests } from './probes.js'
import type { FaultRow, OriginFigures } from './row.js'
import { figuresBetween, recoveryBand, recoveryOf, secondsOf, type PhaseBounds } from './timeline.js'
import { runTraffic, type TrafficRecord } from './traffic.js'
import type { Workload } from './workload.js'

export interface RowPlan {
  beforeSeconds: number
  windowSeconds: number
  afterSeconds: number
  /** Requests per second through nginx. */
  rate: number
  connections: number
  /** A request unanswered this long is a timeout error. */
  timeoutSeconds: number
}

const sleepUntil = (atMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - performance.now())))

/** How an answer for a cold key is counted: '200', or '502 CS_ERR_ORIGIN_UNAVAILABLE'. */
function answerKey (status: number, code: string | undefined): string {
  return status >= 200 && status < 300 ? String(status) : `${status} ${code === undefined || code === '' ? '(no JSON code)' : code}`
}

/** Cold keys asked through nginx (fresh connections) every `everyMs` until `untilMs`; their answers counted. */
async function coldProbes (nginxUrl: string, workload: Workload, everyMs: number, untilMs: number): Promise<Record<string, number>> {
  const answers: Record<string, number> = {}
  const asked: Array<Promise<void>> = []
  while (performance.now() < untilMs) {
    const path = `/weather/${workload.takeCold().segment}`
    asked.push((async () => {
      let key: string
      try {
        const res = await request(nginxUrl + path, { headers: { connection: 'close' }, reset: true, headersTimeout: 15_000, bodyTimeout: 15_000 })
        const text = await res.body.text()
        let code: string | undefined
        try { code = (JSON.parse(text) as { code?: string }).code } catch {}
        key = answerKey(res.statusCode, code)
      } catch (err) {
        key = `error ${(err as Error).message}`
      }
      answers[key] = (answers[key] ?? 0) + 1
    })())
    await sleepUntil(Math.min(untilMs, performance.now() + everyMs))
  }
  await Promise.all(asked)
  return answers
}

/** Most calls for one key within one second, over the calls in [fromMs, toMs) (absolute performance.now() times). */
export function maxPerKeyPerSecond (calls: ReadonlyArray<{ atMs: number, cityId: number }>, fromMs: number, toMs: number): number {
  const counts = new Map<string, number>()
  let max = 0
  for (const call of calls) {
    if (call.atMs < fromMs || call.atMs >= toMs) continue
    const key = `${call.cityId}:${Math.floor((call.atMs - fromMs) / 1000)}`
    const n = (counts.get(key) ?? 0) + 1
    counts.set(key, n)
    if (n > max) max = n
  }
  return max
}

/** Cold answers by status, with the error code of a non-2xx: { '200': 12, '502 CS_ERR_ORIGIN_UNAVAILABLE': 5 }. */
function coldAnswersOf (record: TrafficRecord): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = 0; i < record.status.length; i++) {
    if (record.cold[i] !== 1) continue
    const status = record.status[i]!
    const key = answerKey(status, record.errorCodes.get(i))
    out[key] = (out[key] ?? 0) + 1
  }
  return out
}

function mergeCounts (a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a }
  for (const [key, n] of Object.entries(b)) out[key] = (out[key] ?? 0) + n
  return out
}

export async function runRow (fault: FaultDefinition, bed: FaultBed, workload: Workload, plan: RowPlan): Promise<FaultRow> {
  const began = performance.now()
  const facts: Record<string, Fact> = {}
  const notes: string[] = []
  const windowMs = plan.windowSeconds * 1000
  const ctx: FaultContext = { bed, workload, windowMs, facts, note: (message) => notes.push(message) }
  await fault.prepare?.(ctx)

  const durationSeconds = plan.beforeSeconds + plan.windowSeconds + plan.afterSeconds
  // The proxy's count spans the same stretch as the provider's own: from its first read to its last.
  const countFrom = performance.now()
  const providerBefore = await providerRequests(bed.originUrl)
  const generation = bed.providerGeneration
  const poller = pollMetrics(bed.stack.urls.metrics)
  const traffic = runTraffic({
    url: bed.stack.urls.nginx,
    durationSeconds,
    rate: plan.rate,
    connections: plan.connections,
    timeoutSeconds: plan.timeoutSeconds,
    next: workload.requests(fault.id)
  })
  const start = performance.now()
  let injectAt = start + plan.beforeSeconds * 1000
  let liftAt = injectAt + windowMs
  let record: TrafficRecord
  let probes: Promise<Record<string, number>> | undefined
  try {
    await sleepUntil(injectAt)
    injectAt = performance.now()
    await fault.inject(ctx)
    if (fault.coldProbes === true) probes = coldProbes(bed.stack.urls.nginx, workload, 500, injectAt + windowMs)
    await sleepUntil(injectAt + windowMs)
    liftAt = performance.now()
    await fault.lift?.(ctx)
  } finally {
    // The load always ends (it is bounded), and so does the poller, whatever the fault did.
    record = await traffic
  }
  const metrics = await poller.stop()
  const probeAnswers = await probes ?? {}
  // The L2 breaker through the row, for every fault: the highest state seen from the injection
  // on, and the L2 operations it skipped (a counter: its delta; workers replaced reset it).
  const sinceInject = metrics.filter((sample) => sample.atMs >= injectAt)
  const baseline = metrics.filter((sample) => sample.atMs < injectAt).at(-1)
  const lastSample = metrics.at(-1)
  facts.breakerMax ??= sinceInject.length === 0 ? null : Math.max(...sinceInject.map((sample) => sample.breakerState))
  facts.l2Skipped ??= baseline === undefined || lastSample === undefined ? null : Math.max(0, lastSample.l2Skipped - baseline.l2Skipped)
  const providerAfter = await providerRequests(bed.originUrl)
  const countUntil = performance.now()
  await fault.settle?.(ctx)

  // Every time below is relative to the load's start, as traffic.ts records them.
  const t0 = record.startedAtMs
  const calls = bed.proxy.calls(countFrom).filter((call) => call.atMs <= countUntil)
  const callTimes = Float64Array.from(calls, (call) => call.atMs - t0)
  const bounds: PhaseBounds = { injectMs: injectAt - t0, liftMs: liftAt - t0, endMs: durationSeconds * 1000 }
  // The before phase without its first second (connections opening): the baseline.
  const before = figuresBetween(record, callTimes, Math.min(1000, bounds.injectMs / 2), bounds.injectMs)
  const during = figuresBetween(record, callTimes, bounds.injectMs, bounds.liftMs)
  const after = figuresBetween(record, callTimes, bounds.liftMs, Infinity)
  const firstSecond = Math.min(1000, bounds.injectMs / 2)
  const beforeSecondsP99: Array<number | null> = []
  for (let from = bounds.injectMs - 1000; from >= firstSecond - 1e-6; from -= 1000) {
    beforeSecondsP99.push(figuresBetween(record, null, from, from + 1000).p99Ms)
  }
  const band = recoveryBand(before, beforeSecondsP99)
  const seconds = secondsOf(record, callTimes, bounds, band)
  const windowSeconds = seconds.filter((s) => s.second >= 0 && s.second < plan.windowSeconds)
  const beforeSpan = (bounds.injectMs - Math.min(1000, bounds.injectMs / 2)) / 1000
  const origin: OriginFigures = {
    calls: calls.length,
    // A provider restarted during the row counts from 0 again: its delta would mean nothing.
    providerCounted: providerBefore === null || providerAfter === null || bed.providerGeneration !== generation ? null : providerAfter - providerBefore,
    perSecondBefore: before.originCalls === null || beforeSpan <= 0 ? 0 : before.originCalls / beforeSpan,
    maxPerSecondDuring: Math.max(0, ...windowSeconds.map((s) => s.originCalls ?? 0)),
    maxPerKeyPerSecondDuring: maxPerKeyPerSecond(calls, injectAt, liftAt)
  }
  let non2xx = 0
  let warmNon2xx = 0
  const warmFailures: Record<string, number> = {}
  let maxLatencyMs: number | null = null
  for (let i = 0; i < record.status.length; i++) {
    const status = record.status[i]!
    if (status < 200 || status >= 300) {
      non2xx++
      if (record.cold[i] !== 1) {
        warmNon2xx++
        const key = answerKey(status, record.errorCodes.get(i))
        warmFailures[key] = (warmFailures[key] ?? 0) + 1
      }
    }
    const latency = record.latencyMs[i]!
    if (maxLatencyMs === null || latency > maxLatencyMs) maxLatencyMs = latency
  }
  const measured: Measured = {
    id: fault.id,
    title: fault.title,
    bed: bed.kind,
    expected: fault.expected,
    phases: { before: plan.beforeSeconds, window: plan.windowSeconds, after: plan.afterSeconds },
    connections: plan.connections,
    requests: record.status.length + record.unansweredAtMs.length,
    non2xx,
    warmNon2xx,
    warmFailures,
    errors: record.unansweredAtMs.length,
    lostSilently: Math.max(0, record.unansweredAtMs.length - record.clientErrors),
    sentAfterClose: record.sentAfterCloseAtMs.length,
    before,
    during,
    after,
    coldAnswers: mergeCounts(coldAnswersOf(record), probeAnswers),
    maxLatencyMs,
    origin,
    recovery: recoveryOf(seconds, band),
    seconds,
    facts,
    notes,
    metrics: metrics.map((sample) => ({ ...sample, atMs: sample.atMs - t0 })),
    injectAtMs: bounds.injectMs,
    liftAtMs: bounds.liftMs
  }
  const checks = fault.checks(measured, facts)
  const { metrics: _metrics, injectAtMs: _inject, liftAtMs: _lift, ...row } = measured
  return { ...row, checks, pass: checks.every((c) => c.pass), elapsedSeconds: (performance.now() - began) / 1000 }
}
