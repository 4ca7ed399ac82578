// results.md: the run in prose and tables, readable on GitHub or pasted into a PR.
import { fmtBytes, fmtMs, fmtPct } from './format.js'
import { cells, COLUMNS, columnsFor, renderMarkdownTable, scenarioResults } from './table.js'
import { shardLines } from './shard-lines.js'
import type { Results, ScenarioInfo } from './schema.js'
import { stormTables } from './storm-tables.js'

/** The app variables a scenario sets (the same for every target), as a sentence; '' when none. */
export function scenarioEnvNote (scenario: Pick<ScenarioInfo, 'appEnv'>): string {
  const entries = Object.entries(scenario.appEnv)
  return entries.length === 0 ? '' : ` App environment for every target, peers included: ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}.`
}

export function renderMarkdownReport (results: Results): string {
  const { options: o, machine: m } = results
  const out: string[] = []
  out.push('# cachestack load test')
  out.push('')
  out.push(`Command: \`${results.command}\`  `)
  out.push(`Run: ${results.startedAt} – ${results.finishedAt} (${results.wallSeconds.toFixed(0)} s), ${results.topology.mode} topology` +
    `${results.topology.workers === null ? '' : `, ${results.topology.workers} workers`}  `)
  out.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${fmtBytes(m.totalMemoryBytes)}, Node ${m.node} (${m.platform}/${m.arch}); ` +
    'load generator, nginx, app, Redis and provider share these cores, so compare ratios, not absolute req/s.  ')
  out.push(`Load: ${o.durationSeconds} s per run after ${o.warmupSeconds} s of warm-up, ${o.connections} connections, pipelining ${o.pipelining}, ` +
    `${o.repetitions} repetition(s) (median shown), ${o.rate === null ? 'as fast as possible (closed loop)' : `fixed rate ${o.rate} req/s`}, seed ${o.seed}.`)
  out.push('')
  out.push(`Latency: ${results.latency.method}`)
  out.push('')
  for (const scenario of results.scenarios) {
    const rows = scenarioResults(results, scenario.name)
    if (rows.length === 0) continue
    out.push(`## ${scenario.name}`)
    out.push('')
    out.push(`${scenario.description}. ${scenario.distinctPaths} distinct paths; the most requested takes ${fmtPct(scenario.topPathShare)} of requests, ` +
      `the top 10% of paths ${fmtPct(scenario.top10PercentShare)}.${scenarioEnvNote(scenario)}`)
    out.push('')
    const columns = columnsFor(results)
    out.push(renderMarkdownTable(columns.map((c) => c.header), cells(columns, rows), columns.map((c) => c.align)))
    out.push('')
    for (const table of stormTables(results, scenario.name, rows)) {
      out.push(table.caption)
      out.push('')
      out.push(renderMarkdownTable(table.headers, table.rows, table.align))
      out.push('')
    }
    if (rows.some((r) => r.summary.correctedLatencyMs !== null)) {
      out.push('Latency corrected for coordinated omission (see above), next to the raw figures:')
      out.push('')
      out.push(renderMarkdownTable(
        ['target', 'p50 raw', 'p50 corrected', 'p99 raw', 'p99 corrected', 'p99.9 raw', 'p99.9 corrected'],
        rows.map((r) => [
          r.target,
          fmtMs(r.summary.latencyMs.p50),
          fmtMs(r.summary.correctedLatencyMs?.p50 ?? null),
          fmtMs(r.summary.latencyMs.p99),
          fmtMs(r.summary.correctedLatencyMs?.p99 ?? null),
          fmtMs(r.summary.latencyMs.p99_9),
          fmtMs(r.summary.correctedLatencyMs?.p99_9 ?? null)
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right']
      ))
      out.push('')
    }
  }
  const shards = shardLines(results)
  if (shards.length > 0) {
    out.push('## Redis Cluster: keys per master after each run')
    out.push('')
    out.push('Read with DBSIZE on every node right after the run; replicas hold the same keys as their master.')
    out.push('')
    for (const line of shards) out.push(`- ${line}`)
    out.push('')
  }
  out.push('## Columns')
  out.push('')
  // Every column, the conditional ones too: the legend documents the report format.
  for (const c of COLUMNS) out.push(`- **${c.header}**: ${c.meaning}.`)
  out.push('')
  if (results.warnings.length > 0) {
    out.push('## Warnings')
    out.push('')
    for (const w of results.warnings) out.push(`- ${w}`)
    out.push('')
  }
  return out.join('\n')
}
