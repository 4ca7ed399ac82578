// `npm run bench:hit-path`: what an L1 hit costs against a bare Fastify route that sends a
// constant string of the same size — the standard is "within 10%" — and against the same bare
// route sending the hit's five cache headers as constants (what the headers alone cost). Both servers live in one
// child process; load runs against one at a time, alternating, and the child's CPU time per
// request (from /proc) is the figure that matters: req/s on 2 shared cores is noise, CPU per
// request much less so.
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const SECONDS = Number(process.env.SECONDS ?? 3)
const CLOCK_TICKS = 100

function cpuTicks (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

const child = fork(fileURLToPath(new URL('./hit-path-server.js', import.meta.url)), { stdio: 'inherit' })
const urls = await new Promise<{ ours: string, oursLru: string, bare: string }>(resolve => child.once('message', resolve as (m: unknown) => void))
const targets: Record<string, string> = {
  'bare Fastify, constant string': `${urls.bare}/weather/london`,
  'bare Fastify, same string + the 5 cache headers': `${urls.bare}/headers/london`,
  'ours: /baseline (same app, constant)': `${urls.ours}/baseline/london`,
  'ours: /weather L1 hit': `${urls.ours}/weather/london`,
  'ours: /weather L1 hit, L1_POLICY=lru': `${urls.oursLru}/weather/london`
}
const results = new Map<string, Array<{ rps: number, cpuUsPerReq: number }>>()
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of Object.entries(targets)) {
    const before = cpuTicks(child.pid!)
    const run = await autocannon({ url, connections: 20, duration: SECONDS })
    const ticks = cpuTicks(child.pid!) - before
    if (run.non2xx > 0 || run.errors > 0) throw new Error(`${name}: ${run.non2xx} non-2xx, ${run.errors} errors`)
    const list = results.get(name) ?? []
    list.push({ rps: run.requests.average, cpuUsPerReq: (ticks / CLOCK_TICKS) * 1e6 / run.requests.total })
    results.set(name, list)
  }
}
child.disconnect()

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]! }
const bareCpu = median(results.get('bare Fastify, constant string')!.map(r => r.cpuUsPerReq))
process.stdout.write(`node ${process.version}; ${ROUNDS} rounds × ${SECONDS} s per target, alternating; medians (min–max)\n\n`)
process.stdout.write('| target | req/s | CPU µs/request | CPU vs bare |\n|---|---:|---:|---:|\n')
for (const [name, list] of results) {
  const rps = list.map(r => r.rps)
  const cpu = list.map(r => r.cpuUsPerReq)
  process.stdout.write(
    `| ${name} | ${Math.round(median(rps))} (${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}) ` +
    `| ${median(cpu).toFixed(1)} (${Math.min(...cpu).toFixed(1)}–${Math.max(...cpu).toFixed(1)}) | ${(median(cpu) / bareCpu).toFixed(2)}× |\n`
  )
}
