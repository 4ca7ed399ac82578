// The city index's own share of a process's memory, measured in a bare `node --expose-gc` process
// (bench/worker-memory.ts runs this): heap and RSS after a full GC, before and after building the
// index. A child of its own, so that nothing else the benchmark loaded is counted.
// Counted: the index's modules and all they import (for the compact index: node:zlib, node:crypto
// for the canonical form's id — ~1 MB of RSS here that a worker, which loads node:crypto anyway,
// does not pay again), and what the index holds once open (the compact index: the sections every
// lookup reads, 3.5 MiB; the object index: the decoded data set and its maps). Not counted: the
// City objects the compact index makes later, as cities are asked for (its details are read from
// the file then), which grow with a worker's working set.
// Usage: node --expose-gc dist/bench/index-share-probe.js object|compact
import { readFileSync } from 'node:fs'

const kind = process.argv[2]
if (kind !== 'object' && kind !== 'compact') throw new TypeError('expected "object" or "compact"')
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')

// RSS splits into anonymous pages (this process's own: heaps, buffers) and file-backed ones (the
// node binary's code, shared with every process): optimizing the first hot loop pages in ~4 MB of
// V8's compiler code, which every worker maps anyway (the compact index's open has no such loop
// since its invariants are verified where the file is written), so both are reported.
function statusMb (status: string, field: string): number {
  const line = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
  if (line === null) throw new Error(`no ${field} in /proc/self/status`)
  return Number(line[1]) / 1024
}

async function settle (): Promise<{ rssMb: number, anonMb: number, heapMb: number }> {
  for (let i = 0; i < 3; i++) {
    gc!()
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const status = readFileSync('/proc/self/status', 'utf8')
  return { rssMb: statusMb(status, 'VmRSS'), anonMb: statusMb(status, 'RssAnon'), heapMb: process.memoryUsage().heapUsed / 2 ** 20 }
}

// Module paths as values: this file compiles whether or not the compact index exists yet.
const load = async (path: string): Promise<Record<string, unknown>> => await import(String(new URL(path, import.meta.url))) as Record<string, unknown>

const before = await settle()
const started = performance.now()
let index: { size: number, resolve (name: string): { id: number } | undefined }
if (kind === 'object') {
  const { CityIndex } = await load('../src/cities/city-index.js') as { CityIndex: new (cities: unknown) => typeof index }
  const { loadCities } = await load('../src/cities/dataset.js') as { loadCities: () => unknown }
  index = new CityIndex(loadCities())
} else {
  const { openCompactCityIndex } = await load('../src/cities/compact-city-file.js') as { openCompactCityIndex: () => Promise<typeof index> }
  index = await openCompactCityIndex()
}
const ms = performance.now() - started
const after = await settle()
if (index.resolve('london') === undefined || index.size < 100_000) throw new Error('the index does not answer')
process.stdout.write(JSON.stringify({ kind, ms, before, after }) + '\n')
