// `--heap-snapshot`: the snapshot a worker wrote → the largest retainers by constructor, for the
// terminal (and the memory page): what answers "what holds this worker's memory".
import { readFile } from 'node:fs/promises'
import { dominators, parseHeapSnapshot, summarizeRetainers, type ConstructorStat, type RetainerSummary } from './heap-snapshot.js'
import { percent, renderTable } from './table.js'

export interface RetainerReport {
  file: string
  fileBytes: number
  summary: RetainerSummary
  /** Reading, parsing and the dominator tree, ms. */
  analysisMs: number
  /** Passes the dominator iteration took. */
  passes: number
}

export async function readRetainers (file: string): Promise<RetainerReport> {
  const started = performance.now()
  const json = await readFile(file, 'utf8')
  const graph = parseHeapSnapshot(json, file)
  const dom = dominators(graph)
  const summary = summarizeRetainers(graph, dom)
  return { file, fileBytes: Buffer.byteLength(json), summary, analysisMs: Math.round(performance.now() - started), passes: dom.passes }
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(1)
const mib = (bytes: number): string => (bytes / 1048576).toFixed(1)

export function formatRetainers (report: RetainerReport, { limit = 15 }: { limit?: number } = {}): string {
  const { summary: s } = report
  const total = s.totalBytes || 1
  return [
    `Heap snapshot ${report.file}: ${mib(s.totalBytes)} MiB in ${s.nodeCount.toLocaleString('en-US')} objects, written at the end of the run after ` +
      `V8's full GC (analysed in ${(report.analysisMs / 1000).toFixed(1)} s). Top ${limit} constructors by retained size (what freeing every ` +
      'such object would free; one held by another of its kind is counted once; weak references do not retain, as in DevTools):',
    renderTable<ConstructorStat>(s.constructors.slice(0, limit), [
      { header: 'count', value: (c) => c.count.toLocaleString('en-US'), align: 'right' },
      { header: 'shallow KiB', value: (c) => kib(c.shallowBytes), align: 'right' },
      { header: 'shallow %', value: (c) => percent(c.shallowBytes / total), align: 'right' },
      { header: 'retained KiB', value: (c) => kib(c.retainedBytes), align: 'right' },
      { header: 'retained %', value: (c) => percent(c.retainedBytes / total), align: 'right' },
      { header: 'constructor', value: (c) => c.name, maxWidth: 60 }
    ])
  ].join('\n')
}
