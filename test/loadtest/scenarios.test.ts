import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import type { RequestCity } from '../../loadtest/drive/cities.js'
import { mulberry32 } from '../../loadtest/drive/prng.js'
import { buildScenario, describeShape, pathSource, STORM_DEFAULTS, WeightedPicker, zipfWeights } from '../../loadtest/drive/scenarios.js'
import { EXPIRY_WINDOW } from '../../loadtest/measure/timeline.js'
import { expiryRunSeconds } from '../../loadtest/runner.js'

// Populations in descending order, as selectCities returns them.
const CITIES: RequestCity[] = Array.from({ length: 100 }, (_, i) => ({
  id: 1000 + i, name: `City ${i}`, country: 'ZZ', population: 1_000_000 * (100 - i), segment: `city%20${i}`
}))

const OPTIONS = { cities: 100, zipfLaw: 'population', zipfExponent: 1, ...STORM_DEFAULTS } as const

function frequencies (next: () => string, draws: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < draws; i++) {
    const path = next()
    counts.set(path, (counts.get(path) ?? 0) + 1)
  }
  return counts
}

test('hot: every request is the most populous city', () => {
  const hot = buildScenario('hot', CITIES, OPTIONS)
  const counts = frequencies(pathSource(hot, '/weather/', 1), 1000)
  assert.deepEqual([...counts], [['/weather/city%200', 1000]])
  assert.equal(hot.coldStart, false)
})

test('uniform: N distinct paths, each drawn about 1/N of the time', () => {
  const uniform = buildScenario('uniform', CITIES, { ...OPTIONS, cities: 20 })
  const draws = 40_000
  const counts = frequencies(pathSource(uniform, '/weather/', 7), draws)
  assert.equal(counts.size, 20)
  for (const [path, n] of counts) assert.ok(Math.abs(n - draws / 20) < 0.15 * (draws / 20), `${path}: ${n}`)
})

test('zipf (population law): each city drawn in proportion to its population', () => {
  const zipf = buildScenario('zipf', CITIES, { ...OPTIONS, cities: 10 })
  const draws = 100_000
  const counts = frequencies(pathSource(zipf, '/weather/', 3), draws)
  const total = CITIES.slice(0, 10).reduce((s, c) => s + c.population, 0)
  for (const city of CITIES.slice(0, 10)) {
    const expected = (city.population / total) * draws
    const got = counts.get(`/weather/${city.segment}`) ?? 0
    assert.ok(Math.abs(got - expected) < 0.05 * expected + 100, `${city.name}: ${got} vs ${expected.toFixed(0)}`)
  }
  // Never a city outside the top N.
  assert.equal(counts.size, 10)
})

test('zipf (rank law): frequency ∝ 1/rank^s, so rank 1 is drawn s-powers more than rank k', () => {
  const zipf = buildScenario('zipf', CITIES, { ...OPTIONS, cities: 50, zipfLaw: 'rank', zipfExponent: 1.2 })
  assert.deepEqual(zipf.weights.slice(0, 3), [1, 1 / Math.pow(2, 1.2), 1 / Math.pow(3, 1.2)])
  const counts = frequencies(pathSource(zipf, '/weather/', 11), 200_000)
  const first = counts.get('/weather/city%200')!
  const fourth = counts.get('/weather/city%203')!
  const expected = Math.pow(4, 1.2)
  assert.ok(Math.abs(first / fourth - expected) < 0.1 * expected, `rank1/rank4 = ${(first / fourth).toFixed(2)}, expected ${expected.toFixed(2)}`)
  assert.deepEqual(zipfWeights(CITIES.slice(0, 2), 'population', 1), [100_000_000, 99_000_000])
})

test('cold: zipf traffic flagged for a restart and no warm-up', () => {
  const cold = buildScenario('cold', CITIES, OPTIONS)
  assert.equal(cold.coldStart, true)
  assert.deepEqual(cold.weights, buildScenario('zipf', CITIES, OPTIONS).weights)
})

test('pathSource: the same seed replays the same paths; another seed does not', () => {
  const zipf = buildScenario('zipf', CITIES, OPTIONS)
  const a = pathSource(zipf, '/weather/', 5)
  const b = pathSource(zipf, '/weather/', 5)
  const c = pathSource(zipf, '/baseline/', 6)
  const seqA = Array.from({ length: 200 }, a)
  assert.deepEqual(seqA, Array.from({ length: 200 }, b))
  const seqC = Array.from({ length: 200 }, c)
  assert.ok(seqC.every((p) => p.startsWith('/baseline/')))
  assert.notDeepEqual(seqA.map((p) => p.slice('/weather/'.length)), seqC.map((p) => p.slice('/baseline/'.length)))
})

test('WeightedPicker: zero weights are never drawn; bad weights are refused', () => {
  const picker = new WeightedPicker([0, 3, 0, 1], mulberry32(9))
  const seen = new Set(Array.from({ length: 5000 }, () => picker.next()))
  assert.deepEqual([...seen].sort(), [1, 3])
  // u at the very ends of [0, 1) still lands on a drawable index.
  assert.equal(new WeightedPicker([0, 1], () => 0).next(), 1)
  assert.equal(new WeightedPicker([1, 0], () => 0.999999999).next(), 0)
  assert.throws(() => new WeightedPicker([], Math.random), RangeError)
  assert.throws(() => new WeightedPicker([1, -1], Math.random), RangeError)
  assert.throws(() => new WeightedPicker([0, 0], Math.random), RangeError)
  assert.throws(() => new WeightedPicker([Infinity], Math.random), RangeError)
})

test('describeShape: distinct paths, head concentration', () => {
  const shape = describeShape(buildScenario('zipf', CITIES, { ...OPTIONS, cities: 10 }))
  const total = CITIES.slice(0, 10).reduce((s, c) => s + c.population, 0)
  assert.equal(shape.distinctPaths, 10)
  assert.ok(Math.abs(shape.topPathShare - 100_000_000 / total) < 1e-12)
  assert.ok(Math.abs(shape.top10PercentShare - 100_000_000 / total) < 1e-12) // top 10% of 10 = 1 path
  assert.equal(describeShape(buildScenario('hot', CITIES, OPTIONS)).topPathShare, 1)
})

test('stampede: one cold city per wave, restart and flush first, its own connection count', () => {
  const stampede = buildScenario('stampede', CITIES, { ...OPTIONS, stampedeWaves: 3, stampedeConnections: 150 })
  assert.equal(stampede.kind, 'stampede')
  assert.equal(stampede.coldStart, true)
  assert.deepEqual(stampede.segments, ['city%200', 'city%201', 'city%202'])
  assert.deepEqual(stampede.stampede, { connections: 150, waves: 3 })
  assert.deepEqual(stampede.appEnv, {})
  assert.equal(stampede.expiry, null)
})

test('expiry-storm: a uniform hot set with a short TTL and no jitter; the jittered variant keeps the default jitter', () => {
  const storm = buildScenario('expiry-storm', CITIES, { ...OPTIONS, stormCities: 40, stormTtlSeconds: 4 })
  assert.equal(storm.kind, 'expiry')
  assert.equal(storm.coldStart, false)
  assert.equal(storm.segments.length, 40)
  assert.ok(storm.weights.every((w) => w === 1))
  assert.deepEqual(storm.appEnv, { CACHE_TTL_SECONDS: '4', CACHE_TTL_JITTER: '0' })
  assert.deepEqual(storm.expiry, { ttlSeconds: 4, jitter: 0 })
  assert.ok(Object.isFrozen(storm.appEnv))
  const jittered = buildScenario('expiry-storm-jittered', CITIES, { ...OPTIONS, stormCities: 40, stormTtlSeconds: 4 })
  assert.deepEqual(jittered.appEnv, { CACHE_TTL_SECONDS: '4' })
  assert.deepEqual(jittered.expiry, { ttlSeconds: 4, jitter: null })
  // The steady scenarios change nothing in the app.
  assert.deepEqual(buildScenario('zipf', CITIES, OPTIONS).appEnv, {})
  assert.equal(buildScenario('zipf', CITIES, OPTIONS).kind, 'steady')
})

test('an expiry storm runs at least until its window closes, --quick or not; other scenarios keep --duration', () => {
  for (const name of ['expiry-storm', 'expiry-storm-jittered', 'expiry-storm-hard'] as const) {
    const storm = buildScenario(name, CITIES, { ...OPTIONS, stormTtlSeconds: 3 })
    // TTL 3 s + the window's 2 s after the last expiry, + 1 s: a 3 s --quick run would end before it.
    assert.equal(expiryRunSeconds(storm), 6, name)
    assert.ok(expiryRunSeconds(storm) * 1000 > storm.expiry!.ttlSeconds * 1000 + EXPIRY_WINDOW.afterMs, name)
  }
  assert.equal(expiryRunSeconds(buildScenario('zipf', CITIES, OPTIONS)), 0)
})
