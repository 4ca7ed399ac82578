// Issue 18's flags: the peers and the new scenarios as targets and scenarios, --outage-seconds,
// and --sweep with its own defaults, presets and refusals.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseCommandLine } from '../../loadtest/cli.js'
import { deadlineSeconds, sweepDeadlineSeconds } from '../../loadtest/deadlines.js'
import { DEFAULTS } from '../../loadtest/options.js'
import { PEER_TARGETS, isPeerTarget, runTargets } from '../../loadtest/targets.js'
import { targetKind } from '../../loadtest/runner.js'
import { SWEEP_DEFAULTS, SWEEP_QUICK } from '../../loadtest/sweep/options.js'

const parse = (...argv: string[]) => parseCommandLine(argv, false, new Date('2026-01-02T03:04:05.678Z'))

test('the peers are targets of kind peer; the new scenarios are opt-in and need the native stack', () => {
  const o = parse('--targets', 'layered,peer-varnish,peer-nginx-only,peer-undici-cache', '--scenarios', 'zipf,origin-outage,purge,expiry-storm-hard').options
  assert.deepEqual(o.targets, ['layered', ...PEER_TARGETS])
  assert.deepEqual(o.scenarios, ['zipf', 'origin-outage', 'purge', 'expiry-storm-hard'])
  assert.ok(PEER_TARGETS.every(isPeerTarget) && !isPeerTarget('peer-bentocache'))
  assert.deepEqual(PEER_TARGETS.map((t) => targetKind(t)), ['peer', 'peer', 'peer'])
  assert.equal(targetKind('peer-bentocache'), 'strategy')
  assert.ok(!parse().options.scenarios.includes('purge'))
  assert.throws(() => parse('--target', 'http://127.0.0.1:8080', '--scenarios', 'zipf,origin-outage'), /origin-outage needs the native stack/)
  // Their caches are in their own processes: --redis both does not measure them twice.
  assert.deepEqual(runTargets(['layered', 'peer-varnish', 'peer-undici-cache'], 'both', 'layered'),
    ['layered', 'layered@cluster', 'peer-varnish', 'peer-undici-cache'])
})

test('--outage-seconds: default, flag, bounds; the deadline covers the outage\'s own length', () => {
  assert.equal(parse().options.outageSeconds, DEFAULTS.outageSeconds)
  assert.equal(DEFAULTS.outageSeconds, 5)
  const o = parse('--scenarios', 'origin-outage', '--outage-seconds', '40', '--duration', '2', '--repetitions', '1', '--targets', 'layered').options
  assert.equal(o.outageSeconds, 40)
  assert.ok(deadlineSeconds(o) >= 120 + 1 + 40 + 3, `deadline ${deadlineSeconds(o)}`)
  assert.throws(() => parse('--outage-seconds', '0'), /outage-seconds=0: expected an integer from 1/)
})

test('--sweep: the limit, layered and edge on zipf, 9 rates × 3 s, p99 bound 20 ms; --quick shortens it', () => {
  const { sweep, options } = parse('--sweep')
  assert.ok(sweep !== null)
  assert.deepEqual(sweep.targets, ['baseline', 'layered', 'edge'])
  assert.equal(sweep.scenario, 'zipf')
  assert.equal(sweep.p99BoundMs, 20)
  assert.deepEqual(sweep.fractions, SWEEP_DEFAULTS.fractions)
  assert.equal(sweep.fractions[0], 0.1)
  assert.ok(sweep.fractions.at(-1)! > 1, 'past saturation')
  assert.equal(sweep.stepSeconds, 3)
  assert.deepEqual(sweep.cityCounts, [10, 1000, 10_000, 0])
  assert.deepEqual(sweep.sizes, [1024, 10_240, 102_400])
  assert.equal(sweep.topologies.length, 4)
  assert.ok(Object.isFrozen(sweep))
  assert.equal(options.external, null)
  const quick = parse('--sweep', '--quick').sweep!
  assert.deepEqual(quick.fractions, SWEEP_QUICK.fractions)
  assert.equal(quick.stepSeconds, 1)
  assert.deepEqual(quick.cityCounts, [10, 1000, 0], 'quick keeps both sides of L1\'s bound')
  // The deadline bounds the whole command; the plan itself is far inside it.
  assert.ok(sweepDeadlineSeconds(quick) < sweepDeadlineSeconds(sweep))
  const tuned = parse('--sweep', '--targets', 'layered,peer-varnish', '--scenarios', 'uniform', '--p99-bound', '35', '--duration', '2').sweep!
  assert.deepEqual(tuned.targets, ['layered', 'peer-varnish'])
  assert.equal(tuned.scenario, 'uniform')
  assert.equal(tuned.p99BoundMs, 35)
  assert.equal(tuned.stepSeconds, 2)
  assert.equal(parse().sweep, null)
})

test('--sweep refusals name the flag and the value', () => {
  assert.throws(() => parse('--p99-bound', '20'), /p99-bound="20": only applies with --sweep/)
  assert.throws(() => parse('--sweep', '--p99-bound', '0'), /p99-bound=0: expected a number from 0\.1 to 60000/)
  assert.throws(() => parse('--sweep', '--p99-bound', 'fast'), /p99-bound="fast": expected a number/)
  assert.throws(() => parse('--sweep', '--scenarios', 'stampede'), /scenarios="stampede": the sweep runs on a steady scenario/)
  assert.throws(() => parse('--sweep', '--scenarios', 'zipf,hot'), /the sweep runs on one scenario/)
  assert.throws(() => parse('--sweep', '--target', 'http://127.0.0.1:8080'), /sweep=true: the sweep starts its own stacks/)
  assert.throws(() => parse('--sweep', '--duration', '1.5'), /duration=1\.5: expected whole seconds per sweep step/)
})
