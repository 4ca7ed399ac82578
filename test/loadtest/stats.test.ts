import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { median, percentile, ratio, spread, summarizeCorrectedLatencies, summarizeLatencies, syntheticCount } from '../../loadtest/measure/stats.js'
import { mulberry32 } from '../../loadtest/drive/prng.js'

test('median: middle value, mean of the two middles for an even count, input untouched', () => {
  const values = [5, 1, 3]
  assert.equal(median(values), 3)
  assert.deepEqual(values, [5, 1, 3])
  assert.equal(median([4, 1, 3, 2]), 2.5)
  assert.equal(median([7]), 7)
  assert.throws(() => median([]), RangeError)
})

test('percentile: nearest rank, never interpolated', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1) // 1..100
  assert.equal(percentile(sorted, 50), 50)
  assert.equal(percentile(sorted, 90), 90)
  assert.equal(percentile(sorted, 99), 99)
  assert.equal(percentile(sorted, 99.9), 100)
  assert.equal(percentile(sorted, 100), 100)
  assert.equal(percentile(sorted, 0), 1)
  assert.equal(percentile([1, 2, 3, 4], 50), 2)
  assert.equal(percentile([1, 2, 3, 4], 51), 3)
  assert.throws(() => percentile([1], 101), RangeError)
  assert.throws(() => percentile([], 50), RangeError)
})

test('spread: median, range and range relative to the median', () => {
  assert.deepEqual(spread([100, 110, 90]), { median: 100, min: 90, max: 110, relative: 0.2 })
  assert.deepEqual(spread([42]), { median: 42, min: 42, max: 42, relative: 0 })
  assert.equal(spread([0, 0]).relative, 0)
})

test('summarizeLatencies: exact percentiles, mean and max of raw samples', () => {
  const samples = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) / 10) // 0.1 .. 100.0 ms, shuffled below
  const random = mulberry32(1)
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = samples[i]!; samples[i] = samples[j]!; samples[j] = t
  }
  const s = summarizeLatencies(samples)
  assert.equal(s.count, 1000)
  assert.ok(Math.abs(s.p50 - 50) < 1e-9)
  assert.ok(Math.abs(s.p90 - 90) < 1e-9)
  assert.ok(Math.abs(s.p99 - 99) < 1e-9)
  assert.ok(Math.abs(s.p99_9 - 99.9) < 1e-9)
  assert.equal(s.max, 100)
  assert.ok(Math.abs(s.mean - 50.05) < 1e-9)
  assert.deepEqual(summarizeLatencies(new Float64Array(0)), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, max: 0 })
})

test('syntheticCount matches HdrHistogram recordValueWithExpectedInterval', () => {
  // HdrHistogram: missing = value − I; while (missing >= I) { record(missing); missing −= I }
  const reference = (value: number, interval: number): number => {
    let n = 0
    for (let missing = value - interval; missing >= interval; missing -= interval) n++
    return n
  }
  for (const [v, i] of [[10, 1], [10, 3], [2.5, 1], [0.5, 1], [1, 1], [7, 7], [15, 7]] as const) {
    assert.equal(syntheticCount(v, i), reference(v, i), `value ${v}, interval ${i}`)
  }
})

/** Brute force: materialize every synthetic sample, sort, nearest rank. */
function materialized (samples: number[], interval: number): { sorted: number[], mean: number } {
  const all = [...samples]
  for (const v of samples) for (let m = v - interval; m >= interval; m -= interval) all.push(m)
  all.sort((a, b) => a - b)
  return { sorted: all, mean: all.reduce((a, b) => a + b, 0) / all.length }
}

test('corrected latencies equal the brute-force back-filled distribution', () => {
  const random = mulberry32(7)
  for (let round = 0; round < 20; round++) {
    // Mostly fast answers with occasional stalls, as under coordinated omission.
    const samples = Array.from({ length: 200 }, () => (random() < 0.05 ? 50 + random() * 500 : 0.5 + random() * 4))
    const interval = 2 + random() * 10
    const expected = materialized(samples, interval)
    const got = summarizeCorrectedLatencies(Float64Array.from(samples), interval)
    assert.equal(got.count, expected.sorted.length)
    assert.ok(Math.abs(got.mean - expected.mean) < 1e-6, `mean ${got.mean} vs ${expected.mean}`)
    for (const [name, p] of [['p50', 50], ['p90', 90], ['p99', 99], ['p99_9', 99.9]] as const) {
      const want = percentile(expected.sorted, p)
      assert.ok(Math.abs(got[name] - want) <= 0.0011, `round ${round} ${name}: ${got[name]} vs ${want}`)
    }
  }
})

test('correction adds nothing when every answer beats the interval, and raises the tail after a stall', () => {
  const fast = Float64Array.from([1, 2, 3, 4])
  const corrected = summarizeCorrectedLatencies(fast, 10)
  const raw = summarizeLatencies(fast)
  assert.equal(corrected.count, 4)
  assert.ok(Math.abs(corrected.p50 - raw.p50) < 0.002)
  // 99 fast answers and one 1 s stall at a 10 ms interval: the stall hid 99 requests.
  const stalled = Float64Array.from([...Array.from({ length: 99 }, () => 1), 1000])
  assert.equal(summarizeLatencies(stalled).p90, 1)
  const c = summarizeCorrectedLatencies(stalled, 10)
  assert.equal(c.count, 100 + 99)
  assert.ok(c.p90 > 500, `corrected p90 ${c.p90} should reflect the stall`)
  assert.throws(() => summarizeCorrectedLatencies(stalled, 0), RangeError)
})

test('ratio: null when unknown or dividing by zero', () => {
  assert.equal(ratio(6, 3), 2)
  assert.equal(ratio(6, 0), null)
  assert.equal(ratio(null, 3), null)
  assert.equal(ratio(6, undefined), null)
})
