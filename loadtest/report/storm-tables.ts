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
      `${first === null ? '' : `; the hot set starts expiring at ${first.toFixed(1)} s (marked ◀)`}. ` +
      'A failure count follows in parentheses when there were any, ' +
      'stale answers in square brackets.',
    headers: ['second', ...rows.map((r) => r.target)],
    align: ['right', ...rows.map(() => 'right' as const)],
    rows: Array.from({ length: seconds }, (_, s) => [
      `${s}${first !== null && Math.floor(first) === s ? ' ◀' : ''}`,
      ...series.map((t) => {
        const b = t[s]
        if (b === undefined) return '–'
        const failures = b.failures > 0 ? ` (${b.failures})` : ''
        const stale = b.staleAnswers === undefined || b.staleAnswers === null || b.staleAnswers === 0 ? '' : ` [${b.staleAnswers} stale]`
        return `${fmtMs(b.p99Ms)} · ${b.originCalls === null ? '?' : b.originCalls}${failures}${stale}`
      })
    ])
  }
}

/** "n/a" without a purge path, "not within the run" when old answers lasted to its end. */
export function fmtTimeToFresh (r: Result): string {
  if (r.summary.purgeSupported === undefined || r.summary.purgeSupported === null) return '–'
  if (!r.summary.purgeSupported) return 'n/a'
  return r.summary.timeToFreshMs === null || r.summary.timeToFreshMs === undefined ? 'not within the run' : fmtMs(r.summary.timeToFreshMs)
}

/** Whether the run compares what a user would deploy instead (peers), or can tell stale answers. */
export function hasPeerComparison (results: Results): boolean {
  return results.targets.some((t) => t.kind === 'peer') || results.results.some((r) => r.summary.staleAnswers !== undefined && r.summary.staleAnswers !== null)
}

/** The figures the peer comparison is judged by, one row per target (issue 18). */
export function comparisonTable (results: Results, scenario: string, rows: readonly Result[]): CellTable {
  const purge = scenarioOf(results, scenario)?.kind === 'purge'
  return {
    caption: 'Side by side (medians over repetitions): stale answers are 2xx answers whose data left the provider more than the TTL ' +
      '(+ 0.25 s) earlier, by the stamp the load test\'s provider proxy puts in every answer, whatever served it; ' +
      'serving CPU is the app plus the tier in front of it (nginx, or Varnish), per request' +
      (purge ? '; time to fresh runs from sending the purge until every answer is the new one (n/a: the target has no purge path)' : '') + '.',
    headers: ['target', 'req/s', 'p99 ms', 'origin calls', 'stale answers', 'non2xx/err', 'serving µs CPU/req', ...(purge ? ['time to fresh ms'] : [])],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', ...(purge ? ['right' as const] : [])],
    rows: rows.map((r) => [
      r.target,
      fmtInt(r.summary.requestsPerSecond.median),
      fmtMs(r.summary.latencyMs.p99),
      fmtInt(r.summary.originCalls),
      fmtInt(r.summary.staleAnswers ?? null),
      `${r.summary.non2xx}/${r.summary.errors}`,
      fmtInt(r.summary.servingCpuMicrosPerRequest ?? null),
      ...(purge ? [fmtTimeToFresh(r)] : [])
    ])
  }
}

/** Per target: who kept answering while the provider was down, who served stale, what reached the provider. */
export function outageTable (rows: readonly Result[]): CellTable {
  const first = rows.map((r) => r.measurements[0]?.outage ?? null).find((o) => o !== null) ?? null
  return {
    caption: `The provider answered 503 ${first === null ? 'for a while' : `from ${first.fromSeconds} s to ${first.toSeconds} s of the run`}, then recovered ` +
      '(repetition 1; calls to the provider counted by the load test\'s proxy in front of it, the failed ones included).',
    headers: ['target', 'answered during', 'failed during', 'stale during', 'p99 during ms', 'provider calls during', 'failed after', 'stale after',
      'provider calls after'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: rows.map((r) => {
      const o = r.measurements[0]?.outage ?? null
      if (o === null) return [r.target, '–', '–', '–', '–', '–', '–', '–', '–']
      const share = o.responses + o.failures === 0 ? '' : ` (${((100 * o.responses) / (o.responses + o.failures)).toFixed(1)}%)`
      return [r.target, `${fmtInt(o.responses)}${share}`, fmtInt(o.failures), fmtInt(o.staleAnswers), fmtMs(o.responses === 0 ? null : o.latencyMs.p99),
        fmtInt(o.originCalls), fmtInt(o.failuresAfter), fmtInt(o.staleAnswersAfter), fmtInt(o.originCallsAfter)]
    })
  }
}

/** Per target: the purge, how it was sent, and the purged key's answers after it. */
export function purgeTable (rows: readonly Result[]): CellTable {
  return {
    caption: 'At the purge the provider\'s data for the key changes, then the target is purged the way its operator would ' +
      '(repetition 1; times from sending the purge; old = an answer of the revision before it).',
    headers: ['target', 'purge', 'answered in ms', 'answers after', 'old after', 'first new ms', 'last old ms', 'time to fresh ms'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: rows.map((r) => {
      const p = r.measurements[0]?.purge ?? null
      if (p === null) return [r.target, '–', '–', '–', '–', '–', '–', '–']
      return [r.target, p.method === null ? 'none (n/a)' : `${p.method} → ${p.status ?? 'failed'}`, fmtMs(p.requestMs), fmtInt(p.answersAfter),
        fmtInt(p.oldAnswersAfter), fmtMs(p.firstNewMs), fmtMs(p.lastOldMs),
        p.method === null ? 'n/a' : p.timeToFreshMs === null ? 'not within the run' : fmtMs(p.timeToFreshMs)]
    })
  }
}

/** The extra tables of one scenario (none for the steady ones, unless peers are compared). */
export function stormTables (results: Results, scenario: string, rows: readonly Result[]): CellTable[] {
  const kind = scenarioOf(results, scenario)?.kind
  const comparison = hasPeerComparison(results) ? [comparisonTable(results, scenario, rows)] : []
  if (kind === 'stampede') return [...comparison, stampedeTable(rows)]
  if (kind === 'expiry') return [...comparison, expiryTable(rows), timelineTable(rows)]
  if (kind === 'outage') return [...comparison, outageTable(rows), timelineTable(rows)]
  if (kind === 'purge') return [...comparison, purgeTable(rows)]
  return comparison
}
