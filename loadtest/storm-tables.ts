// The storms' own tables (stampede waves, the window around an expiry, the per-second time
// series), defined once as headers and cells; the Markdown and HTML reports lay them out.
import { fmtInt, fmtMs } from './format.js'
import type { Result, Results } from './schema.js'

export interface CellTable {
  /** One sentence saying what the table shows. */
  caption: string
  headers: string[]
  align: Array<'left' | 'right'>
  rows: string[][]
}

const scenarioOf = (results: Results, name: string) => results.scenarios.find((s) => s.name === name)

/** Per target: origin calls of each wave, the worst wave, first and last answer, p99. */
export function stampedeTable (rows: readonly Result[]): CellTable {
  return {
    caption: 'Each wave sends all its requests at once for one city nobody asked for yet. ' +
      'Origin calls per wave: 1 means the whole cluster waited on a single load. ' +
      'First / last answer: from sending the wave to its first / last 2xx (medians over waves and repetitions), connection set-up included.',
    headers: ['target', 'waves', 'origin calls per wave', 'worst wave', 'first answer ms', 'last answer ms', 'p99 ms', 'non2xx/err'],
    align: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows: rows.map((r) => {
      const waves = r.measurements.flatMap((m) => m.stampede?.waves ?? [])
      return [
        r.target,
        fmtInt(waves.length),
        waves.map((w) => (w.originCalls === null ? '?' : String(w.originCalls))).join(' '),
        fmtInt(r.summary.maxOriginCallsPerWave),
        fmtMs(r.summary.firstAnswerMs),
        fmtMs(r.summary.lastAnswerMs),
        fmtMs(r.summary.latencyMs.p99),
        `${r.summary.non2xx}/${r.summary.errors}`
      ]
    })
  }
}

/** Per target: the expiry window against the whole run. */
export function expiryTable (rows: readonly Result[]): CellTable {
  return {
    caption: 'The window runs from 1 s before the first key of the hot set expires to 2 s after the last one does ' +
      '(times from the start of the measured run, repetition 1). Its figures are medians over repetitions; origin calls from /stats read every 250 ms.',
    headers: [
      'target',
      'window s',
      'p99 window ms',
      'p99 run ms',
      'p99.9 window ms',
      'origin calls window',
      'origin calls run',
      'failures window',
      'req/s run'
    ],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: rows.map((r) => {
      const w = r.measurements[0]?.expiryWindow ?? null
      const p999 = r.measurements.map((m) => m.expiryWindow?.latencyMs.p99_9 ?? null).filter((v): v is number => v !== null).sort((a, b) => a - b)
      return [
        r.target,
        w === null ? '–' : `${w.fromSeconds.toFixed(1)}–${w.toSeconds.toFixed(1)}`,
        fmtMs(r.summary.expiryP99Ms),
        fmtMs(r.summary.latencyMs.p99),
        fmtMs(p999.length === 0 ? null : p999[p999.length >> 1]!),
        fmtInt(r.summary.expiryOriginCalls),
        fmtInt(r.summary.originCalls),
        fmtInt(r.summary.expiryFailures),
        fmtInt(r.summary.requestsPerSecond.median)
      ]
    })
  }
}

/** One row per second of repetition 1, one column per target: "p99 ms · origin calls". */
export function timelineTable (rows: readonly Result[]): CellTable {
  const series = rows.map((r) => r.measurements[0]?.timeline ?? [])
  const seconds = Math.max(0, ...series.map((t) => t.length))
  const first = rows.map((r) => r.measurements[0]?.expiryWindow?.firstExpirySeconds ?? null).find((v) => v !== null) ?? null
  return {
    caption: 'Per second of the measured run (repetition 1): p99 latency of the 2xx answers that arrived in it, then origin calls in it' +
      `${first === null ? '' : `; the hot set starts expiring at ${first.toFixed(1)} s (marked ◀)`}. A failure count follows in brackets when there were any.`,
    headers: ['second', ...rows.map((r) => r.target)],
    align: ['right', ...rows.map(() => 'right' as const)],
    rows: Array.from({ length: seconds }, (_, s) => [
      `${s}${first !== null && Math.floor(first) === s ? ' ◀' : ''}`,
      ...series.map((t) => {
        const b = t[s]
        if (b === undefined) return '–'
        const failures = b.failures > 0 ? ` (${b.failures})` : ''
        return `${fmtMs(b.p99Ms)} · ${b.originCalls === null ? '?' : b.originCalls}${failures}`
      })
    ])
  }
}

/** The extra tables of one scenario (none for the steady ones). */
export function stormTables (results: Results, scenario: string, rows: readonly Result[]): CellTable[] {
  const kind = scenarioOf(results, scenario)?.kind
  if (kind === 'stampede') return [stampedeTable(rows)]
  if (kind === 'expiry') return [expiryTable(rows), timelineTable(rows)]
  return []
}
