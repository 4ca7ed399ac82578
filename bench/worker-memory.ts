// `npm run bench:memory`: what a start of `node dist/src/main.js` costs in memory and time, read
// from /proc rather than from a timed unit test. Per round: the time from spawn to the first 200
// from /health (2 workers, the embedded provider), then, after a settle, the VmRSS of the
// primary, of each worker and of the provider. Then the city index's own share, in a bare
// `node --expose-gc` process (bench/index-share-probe.ts): the object index (loadCities +
// CityIndex) and, when it is built, the compact index. Medians over ROUNDS (default 3).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { freePort } from '../stack/free-port.js'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 3000)
const WORKERS = 2
const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url))
const PROBE = fileURLToPath(new URL('./index-share-probe.js', import.meta.url))
const COMPACT = fileURLToPath(new URL('../src/cities/compact-city-file.js', import.meta.url))

interface Round {
  firstHealthMs: number
  /** CPU time (user + system) of the primary and its children by the first 200: the work of a start, whatever the machine's load. */
  firstHealthCpuMs: number
  primaryMb: number
  workerMb: number[]
  providerMb: number
}

function rssMb (pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (line === null) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(line[1]) / 1024
}

function childrenOf (pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** utime + stime of a process, in ms (clock ticks of 10 ms). */
function cpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const cmdline = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function untilHealthy (url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`main.js exited with code ${child.exitCode}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(500) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {}
    await sleep(10)
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms`)
}

async function round (): Promise<Round> {
  const [port, metricsPort, originPort] = [await freePort(), await freePort(), await freePort()]
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WORKERS: String(WORKERS),
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    ORIGIN_PORT: String(originPort),
    LOG_LEVEL: 'warn'
  }
  delete env.ORIGIN_URL
  const started = performance.now()
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'inherit', 'inherit'] })
  try {
    await untilHealthy(`http://127.0.0.1:${port}/health`, child)
    const firstHealthMs = performance.now() - started
    const firstHealthCpuMs = [child.pid!, ...childrenOf(child.pid!)].reduce((sum, pid) => sum + cpuMs(pid), 0)
    await sleep(SETTLE_MS)
    const pid = child.pid!
    const children = childrenOf(pid)
    const provider = children.filter(c => cmdline(c).includes('origin/main.js'))
    const workers = children.filter(c => !provider.includes(c))
    if (provider.length !== 1 || workers.length !== WORKERS) throw new Error(`expected ${WORKERS} workers and 1 provider, found ${children.length} children`)
    return { firstHealthMs, firstHealthCpuMs, primaryMb: rssMb(pid), workerMb: workers.map(rssMb), providerMb: rssMb(provider[0]!) }
  } finally {
    const exited = new Promise(resolve => child.once('exit', resolve))
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  }
}

interface Sample { rssMb: number, anonMb: number, heapMb: number }
interface Share { ms: number, before: Sample, after: Sample }

function probe (kind: 'object' | 'compact'): Share {
  const out = execFileSync(process.execPath, ['--expose-gc', PROBE, kind], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1)!) as Share
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const mb = (n: number): string => n.toFixed(1).padStart(7)

const rounds: Round[] = []
const shares: Record<string, Share[]> = { object: [] }
const kinds: Array<'object' | 'compact'> = existsSync(COMPACT) ? ['object', 'compact'] : ['object']
for (let i = 0; i < ROUNDS; i++) {
  const r = await round()
  rounds.push(r)
  console.log(`round ${i + 1}: first /health ${r.firstHealthMs.toFixed(0)} ms (CPU ${r.firstHealthCpuMs} ms), primary ${r.primaryMb.toFixed(1)} MB, ` +
    `workers ${r.workerMb.map(w => w.toFixed(1)).join(' / ')} MB, provider ${r.providerMb.toFixed(1)} MB`)
  for (const kind of kinds) (shares[kind] ??= []).push(probe(kind))
}

console.log(`\nnode dist/src/main.js, ${WORKERS} workers, medians of ${ROUNDS} (RSS from /proc/<pid>/status, ${SETTLE_MS} ms after the first /health)`)
console.log(`  time to first /health   ${median(rounds.map(r => r.firstHealthMs)).toFixed(0).padStart(7)} ms`)
console.log(`  CPU to first /health    ${median(rounds.map(r => r.firstHealthCpuMs)).toFixed(0).padStart(7)} ms (all processes; load-independent)`)
console.log(`  load average (1 min)    ${loadavg()[0]!.toFixed(2).padStart(7)}`)
console.log(`  worker RSS (each)       ${mb(median(rounds.flatMap(r => r.workerMb)))} MB`)
console.log(`  primary RSS             ${mb(median(rounds.map(r => r.primaryMb)))} MB`)
console.log(`  provider RSS            ${mb(median(rounds.map(r => r.providerMb)))} MB`)
console.log('\nthe index\'s own share (bare node --expose-gc, after gc; after − before; anon = RssAnon, without the node binary\'s shared code pages;')
console.log('the index\'s modules and what it holds once open, not the City objects it makes later: bench/index-share-probe.ts)')
console.log('  index      build ms   RSS before   RSS after   RSS share   anon share   heap before  heap after  heap share')
for (const kind of kinds) {
  const s = shares[kind]!
  const m = (f: (x: Share) => number): number => median(s.map(f))
  console.log(`  ${kind.padEnd(8)} ${m(x => x.ms).toFixed(0).padStart(10)} ${mb(m(x => x.before.rssMb))} MB ${mb(m(x => x.after.rssMb))} MB ` +
    `${mb(m(x => x.after.rssMb - x.before.rssMb))} MB ${mb(m(x => x.after.anonMb - x.before.anonMb))} MB  ` +
    `${mb(m(x => x.before.heapMb))} MB ${mb(m(x => x.after.heapMb))} MB ${mb(m(x => x.after.heapMb - x.before.heapMb))} MB`)
}
