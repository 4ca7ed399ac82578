// The terminal view of memory over time (what `mprof run` records and `mprof plot` draws): per
// worker, each series' min, median, max and last value with a sparkline over the run, and a row
// of GC pauses under them. The chart is the memory page's (memory-page.ts).
import type { WorkerMemory } from './profile-worker.js'
import { gcSparkline, seriesStats } from './memory-series.js'
import { renderTable } from './table.js'

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1)

export const workerName = (w: Pick<WorkerMemory, 'workerId' | 'pid' | 'profiled'>): string =>
  `${w.workerId === null ? 'worker' : `worker ${w.workerId}`} (pid ${w.pid}${w.profiled ? ', profiled' : ''})`

interface Row {
  worker: string
  series: string
  min: string
  median: string
  max: string
  last: string
  line: string
}

export function formatMemoryTimeline (workers: readonly WorkerMemory[], { width = 30 }: { width?: number } = {}): string {
  if (workers.length === 0) return 'Memory over time: no samples'
  const first = workers[0]!.runtime
  const rows: Row[] = []
  for (const w of workers) {
    const stats = w.runtime
    for (const [i, s] of seriesStats(stats, { width }).entries()) {
      rows.push({
        worker: i === 0 ? workerName(w) : '',
        series: s.name,
        min: mib(s.min),
        median: mib(s.median),
        max: mib(s.max),
        last: mib(s.last),
        line: s.sparkline
      })
    }
    const kinds = Object.entries(stats.gc.byKind).map(([kind, k]) => `${k.count} ${kind}`).join(', ')
    rows.push({
      worker: '',
      series: 'GC pauses',
      min: '',
      median: '',
      max: '',
      last: '',
      line: gcSparkline(stats, { width }) + `  ${stats.gc.count}${kinds === '' ? '' : ` (${kinds})`}, ${stats.gc.totalMs.toFixed(1)} ms, ` +
        `longest ${stats.gc.maxMs.toFixed(1)} ms`
    })
  }
  const interval = first.intervalMs ?? (first.samples.length > 1 ? Math.round(first.durationMs / (first.samples.length - 1)) : 0)
  return [
    `Memory over time (cf. mprof run; the chart is in the memory page): every ${interval} ms over ${(first.durationMs / 1000).toFixed(1)} s, ` +
      `${workers.length} worker${workers.length === 1 ? '' : 's'}, MiB. ` +
      'The line runs left to right over the run, each series scaled from its min to its max; ' +
      'GC pauses: ms of pause per slot.',
    renderTable<Row>(rows, [
      { header: 'worker', value: (r) => r.worker, maxWidth: 34 },
      { header: 'series', value: (r) => r.series },
      { header: 'min', value: (r) => r.min, align: 'right' },
      { header: 'median', value: (r) => r.median, align: 'right' },
      { header: 'max', value: (r) => r.max, align: 'right' },
      { header: 'end', value: (r) => r.last, align: 'right' },
      { header: 'over the run', value: (r) => r.line, maxWidth: width + 80 }
    ])
  ].join('\n')
}
