// `node dist/bench/hit-path-compact.js`: bench/hit-path.ts's measure (CPU per request of an L1 hit,
// from /proc, against a bare Fastify route sending the same bytes), for the two city indexes side
// by side: the object index (CityIndex, what bench/hit-path-server.ts still builds) and the compact
// index (what a worker now reads). Each index is served by a child process of its own, with its
// own bare route; load runs against one target at a time, alternating.
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const SECONDS = Number(process.env.SECONDS ?? 3)
const CLOCK_TICKS = 100
type Kind = 'object' | 'compact'

async function serve (kind: Kind): Promise<void> {
  const { default: Fastify } = await import('fastify')
  const { pino } = await import('pino')
  const { loadConfig } = await import('../src/config.js')
  const { buildOriginServer } = await import('../src/origin/server.js')
  const { createService } = await import('../src/service.js')
  const { openCompactCityIndex } = await import('../src/cities/compact-city-file.js')
  const logger = pino({ level: 'warn' })
  const compact = openCompactCityIndex()
  const cities = kind === 'object'
    ? new (await import('../src/cities/city-index.js')).CityIndex((await import('../src/cities/dataset.js')).loadCities())
    : compact
  const origin = buildOriginServer({ cities: compact, logger, latencyMs: 1, jitterMs: 0, errorRate: 0, bucketSeconds: 600, collectDefaultMetrics: false })
  const originUrl = await origin.listen({ port: 0, host: '127.0.0.1' })
  const service = createService({
    config: loadConfig({ ORIGIN_URL: originUrl, CACHE_STRATEGY: 'memory', WORKERS: '1', LOG_LEVEL: 'warn' }),
    logger,
    cities
  })
  const ours = await service.app.listen({ port: 0, host: '127.0.0.1' })
  const body = await (await fetch(`${ours}/weather/london`)).text()
  const bare = Fastify()
  bare.get('/weather/:city', (_request, reply) => { reply.send(body) })
  process.send!({ ours, bare: await bare.listen({ port: 0, host: '127.0.0.1' }) })
  process.on('disconnect', () => process.exit(0))
}

function cpuTicks (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

async function drive (): Promise<void> {
  const script = fileURLToPath(import.meta.url)
  const children: Record<Kind, ChildProcess> = { object: fork(script, ['serve', 'object']), compact: fork(script, ['serve', 'compact']) }
  const urls: Record<string, { ours: string, bare: string }> = {}
  for (const kind of ['object', 'compact'] as const) {
    urls[kind] = await new Promise(resolve => children[kind].once('message', resolve as (m: unknown) => void))
  }
  const targets: Array<[string, Kind, string]> = [
    ['object: bare Fastify', 'object', `${urls.object!.bare}/weather/london`],
    ['object: /weather L1 hit (CityIndex)', 'object', `${urls.object!.ours}/weather/london`],
    ['compact: bare Fastify', 'compact', `${urls.compact!.bare}/weather/london`],
    ['compact: /weather L1 hit (CompactCityIndex)', 'compact', `${urls.compact!.ours}/weather/london`]
  ]
  // REVERSE=1 runs the compact targets first: an order effect then shows as a flipped result.
  if (process.env.REVERSE === '1') targets.reverse()
  const results = new Map<string, Array<{ rps: number, cpu: number }>>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, kind, url] of targets) {
      const pid = children[kind].pid!
      const before = cpuTicks(pid)
      const run = await autocannon({ url, connections: 20, duration: SECONDS })
      const ticks = cpuTicks(pid) - before
      if (run.non2xx > 0 || run.errors > 0) throw new Error(`${name}: ${run.non2xx} non-2xx, ${run.errors} errors`)
      const list = results.get(name) ?? []
      list.push({ rps: run.requests.average, cpu: (ticks / CLOCK_TICKS) * 1e6 / run.requests.total })
      results.set(name, list)
    }
  }
  for (const child of Object.values(children)) child.disconnect()
  const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]! }
  process.stdout.write(`node ${process.version}; ${ROUNDS} rounds × ${SECONDS} s per target, alternating; medians (min–max)\n\n`)
  process.stdout.write('| target | req/s | CPU µs/request | CPU vs its bare |\n|---|---:|---:|---:|\n')
  for (const [name, list] of results) {
    const bare = median(results.get(`${name.split(':')[0]}: bare Fastify`)!.map(r => r.cpu))
    const cpu = list.map(r => r.cpu)
    const range = `${Math.min(...cpu).toFixed(1)}–${Math.max(...cpu).toFixed(1)}`
    process.stdout.write(`| ${name} | ${Math.round(median(list.map(r => r.rps)))} | ${median(cpu).toFixed(1)} (${range}) ` +
      `| ${(median(cpu) / bare).toFixed(2)}× |\n`)
  }
}

if (process.argv[2] === 'serve') {
  const kind = process.argv[3]
  if (kind !== 'object' && kind !== 'compact') throw new TypeError('expected object or compact')
  await serve(kind)
} else {
  await drive()
}
