import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { buildMeasurement } from '../../loadtest/measure/measurement.js'
import { summarize, withRatios } from '../../loadtest/measure/summary.js'
import { targetKind } from '../../loadtest/runner.js'
import { fakeObservation, fakeResults, TYPICAL } from './fixtures.js'

test('summarize: medians over repetitions, worst max, failures summed, req/s spread', () => {
  const reps = [900, 1000, 1200].map((ok, i) => {
    const m = buildMeasurement(fakeObservation({ target: 'memory', ok, l1: ok - 10, misses: 10, latencyMs: [1, 2, 3, 4, 10 * (i + 1)] }, i + 1))
    return { ...m, errors: i, non2xx: 1 }
  })
  const s = summarize(reps)
  assert.equal(s.requestsPerSecond.median, 500)
  assert.equal(s.requestsPerSecond.min, 450)
  assert.equal(s.requestsPerSecond.max, 600)
  assert.ok(Math.abs(s.requestsPerSecond.relative - 0.3) < 1e-12)
  assert.equal(s.latencyMs.max, 30)
  assert.equal(s.p99Ms.median, 20)
  assert.equal(s.errors, 0 + 1 + 2)
  assert.equal(s.non2xx, 3)
  assert.equal(s.originCalls, 10)
  assert.equal(s.originCallsPer1kRequests, 10)
  assert.throws(() => summarize([]), RangeError)
})

test('withRatios: × none and fraction of the limit, per scenario, from this run only', () => {
  const results = fakeResults([...TYPICAL, { target: 'none', scenario: 'hot', ok: 500 }, { target: 'memory', scenario: 'hot', ok: 5000 }])
  const get = (target: string, scenario = 'zipf') => results.results.find((r) => r.target === target && r.scenario === scenario)!.summary
  assert.equal(get('none').ratioToNone, 1)
  assert.equal(get('layered').ratioToNone, 10)
  assert.equal(get('layered').fractionOfLimit, 0.5)
  assert.equal(get('baseline').fractionOfLimit, 1)
  assert.equal(get('memory', 'hot').ratioToNone, 10)
  assert.equal(get('memory', 'hot').fractionOfLimit, null) // no baseline on hot
  const bare = withRatios([{ target: 'memory', kind: targetKind('memory'), scenario: 'zipf', measurements: [], summary: get('memory') }])
  assert.equal(bare[0]!.summary.ratioToNone, null)
})
