// `npm run bench -- policies [--requests N] [--out DIR]`: the L1 policy study (issue 17 §1). Every
// stream × capacity × policy replayed through the real stores, Belady's MIN on the same trace,
// the get-hit cost of every store, and the rule's decision, all from this one run; tables on
// stdout, then results.json, results.md and report.html in DIR (policies-results/<timestamp>).
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { flagValue } from '../../src/cli-options.js'
import { CityIndex } from '../../src/cities/city-index.js'
import type { DatasetCity } from '../../src/cities/dataset.js'
import { integer } from '../../src/value-rules.js'
import { loadChartJs } from '../../loadtest/report/html-page.js'
import type { TaskResult } from '../harness.js'
import { describeL1Gets, measureL1Gets, median } from '../l1-get.bench.js'
import { decide } from './decision.js'
import { readTrace, RECORDED_TRACE } from './recorded-trace.js'
import { decisionTable, renderHtml, renderMarkdown, streamTable, type StudyReport } from './report.js'
import { DEFAULT_SIZES, syntheticStreams } from './streams.js'
import { studyStream, type StreamResult } from './study.js'

export interface PoliciesOptions {
  /** Requests per synthetic stream over all cities. */
  requests: number
  outDir: string
}

export function parsePoliciesArgs (argv: readonly string[], now = new Date()): PoliciesOptions {
  const { values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { requests: { type: 'string' }, out: { type: 'string' } } })
  const requests = flagValue(RangeError, 'requests', values.requests, integer(10_000, 20_000_000)) ?? DEFAULT_SIZES.requests
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')
  return { requests, outDir: values.out ?? join('policies-results', stamp) }
}

export async function policiesBench (dataset: readonly DatasetCity[], index: CityIndex, argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout): Promise<TaskResult[]> {
  const options = parsePoliciesArgs(argv)
  const startedAt = new Date()
  const command = ['npm run bench -- policies', ...argv].join(' ')
  const machine = `node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}`
  const trace = readTrace(RECORDED_TRACE, index)
  const streams = [
    ...syntheticStreams(dataset, { requests: options.requests, loadtestRequests: Math.round(options.requests / 2) }),
    trace.stream
  ]
  const notes = [
    'capacity in entries, as a share of the distinct keys each stream requests; every value the same size (the byte bound never binds)',
    'each policy is the store the service runs (src/cache/l1-policies/; lru = MemoryStore, lru-cache), driven as the engine does: get, and set on a miss',
    'hit ratio over every request, the cold start included; MIN is Belady\'s optimum with bypass on the same trace, computed offline',
    `the recorded trace: ${trace.command ?? RECORDED_TRACE}` + (trace.unresolved > 0 ? ` (${trace.unresolved} paths resolved to no city, skipped)` : ''),
    'one cache for the whole trace: the load test spread those requests over 2 workers, each with its own L1'
  ]
  for (const note of notes) out.write(`${note}\n`)
  const results: StreamResult[] = []
  for (const stream of streams) {
    const result = studyStream(stream)
    results.push(result)
    out.write(`\n${streamTable(result)}\n(${result.seconds.toFixed(1)} s)\n`)
  }
  out.write('\nget-hit cost (npm run bench -- l1, the same measurement, in this run):\n')
  const costs = await measureL1Gets()
  for (const line of describeL1Gets(costs)) out.write(line + '\n')
  const decision = decide(results, {
    sieve: median(costs.ratioToLru.sieve),
    s3fifo: median(costs.ratioToLru.s3fifo),
    tinylfu: median(costs.ratioToLru.tinylfu)
  })
  out.write(`\n${decisionTable(decision)}\n`)
  const report: StudyReport = { command, machine, startedAt: startedAt.toISOString(), streams: results, costs, decision, notes }
  mkdirSync(options.outDir, { recursive: true })
  writeFileSync(join(options.outDir, 'results.json'), JSON.stringify({ ...report, costs: { ...costs, rows: undefined } }, null, 2) + '\n')
  writeFileSync(join(options.outDir, 'results.md'), renderMarkdown(report))
  writeFileSync(join(options.outDir, 'report.html'), renderHtml(report, loadChartJs()))
  out.write(`\nwrote ${join(options.outDir, 'results.json')}\n      ${join(options.outDir, 'results.md')}\n      ${join(options.outDir, 'report.html')}\n`)
  return costs.rows
}
