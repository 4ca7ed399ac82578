import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseCommandLine } from '../../loadtest/cli.js'
import { DEFAULTS, assertLoopback } from '../../loadtest/options.js'
import { DEFAULT_TARGETS } from '../../loadtest/targets.js'

const parse = (...argv: string[]) => parseCommandLine(argv, false, new Date('2026-01-02T03:04:05.678Z')).options

test('defaults: the limit, the four basic strategies and the edge tier, every scenario, native, frozen', () => {
  const o = parse()
  assert.deepEqual(o.targets, ['baseline', 'none', 'memory', 'redis', 'layered', 'edge'])
  assert.deepEqual(o.targets, [...DEFAULT_TARGETS])
  assert.deepEqual(o.scenarios, ['hot', 'uniform', 'zipf', 'cold'])
  assert.equal(o.durationSeconds, DEFAULTS.durationSeconds)
  assert.equal(o.repetitions, DEFAULTS.repetitions)
  assert.equal(o.rate, null)
  assert.equal(o.external, null)
  assert.equal(o.progress, false)
  assert.equal(o.outDir, 'loadtest/results/2026-01-02T03-04-05Z')
  assert.ok(Object.isFrozen(o))
})

test('--quick: short zipf runs of every target; explicit flags still win', () => {
  const quick = parse('--quick')
  assert.equal(quick.quick, true)
  assert.deepEqual(quick.scenarios, ['zipf'])
  assert.deepEqual(quick.targets, [...DEFAULT_TARGETS])
  assert.equal(quick.durationSeconds, 3)
  assert.equal(quick.repetitions, 1)
  assert.equal(quick.warmupSeconds, 0.5)
  const tuned = parse('--quick', '--duration', '5', '--scenarios', 'hot,zipf', '--out', '/tmp/x')
  assert.equal(tuned.durationSeconds, 5)
  assert.deepEqual(tuned.scenarios, ['hot', 'zipf'])
  assert.equal(tuned.outDir, '/tmp/x')
})

test('flags map onto options', () => {
  const o = parse(
    '--targets', 'none,layered',
    '--connections', '20',
    '--pipelining', '2',
    '--rate', '500',
    '--zipf-law', 'rank',
    '--zipf-exponent', '1.1',
    '--seed', '7',
    '--progress'
  )
  assert.deepEqual(o.targets, ['none', 'layered'])
  assert.equal(o.connections, 20)
  assert.equal(o.pipelining, 2)
  assert.equal(o.rate, 500)
  assert.equal(o.zipfLaw, 'rank')
  assert.equal(o.zipfExponent, 1.1)
  assert.equal(o.seed, 7)
  assert.equal(o.progress, true)
  assert.equal(parseCommandLine(['--progress', '--no-progress'], true).options.progress, false)
  assert.equal(parseCommandLine([], true).options.progress, true)
})

test('bad values are refused with the flag and the value named', () => {
  assert.throws(() => parse('--duration', 'abc'), /duration="abc": expected a number/)
  assert.throws(() => parse('--connections', '0'), /connections=0: expected an integer from 1/)
  assert.throws(() => parse('--targets', 'none,fast'), /targets="fast"/)
  assert.throws(() => parse('--targets', 'none,none'), /each target once/)
  assert.throws(() => parse('--scenarios', 'zipf,nope'), /scenarios="nope"/)
  assert.throws(() => parse('--zipf-law', 'pareto'), /zipf-law="pareto"/)
  assert.throws(() => parse('--rate', '5', '--connections', '10'), /rate=5/)
  assert.throws(() => parse('--edge-strategy', 'edge'), /edge-strategy="edge"/)
  assert.throws(() => parse('--bogus'), /bogus/)
  assert.throws(() => parse('--label', 'memory'), /only applies with --target/)
})

test('--target: an external stack on 127.0.0.1 only, measured as its label, no cold scenario', () => {
  const o = parse('--target', 'http://127.0.0.1:8080/', '--origin-url', 'http://127.0.0.1:4000/stats', '--label', 'memory', '--app-pid', '1234')
  assert.deepEqual(o.external, { url: 'http://127.0.0.1:8080', metricsUrl: 'http://127.0.0.1:9464/metrics', originStatsUrl: 'http://127.0.0.1:4000/stats', label: 'memory', appPid: 1234 })
  assert.deepEqual(o.targets, ['baseline', 'memory'])
  assert.deepEqual(o.scenarios, ['hot', 'uniform', 'zipf'])
  assert.throws(() => parse('--target', 'http://example.com'), /127\.0\.0\.1 only/)
  assert.throws(() => parse('--target', 'http://localhost:8080'), /127\.0\.0\.1 only/)
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--metrics-url', 'http://10.0.0.1/metrics'), /metrics-url/)
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--scenarios', 'cold'), /cold needs the native stack/)
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--targets', 'none'), /only 'layered'/)
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--label', 'baseline'), /label="baseline"/)
})

test('assertLoopback refuses other schemes', () => {
  assert.throws(() => assertLoopback('target', 'https://127.0.0.1'), /http: URL/)
  assert.throws(() => assertLoopback('target', 'not a url'), /target="not a url": expected an http: URL/)
  assert.equal(assertLoopback('target', 'http://127.0.0.1:1/x').port, '1')
})

test('storm options: defaults, flags, bounds; the storms are opt-in and need the native stack', () => {
  const o = parse(
    '--scenarios', 'zipf,expiry-storm,stampede',
    '--storm-cities', '50',
    '--storm-ttl', '4',
    '--stampede-connections', '100',
    '--stampede-waves', '2'
  )
  assert.deepEqual(o.scenarios, ['zipf', 'expiry-storm', 'stampede'])
  assert.deepEqual([o.stormCities, o.stormTtlSeconds, o.stampedeConnections, o.stampedeWaves], [50, 4, 100, 2])
  assert.deepEqual([DEFAULTS.stormCities, DEFAULTS.stormTtlSeconds, DEFAULTS.stampedeConnections, DEFAULTS.stampedeWaves], [200, 3, 200, 5])
  assert.ok(!parse().scenarios.includes('stampede'))
  assert.throws(() => parse('--storm-ttl', '1'), /storm-ttl=1: expected an integer from 2/)
  assert.throws(() => parse('--stampede-connections', '0'), /stampede-connections=0/)
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--scenarios', 'zipf,stampede,expiry-storm'), /stampede, expiry-storm need the native stack/)
  assert.deepEqual(
    parse('--targets', 'layered,layered-xfetch,peer-bentocache,peer-cache-manager').targets,
    ['layered', 'layered-xfetch', 'peer-bentocache', 'peer-cache-manager']
  )
})
