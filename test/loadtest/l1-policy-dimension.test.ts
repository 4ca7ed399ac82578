// `--l1-policy`: the L1 eviction policy as a dimension of the load test. Each target with an L1 of
// ours runs once per policy, named `<target>[l1=<policy>]`, and its app is started with that
// L1_POLICY (and the run's L1_MAX_ENTRIES); the others run once.
import { strict as assert } from 'node:assert'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { test } from 'node:test'
import type { RequestCity } from '../../loadtest/drive/cities.js'
import { parseCommandLine } from '../../loadtest/cli.js'
import { deadlineSeconds } from '../../loadtest/deadlines.js'
import { createProcFs } from '../../loadtest/measure/process-usage.js'
import { createProgress } from '../../loadtest/report/progress.js'
import { createTopologyBed } from '../../loadtest/bed/topology-bed.js'
import { runTargets, splitTarget, type RunTargetName, type TargetName } from '../../loadtest/targets.js'
import { runLoadTest } from '../../loadtest/runner.js'
import { validateResults } from '../../loadtest/report/schema.js'
import type { Endpoints, TestBed } from '../../loadtest/bed/test-bed.js'

const parse = (...argv: string[]) => parseCommandLine(argv, false, new Date('2026-01-02T03:04:05.678Z')).options

test('--l1-policy: parsed and validated; only targets with an L1 of ours are multiplied; names round-trip', () => {
  const o = parse('--targets', 'baseline,redis,layered,edge,peer-varnish', '--l1-policy', 'lru,tinylfu', '--l1-entries', '500')
  assert.deepEqual(o.l1Policies, ['lru', 'tinylfu'])
  assert.equal(o.l1MaxEntries, 500)
  const order = runTargets(o.targets, o.redis, o.edgeStrategy, o.l1Policies)
  assert.deepEqual(order, ['baseline', 'redis', 'layered[l1=lru]', 'layered[l1=tinylfu]', 'edge[l1=lru]', 'edge[l1=tinylfu]', 'peer-varnish'])
  assert.ok(deadlineSeconds(o) > deadlineSeconds(parse('--targets', 'baseline,redis,layered,edge,peer-varnish')), 'the deadline counts every variant')
  // Behind an edge on a strategy without L1 there is no policy to vary.
  assert.deepEqual(runTargets(['edge'], 'single', 'redis', ['lru', 'sieve']), ['edge'])
  assert.deepEqual(runTargets(['layered'], 'both', 'layered', ['lru', 's3fifo']),
    ['layered[l1=lru]', 'layered[l1=lru]@cluster', 'layered[l1=s3fifo]', 'layered[l1=s3fifo]@cluster'])
  assert.deepEqual(splitTarget('layered[l1=tinylfu]@cluster'), { target: 'layered', redis: 'cluster', l1Policy: 'tinylfu' })
  assert.deepEqual(splitTarget('memory[l1=sieve]'), { target: 'memory', redis: 'single', l1Policy: 'sieve' })
  assert.deepEqual(splitTarget('layered'), { target: 'layered', redis: 'single', l1Policy: undefined })
  // Without the flag nothing changes.
  assert.equal(parse().l1Policies, null)
  assert.deepEqual(runTargets(['layered'], 'single', 'layered', null), ['layered'])
  assert.throws(() => parse('--l1-policy', 'lru,arc'), /l1-policy="arc": expected one of lru, sieve, s3fifo, tinylfu/)
  assert.throws(() => parse('--l1-policy', 'lru,lru'), /expected each policy once/)
  assert.throws(() => parse('--l1-entries', '0'), /l1-entries=0/)
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--l1-policy', 'lru'), /only the native stack is restarted/)
})

test('--l1-policy: each variant is prepared with its L1_POLICY and the run\'s L1_MAX_ENTRIES, reported as its own target', { timeout: 60_000 }, async () => {
  let weather = 0
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.end(`cachestack_cache_hits_total{layer="l1"} ${weather}\ncachestack_cache_misses_total 0\n` +
        `cachestack_http_request_duration_seconds_count{route="/weather/:city",method="GET",status_code="200"} ${weather}\n`)
      return
    }
    weather++
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  // The native bed sees base target names only: the router strips the variant, the env carries it.
  const prepared: Array<{ target: TargetName, env: Record<string, string> }> = []
  const inner: TestBed = {
    mode: 'native',
    workers: 1,
    warnings: [],
    async begin (targets) { assert.ok(targets.every((t) => !t.includes('[')), targets.join(',')) },
    async prepare (target, { appEnv = {} }) {
      prepared.push({ target: target as TargetName, env: appEnv })
      const endpoints: Endpoints = {
        loadUrl: url,
        metricsUrl: `${url}/metrics`,
        originStatsUrl: null,
        pids: { app: process.pid, nginx: null, redis: null, origin: null },
        edgeCache: false,
        strategy: target
      }
      return endpoints
    },
    async close () {}
  }
  const options = parseCommandLine(['--targets', 'redis,layered', '--l1-policy', 'lru,s3fifo', '--l1-entries', '50', '--scenarios', 'uniform',
    '--duration', '0.5', '--warmup', '0.2', '--repetitions', '1', '--connections', '2', '--cities', '20', '--no-progress'], false, new Date()).options
  const cities: RequestCity[] = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `c${i}`, country: 'ZZ', population: 1000 - i, segment: `c${i}` }))
  const stream = { write: () => true } as unknown as NodeJS.WriteStream
  try {
    const bed = createTopologyBed({ single: inner })
    await bed.begin(runTargets(options.targets, options.redis, options.edgeStrategy, options.l1Policies))
    const results = await runLoadTest(options, { bed, cities, progress: createProgress(false, stream), procfs: createProcFs(), command: 'test' })
    assert.deepEqual(validateResults(results), [])
    assert.deepEqual(prepared.map((p) => [p.target, p.env.L1_POLICY, p.env.L1_MAX_ENTRIES]),
      [['redis', undefined, '50'], ['layered', 'lru', '50'], ['layered', 's3fifo', '50']])
    assert.deepEqual(results.targets.map((t) => [t.name, t.l1Policy]), [['redis', undefined], ['layered[l1=lru]', 'lru'], ['layered[l1=s3fifo]', 's3fifo']])
    assert.deepEqual(results.results.map((r) => r.target), ['redis', 'layered[l1=lru]', 'layered[l1=s3fifo]'] satisfies RunTargetName[])
  } finally {
    server.close()
  }
})
