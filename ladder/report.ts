// The ladder's table and its story, defined once; the terminal, Markdown and HTML reports lay
// them out. Ratios come from one run on one machine: absolute req/s on a shared box are noise.
import { fmtInt, fmtMs, fmtPct, fmtSpread, fmtTimes } from '../loadtest/report/format.js'
import { renderMarkdownTable, renderTextTable } from '../loadtest/report/table.js'
import { cpuPerRequest, type LadderResults, type MeasuredRuns, type ProfiledFunction, type RungResult } from './results.js'

export interface LadderColumn {
  header: string
  meaning: string
  align: 'left' | 'right'
  cell (rung: RungResult): string
}

const fnName = (fn: ProfiledFunction | null | undefined): string => fn === null || fn === undefined ? '–' : fn.name

export const formatFunction = (fn: ProfiledFunction): string => `${fn.name} ${(100 * fn.selfShare).toFixed(1)}%`

/** The figures a rung and the baseline share, from their runs' summary. */
const measuredCells: Record<string, (runs: MeasuredRuns) => string> = {
  'req/s': (r) => fmtInt(r.summary.requestsPerSecond.median),
  spread: (r) => fmtSpread(r.summary.requestsPerSecond.relative, r.measurements.length),
  'p50 ms': (r) => fmtMs(r.summary.latencyMs.p50),
  'p99 ms': (r) => fmtMs(r.summary.latencyMs.p99),
  'µs CPU/req': (r) => fmtInt(cpuPerRequest(r)),
  'origin calls': (r) => fmtInt(r.summary.originCalls),
  errors: (r) => String(r.summary.non2xx + r.summary.errors)
}

const measured = (header: string) => (r: RungResult): string => measuredCells[header]!(r)

export const LADDER_COLUMNS: readonly LadderColumn[] = [
  { header: 'rung', meaning: 'the rung (0 = naive … 4 = the default service)', align: 'left', cell: (r) => r.id },
  { header: 'stage', meaning: 'naive, algorithm, caching, I/O, tricks', align: 'left', cell: (r) => r.stage },
  { header: 'req/s', meaning: '2xx responses per second, median over the rounds', align: 'right', cell: measured('req/s') },
  {
    header: 'spread',
    meaning: 'half the range of the rounds\' req/s, relative to the median (empty with one round)',
    align: 'right',
    cell: measured('spread')
  },
  { header: '× rung 0', meaning: 'req/s ÷ rung 0\'s req/s', align: 'right', cell: (r) => fmtTimes(r.ratioToFirst) },
  { header: 'step ×', meaning: 'req/s ÷ the previous rung\'s: what this rung\'s one step gained', align: 'right', cell: (r) => fmtTimes(r.stepGain) },
  {
    header: '% limit',
    meaning: 'req/s ÷ the baseline\'s (a constant answer through the same nginx → cluster path)',
    align: 'right',
    cell: (r) => fmtPct(r.fractionOfLimit, 1)
  },
  { header: 'p50 ms', meaning: 'median latency of 2xx responses (median over the rounds)', align: 'right', cell: measured('p50 ms') },
  { header: 'p99 ms', meaning: '99th percentile latency (median over the rounds)', align: 'right', cell: measured('p99 ms') },
  {
    header: 'µs CPU/req',
    meaning: 'CPU time of the app\'s process tree (primary + workers, /proc) ÷ requests (median over the rounds)',
    align: 'right',
    cell: measured('µs CPU/req')
  },
  {
    header: 'CPU/req ×',
    meaning: 'CPU per request ÷ the previous rung\'s (below 1: the step made a request cheaper)',
    align: 'right',
    cell: (r) => fmtTimes(r.cpuPerRequestRatio)
  },
  {
    header: 'origin calls',
    meaning: 'requests the weather provider served during one measured run (delta of its /stats; median over the rounds)',
    align: 'right',
    cell: measured('origin calls')
  },
  { header: 'errors', meaning: 'non-2xx answers + connection errors, summed over the rounds', align: 'right', cell: measured('errors') },
  {
    header: 'top 3 functions by self time (profiled worker)',
    meaning: 'the three functions with the most self time in the rung\'s CPU profile, share of samples; V8\'s idle/GC entries left out',
    align: 'left',
    cell: (r) => r.profile === null ? '–' : r.profile.topThree.map(formatFunction).join(', ')
  }
]

/** The baseline as a row of the same table (no step, no profile). */
function baselineCells (results: LadderResults): string[] | null {
  const b = results.baseline
  if (b === null) return null
  const first = results.rungs[0]?.summary.requestsPerSecond.median
  const limit = b.summary.requestsPerSecond.median
  return LADDER_COLUMNS.map((c) => {
    switch (c.header) {
      case 'rung': return 'limit'
      case 'stage': return 'baseline'
      case '× rung 0': return fmtTimes(first === undefined || first === 0 ? null : limit / first)
      case '% limit': return '100.0%'
      default: return measuredCells[c.header]?.(b) ?? ''
    }
  })
}

export function ladderRows (results: LadderResults): string[][] {
  const rows = results.rungs.map((r) => LADDER_COLUMNS.map((c) => c.cell(r)))
  const limit = baselineCells(results)
  return limit === null ? rows : [...rows, limit]
}

/**
 * One line per step: which function the profile named before the step (the previous rung's
 * top function, and our own top function), what the step changed, and what it gained.
 */
const fmtRange = (r: MeasuredRuns): string => `${fmtInt(r.summary.requestsPerSecond.min)}–${fmtInt(r.summary.requestsPerSecond.max)}`

export function stepStory (results: LadderResults): string[] {
  return results.rungs.slice(1).map((rung, i) => {
    const before = results.rungs[i]!
    const named = before.profile === null
      ? 'no profile'
      : `${fnName(before.profile.topThree[0])}` +
        (before.profile.topOwn !== null && before.profile.topOwn.name !== before.profile.topThree[0]?.name
          ? ` (own code: ${before.profile.topOwn.name})`
          : '')
    const limit = rung.fractionOfLimit === null ? '' : `, ${fmtPct(rung.fractionOfLimit, 1)} of the limit`
    return `Rung ${before.id} → ${rung.id} (${rung.step}): the profile of rung ${before.id} named ${named}; ` +
      `req/s ${fmtTimes(rung.stepGain)} (now ${fmtTimes(rung.ratioToFirst)} rung 0${limit}), CPU per request ${fmtTimes(rung.cpuPerRequestRatio)}, ` +
      `origin calls ${fmtInt(before.summary.originCalls)} → ${fmtInt(rung.summary.originCalls)}.` +
      (rung.stepBeyondNoise === false
        ? ` Within the noise: the two rungs' rounds overlap (${fmtRange(before)} against ${fmtRange(rung)} req/s), so this run does not rank them.`
        : '')
  })
}

function header (results: LadderResults): string[] {
  const w = results.workload
  return [
    `Command: ${results.command}`,
    `Run: ${results.startedAt} (${results.wallSeconds.toFixed(0)} s), ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}`,
    `Workload, every rung: ${w.scenario} (${w.description}), through nginx → ${w.workers}-worker cluster, ${w.connections} connections, ` +
      `${w.rounds} round(s) of ${w.durationSeconds} s measured per rung (interleaved: every rung of one nginx configuration, then again; medians shown), ` +
      `each after priming and ${w.warmupSeconds}–${w.maxWarmupSeconds} s of warm-up (until the app's CPU per request settles); ` +
      `ORIGIN_TIMEOUT_MS=${w.originTimeoutMs}, nginx proxy_read_timeout ${w.nginxReadTimeoutSeconds} s, seed ${w.seed}.`,
    `Profiles: ${w.profiling}, ${w.profileSeconds} s per rung.`
  ]
}

export function renderLadderTerminal (results: LadderResults): string {
  return [
    ...header(results),
    '',
    renderTextTable(LADDER_COLUMNS.map((c) => c.header), ladderRows(results), LADDER_COLUMNS.map((c) => c.align)),
    '',
    ...stepStory(results),
    ...(results.warnings.length > 0 ? ['', ...results.warnings.map((w) => `warning: ${w}`)] : [])
  ].join('\n') + '\n'
}

export function renderLadderMarkdown (results: LadderResults): string {
  const out = ['# cachestack optimization ladder', '']
  for (const line of header(results)) out.push(line.replace(/^Command: (.*)$/, 'Command: `$1`') + '  ')
  out.push('')
  out.push(renderMarkdownTable(LADDER_COLUMNS.map((c) => c.header), ladderRows(results), LADDER_COLUMNS.map((c) => c.align)))
  out.push('')
  out.push('## Steps')
  out.push('')
  for (const line of stepStory(results)) out.push(`- ${line}`)
  out.push('')
  out.push('## Rungs')
  out.push('')
  for (const r of results.rungs) {
    out.push(`- **${r.id}** (${r.stage}): ${r.step}. ${r.why}. ` +
      `App env: \`${Object.entries(r.appEnv).filter(([k]) => k === 'NAIVE' || k === 'REDIS_AUTO_PIPELINING').map(([k, v]) => `${k}=${v}`).join(' ')} ` +
      `CACHE_STRATEGY=${r.settings.strategy}\`, nginx upstream keep-alive ${r.nginxUpstreamKeepalive === 0 ? 'off' : r.nginxUpstreamKeepalive}.` +
      (r.profile === null ? '' : ` Flame graph: \`${r.profile.flameGraph}\`.`))
  }
  out.push('')
  out.push('## Columns')
  out.push('')
  for (const c of LADDER_COLUMNS) out.push(`- **${c.header}**: ${c.meaning}.`)
  if (results.warnings.length > 0) {
    out.push('', '## Warnings', '')
    for (const w of results.warnings) out.push(`- ${w}`)
  }
  out.push('')
  return out.join('\n')
}
