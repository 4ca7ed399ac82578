// The whole matrix: one workload, the catalogue's faults in order, each topology started once
// for the faults that need it (primed with the hot set), every row run and collected. A row
// that throws is a failed row, and its topology is started afresh for the next one.
import { availableParallelism } from 'node:os'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import { startBed, type BedSettings, type FaultBed } from './beds.js'
import { faultCatalogue } from './catalogue.js'
import type { FaultDefinition } from './fault.js'
import type { MatrixOptions } from './options.js'
import { appReady, readMetrics } from './probes.js'
import { redisAnswers } from '../stack/redis-once.js'
import type { FaultRow, MatrixResult } from './row.js'
import { runRow, type RowPlan } from './runner.js'
import { createWorkload, type Workload } from './workload.js'

/** The app's environment on every bed. A short freshness so that keys go stale, are refreshed and
 * are served stale within the window (what provider faults are about); the timeouts are the
 * service's defaults, spelled out because the checks' bounds are computed from them. */
export const MATRIX_APP_ENV: Readonly<Record<string, string>> = Object.freeze({
  CACHE_TTL_SECONDS: '3',
  CACHE_GRACE_SECONDS: '600',
  ORIGIN_TIMEOUT_MS: '2000',
  REDIS_COMMAND_TIMEOUT_MS: '150',
  BREAKER_FAILURE_THRESHOLD: '5',
  BREAKER_RESET_MS: '2000'
})

/** The provider as the service's defaults simulate it: 80 ± 20 ms per answer. */
export const MATRIX_ORIGIN_ENV: Readonly<Record<string, string>> = Object.freeze({ ORIGIN_LATENCY_MS: '80', ORIGIN_JITTER_MS: '20' })

export const WORKERS = 2
/** Cold cities set aside for the whole matrix (loads, probes, hang-ups), each used once. */
const COLD_CITIES = 4000

export interface MatrixHooks {
  /** Progress, one line at a time (topology started, row begun). */
  onProgress?: (message: string) => void
  onRow?: (row: FaultRow) => void
}

/** The catalogue as this matrix configures it (ids for --only, docs). */
export function matrixCatalogue (): FaultDefinition[] {
  return faultCatalogue({
    originTimeoutMs: Number(MATRIX_APP_ENV.ORIGIN_TIMEOUT_MS),
    redisCommandTimeoutMs: Number(MATRIX_APP_ENV.REDIS_COMMAND_TIMEOUT_MS),
    workers: WORKERS
  })
}

/** Every hot city asked once through nginx, so the before phase starts warm. */
async function prime (bed: FaultBed, workload: Workload): Promise<void> {
  const pool = new Pool(bed.stack.urls.nginx, { connections: 8 })
  try {
    let next = 0
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < workload.hot.length) {
        const city = workload.hot[next++]!
        const res = await pool.request({ method: 'GET', path: `/weather/${city.segment}`, headersTimeout: 10_000, bodyTimeout: 10_000 })
        await res.body.dump()
      }
    }))
  } finally {
    await pool.close()
  }
}

/** Before a row: the app ready, its L2 breaker closed, Redis answering — bounded. */
async function untilSteady (bed: FaultBed, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    const ready = await appReady(bed.stack.urls.app)
    const metrics = await readMetrics(bed.stack.urls.metrics)
    const redis = bed.stack.urls.redis === undefined ? true : await redisAnswers(bed.stack.urls.redis)
    if (ready && metrics?.breakerState === 0 && redis) return
    last = `ready ${ready}, breaker ${metrics?.breakerState ?? 'unknown'}, redis ${redis}`
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`the ${bed.kind} topology did not settle within ${timeoutMs} ms (${last})`)
}

function failedRow (fault: FaultDefinition, err: unknown, elapsedSeconds: number): FaultRow {
  const empty = { responses: 0, non2xx: 0, errors: 0, p50Ms: null, p99Ms: null, maxMs: null, hitRatio: null, originCalls: null, sources: {} }
  const message = (err as Error).stack ?? String(err)
  return {
    id: fault.id,
    title: fault.title,
    bed: fault.bed,
    expected: fault.expected,
    phases: { before: 0, window: 0, after: 0 },
    connections: 0,
    requests: 0,
    non2xx: 0,
    warmNon2xx: 0,
    warmFailures: {},
    errors: 0,
    lostSilently: 0,
    sentAfterClose: 0,
    before: empty,
    during: empty,
    after: empty,
    coldAnswers: {},
    maxLatencyMs: null,
    origin: { calls: 0, providerCounted: null, perSecondBefore: 0, maxPerSecondDuring: 0, maxPerKeyPerSecondDuring: 0 },
    recovery: { seconds: null, degradedSeconds: 0, band: { p99MaxMs: 0, hitRatioMin: 0 } },
    seconds: [],
    facts: {},
    notes: [message],
    checks: [{ name: 'ran', expected: 'the row runs to its end', actual: (err as Error).message ?? String(err), pass: false }],
    pass: false,
    elapsedSeconds
  }
}

export async function runMatrix (options: Readonly<MatrixOptions>, hooks: MatrixHooks = {}): Promise<MatrixResult> {
  const began = performance.now()
  const startedAt = new Date().toISOString()
  const progress = hooks.onProgress ?? (() => {})
  const catalogue = matrixCatalogue()
  const faults = options.only === null ? catalogue : catalogue.filter((fault) => options.only!.includes(fault.id))
  const workload = createWorkload({ hotCities: options.hotCities, coldShare: options.coldShare, coldCities: COLD_CITIES })
  const plan: RowPlan = {
    beforeSeconds: options.phaseSeconds,
    windowSeconds: options.phaseSeconds,
    afterSeconds: options.phaseSeconds,
    rate: options.rate,
    connections: options.connections,
    timeoutSeconds: 10
  }
  const settings: BedSettings = {
    appEnv: { ...MATRIX_APP_ENV },
    originEnv: { ...MATRIX_ORIGIN_ENV },
    workers: WORKERS,
    onNote: (message) => progress(`  stack: ${message}`)
  }
  const rows: FaultRow[] = []
  let bed: FaultBed | undefined
  let spent = false
  try {
    for (const fault of faults) {
      const rowBegan = performance.now()
      try {
        if (bed !== undefined && (bed.kind !== fault.bed || spent)) {
          await bed.stop()
          bed = undefined
        }
        if (bed === undefined) {
          progress(`starting the '${fault.bed}' topology…`)
          bed = await startBed(fault.bed, settings)
        }
        spent = false
        await untilSteady(bed)
        // Every row starts warm: the hot set in L2 (a restarted Redis is empty) and in L1.
        await prime(bed, workload)
        progress(`${fault.id}: ${fault.title} (${plan.beforeSeconds} + ${plan.windowSeconds} + ${plan.afterSeconds} s)`)
        const row = await runRow(fault, bed, workload, plan)
        spent = fault.leavesBedUsable === false
        rows.push(row)
        hooks.onRow?.(row)
      } catch (err) {
        spent = true
        const row = failedRow(fault, err, (performance.now() - rowBegan) / 1000)
        rows.push(row)
        hooks.onRow?.(row)
      }
    }
  } finally {
    await bed?.stop().catch((err: Error) => progress(`stopping the topology: ${err.message}`))
  }
  return {
    startedAt,
    command: options.command,
    quick: options.quick,
    load: {
      rate: options.rate,
      connections: options.connections,
      hotCities: options.hotCities,
      coldShare: options.coldShare,
      timeoutSeconds: plan.timeoutSeconds
    },
    appEnv: { ...MATRIX_APP_ENV },
    originEnv: { ...MATRIX_ORIGIN_ENV },
    host: { cpus: availableParallelism(), node: process.version },
    rows,
    elapsedSeconds: (performance.now() - began) / 1000,
    pass: rows.length > 0 && rows.every((row) => row.pass)
  }
}
