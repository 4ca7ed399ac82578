// The runner against a fake test bed: a tiny HTTP server standing in for nginx + app.
import { strict as assert } from 'node:assert'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { test } from 'node:test'
import type { RequestCity } from '../../loadtest/drive/cities.js'
import { validateOptions, DEFAULTS } from '../../loadtest/options.js'
import type { RunTargetName } from '../../loadtest/targets.js'
import { createProcFs } from '../../loadtest/measure/process-usage.js'
import { createProgress } from '../../loadtest/report/progress.js'
import { runLoadTest } from '../../loadtest/runner.js'
import { validateResults } from '../../loadtest/report/schema.js'
import type { Endpoints, TestBed } from '../../loadtest/bed/test-bed.js'

const CITIES: RequestCity[] = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `c${i}`, country: 'ZZ', population: 1000 - i, segment: `c${i}` }))

/** Counts requests per route and exposes them the way the app does. */
function fakeApp (): Promise<{ server: Server, url: string, paths: Set<string> }> {
  // Distinct paths (a Set, bounded by the cities × routes): a list capped by count fills up
  // during the first target's run on a fast machine and then sees no other route.
  const paths = new Set<string>()
  let weather = 0
  let baseline = 0
  const server = createServer((req, res) => {
    const url = req.url ?? ''
    if (url === '/metrics') {
      res.end([
        `cachestack_cache_hits_total{layer="l1"} ${weather}`,
        'cachestack_cache_hits_total{layer="l2"} 0',
        'cachestack_cache_misses_total 0',
        `cachestack_http_request_duration_seconds_count{route="/weather/:city",method="GET",status_code="200"} ${weather}`,
        `cachestack_http_request_duration_seconds_count{route="/baseline/:city",method="GET",status_code="200"} ${baseline}`
      ].join('\n') + '\n')
      return
    }
    paths.add(url)
    if (url.startsWith('/weather/')) weather++
    else if (url.startsWith('/baseline/')) baseline++
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  server.listen(0, '127.0.0.1')
  return once(server, 'listening').then(() => {
    const address = server.address()
    return { server, url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, paths }
  })
}

test('runner: each target measured with varied paths; a target that cannot start is skipped, the rest reported', { timeout: 60_000 }, async () => {
  const app = await fakeApp()
  const prepared: Array<[RunTargetName, boolean]> = []
  const bed: TestBed = {
    mode: 'native',
    workers: 1,
    warnings: [],
    async begin () {},
    async prepare (target, { cold }) {
      prepared.push([target, cold])
      if (target === 'redis') throw new Error('redis would not start\nmore detail')
      const endpoints: Endpoints = {
        loadUrl: app.url,
        metricsUrl: `${app.url}/metrics`,
        originStatsUrl: null,
        pids: { app: process.pid, nginx: null, redis: null, origin: null },
        edgeCache: false,
        strategy: target === 'baseline' ? 'none' : target
      }
      return endpoints
    },
    async close () {}
  }
  const options = validateOptions({
    ...DEFAULTS,
    targets: ['baseline', 'memory', 'redis'],
    scenarios: ['uniform'],
    durationSeconds: 0.5,
    warmupSeconds: 0.2,
    connections: 4,
    repetitions: 2,
    cities: 20,
    outDir: '/tmp/unused',
    progress: false,
    external: null
  })
  const lines: string[] = []
  const stream = { write: (line: string) => { lines.push(line); return true } } as unknown as NodeJS.WriteStream
  try {
    const results = await runLoadTest(options, { bed, cities: CITIES, progress: createProgress(false, stream), procfs: createProcFs(), command: 'test' })
    assert.deepEqual(validateResults(results), [])
    assert.deepEqual(results.results.map((r) => [r.target, r.measurements.length]), [['baseline', 2], ['memory', 2]])
    assert.ok(results.warnings.some((w) => w === 'redis skipped: could not start it: redis would not start'), results.warnings.join('\n'))
    // Interleaved repetitions; redis tried twice (one retry), then left alone.
    assert.deepEqual(prepared.map(([t]) => t), ['baseline', 'memory', 'redis', 'redis', 'baseline', 'memory'])
    const memory = results.results[1]!.summary
    assert.ok(memory.requestsPerSecond.median > 0)
    assert.equal(memory.hitRatio.l1, 1)
    assert.ok(memory.fractionOfLimit !== null && memory.fractionOfLimit > 0)
    assert.equal(memory.originCalls, null) // no provider /stats given
    // Varied URLs: many distinct cities were requested, through both routes.
    const weatherPaths = [...app.paths].filter((p) => p.startsWith('/weather/'))
    assert.ok(weatherPaths.length >= 15, `${weatherPaths.length} distinct weather paths`)
    assert.ok([...app.paths].some((p) => p.startsWith('/baseline/c')))
    assert.ok(lines.some((l) => /memory · uniform #2\s+[\d,]+ req\/s/.test(l)), lines.join(''))
  } finally {
    app.server.close()
  }
})
