// The growth detector on synthetic series: what settles is not flagged, what keeps growing is,
// noise and the GC's sawtooth are tolerated.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { mulberry32 } from '../../loadtest/drive/prng.js'
import { GROWTH_RULES, explainRssByHeap, judgeSeries, leastSquares, trailingMinimum, type GrowthRule, type Point } from '../../soak/growth.js'

const MiB = 1024 * 1024
const RUN = 600 // seconds: the default 10-minute soak
const EVERY = 5 // seconds between samples

/** One point every EVERY seconds over RUN, valued by f(t). */
function series (f: (t: number) => number, run = RUN, every = EVERY): Point[] {
  return Array.from({ length: Math.floor(run / every) + 1 }, (_, i) => ({ t: i * every, value: f(i * every) }))
}

const judge = (points: Point[], rule: GrowthRule, run = RUN): ReturnType<typeof judgeSeries> => judgeSeries(points, rule, run / 2, run)

/** Gaussian-ish noise: the mean of four uniforms, scaled to a standard deviation of `sd`. */
function noise (seed: number, sd: number): () => number {
  const random = mulberry32(seed)
  return () => ((random() + random() + random() + random() - 2) / Math.sqrt(4 / 12)) * sd
}

test('leastSquares: recovers an exact line with zero error; null without enough points', () => {
  const fit = leastSquares([0, 1, 2, 3], [1, 3, 5, 7])!
  assert.equal(fit.slope, 2)
  assert.equal(fit.intercept, 1)
  assert.equal(fit.stderr, 0)
  assert.equal(leastSquares([0, 1], [0, 1]), null)
  assert.equal(leastSquares([2, 2, 2], [0, 1, 2]), null)
  assert.throws(() => leastSquares([0, 1, 2], [0, 1]), RangeError)
})

test('a linear leak is flagged: 3 MiB/min on a 100 MiB worker, with noise', () => {
  const jitter = noise(1, 1 * MiB)
  const verdict = judge(series((t) => 100 * MiB + (3 * MiB * t) / 60 + jitter()), GROWTH_RULES['process-memory'])
  assert.equal(verdict.verdict, 'growing', verdict.reason)
  assert.ok(Math.abs(verdict.slopePerMinute! - 3 * MiB) < 0.5 * MiB, `slope ${verdict.slopePerMinute! / MiB} MiB/min`)
})

test('a bounded cache filling up in the first half is not flagged, though it grew all along', () => {
  // L1 filling towards its cap with a time constant of a tenth of the run: 99.3% full at half-time.
  const cap = 2250
  const fill = series((t) => Math.round(cap * (1 - Math.exp(-t / (RUN / 10)))))
  assert.ok(fill[fill.length - 1]!.value! > fill[Math.floor(fill.length / 2)]!.value!, 'still creeping up in the second half')
  const verdict = judge(fill, GROWTH_RULES['cache-entries'])
  assert.equal(verdict.verdict, 'ok', verdict.reason)
  // The same with memory: a heap that sizes itself up in the first minutes.
  const jitter = noise(2, 0.5 * MiB)
  const heap = judge(series((t) => 60 * MiB + 40 * MiB * (1 - Math.exp(-t / 60)) + jitter()), GROWTH_RULES['process-memory'])
  assert.equal(heap.verdict, 'ok', heap.reason)
})

test('noise alone is tolerated: flat series with the noise real soaks show, at most 1 in 100 flagged', () => {
  // Deterministic (seeded): the detector's false-positive rate under white noise, per series.
  const cases: Array<[string, GrowthRule, (t: number) => number, (seed: number) => () => number]> = [
    ['RSS ± 2 MiB', GROWTH_RULES['process-memory'], () => 120 * MiB, (seed) => noise(seed, 2 * MiB)],
    ['heap ± 15 MiB', GROWTH_RULES.heap, () => 70 * MiB, (seed) => noise(seed, 15 * MiB)],
    ['event loop 20 ± 5 ms', GROWTH_RULES['event-loop'], () => 0.02, (seed) => noise(seed, 0.005)],
    ['sockets 40 ± 3', GROWTH_RULES.descriptors, () => 40, (seed) => noise(seed, 3)],
    ['Redis keys 2200 ± 30', GROWTH_RULES['cache-entries'], () => 2200, (seed) => noise(seed, 30)]
  ]
  for (const [name, rule, level, jitterOf] of cases) {
    let flagged = 0
    for (let seed = 0; seed < 200; seed++) {
      const jitter = jitterOf(seed)
      if (judge(series((t) => level(t) + jitter()), rule).verdict === 'growing') flagged++
    }
    assert.ok(flagged <= 2, `${name}: ${flagged} of 200 flat series flagged`)
  }
})

test('the GC sawtooth is tolerated: a heap rising 40 MiB between collections, then dropping', () => {
  // A major collection every 150 s, the window starting just after one: a line through every
  // sample sees growth (the last tooth is caught near its top); the floor does not.
  const sawtooth = (t: number): number => 80 * MiB + 40 * MiB * ((t % 150) / 150)
  const plain = judge(series(sawtooth), { ...GROWTH_RULES.heap, envelope: false })
  assert.equal(plain.verdict, 'growing', 'the phase chosen misleads a fit on every sample')
  const floor = judge(series(sawtooth), GROWTH_RULES.heap)
  assert.equal(floor.verdict, 'ok', floor.reason)
  // The same sawtooth on top of a leak: the floor rises with it.
  const jitter = noise(3, 1 * MiB)
  const leaking = judge(series((t) => sawtooth(t) + (4 * MiB * t) / 60 + jitter()), GROWTH_RULES.heap)
  assert.equal(leaking.verdict, 'growing', leaking.reason)
})

test('descriptors: a pool opening more sockets once, or swinging, is not a leak; one socket a minute is', () => {
  for (const at of [320, 420, 470, 560]) {
    const step = judge(series((t) => (t < at ? 60 : 64)), GROWTH_RULES.descriptors)
    assert.equal(step.verdict, 'ok', `step at ${at} s: ${step.reason}`)
  }
  // Connections opened at a concurrency peak and closed when idle 60 s later.
  const swings = judge(series((t) => 40 + (Math.floor(t / 90) % 2 === 0 ? 0 : 50)), GROWTH_RULES.descriptors)
  assert.equal(swings.verdict, 'ok', swings.reason)
  const leak = judge(series((t) => 60 + Math.floor(t / 60)), GROWTH_RULES.descriptors)
  assert.equal(leak.verdict, 'growing', leak.reason)
  assert.equal(judge(series(() => 60), GROWTH_RULES.descriptors).verdict, 'ok')
})

test('a short run cannot convict a small rise: below the smallest judged rise it is ok', () => {
  // 45 s soak: +2 sockets in the second half is 5/min, but only 2 descriptors.
  const points = series((t) => (t < 35 ? 60 : 62), 45, 1)
  const v = judge(points, GROWTH_RULES.descriptors, 45)
  assert.equal(v.verdict, 'ok', v.reason)
  assert.match(v.reason, /smallest judged/)
})

test('memory is not judged on a short run: V8 still sizes its heap in the first minutes', () => {
  // A 50 s soak: the worker's RSS still climbs towards its first major collection.
  const points = series((t) => 95 * MiB + (40 * MiB * t) / 50, 50, 1)
  const v = judge(points, GROWTH_RULES['process-memory'], 50)
  assert.equal(v.verdict, 'too-short', v.reason)
  assert.ok(v.slopePerMinute! > 40 * MiB, 'the slope is still shown')
  const longer = judge(series((t) => 95 * MiB + (40 * MiB * t) / 240, 240, 1), GROWTH_RULES['process-memory'], 240)
  assert.equal(longer.verdict, 'growing', 'from 4 minutes on, it is judged')
})

test('absent, sparse and context series are reported, not judged', () => {
  assert.equal(judge(series(() => null as unknown as number).map((p) => ({ ...p, value: null })), GROWTH_RULES['cache-entries']).verdict, 'absent')
  const sparse = series((t) => t).filter((p) => p.t < 320)
  assert.equal(judge(sparse, GROWTH_RULES['cache-entries']).verdict, 'too-few-samples')
  assert.equal(judge(series((t) => t * 1000), GROWTH_RULES.info).verdict, 'info')
})

test('trailingMinimum: each point of the window becomes the minimum of the width before it, earlier points included', () => {
  const points = [{ t: 0, value: 5 }, { t: 1, value: 3 }, { t: 2, value: 9 }, { t: 3, value: 8 }, { t: 7, value: 1 }, { t: 8, value: 4 }]
  assert.deepEqual(trailingMinimum(points, 2, 8, 2), [{ t: 2, value: 3 }, { t: 3, value: 3 }, { t: 7, value: 1 }, { t: 8, value: 1 }])
})

test('thresholds: relative to the level where one is set, never below the absolute floor', () => {
  const rule = GROWTH_RULES['process-memory']
  const small = judge(series(() => 10 * MiB), rule)
  assert.equal(small.thresholdPerMinute, rule.absolutePerMinute)
  const large = judge(series(() => 1000 * MiB), rule)
  assert.equal(large.thresholdPerMinute, 1000 * MiB * rule.relativePerMinute)
})

test('a worker whose RSS rises while its live heap and its memory outside the heap stay flat: V8 grew its heap, not flagged', () => {
  // A real soak's worker 2 (MiB, every 5 s for 10 minutes): V8 grew its heap from 136 to 186 MiB in the
  // second half, and gave the pages back only as the run ended.
  const real = ('92 97 102 116 125 127 131 132 134 136 139 143 143 143 143 143 143 143 143 143 136 136 136 136 136 136 136 136 136 135 135 135 136 ' +
    '136 139 142 142 142 142 142 133 133 133 133 133 133 134 136 139 140 140 140 134 134 134 134 134 134 134 135 136 136 136 136 136 136 136 ' +
    '136 136 136 136 136 136 139 142 146 148 151 151 151 151 151 151 151 151 154 158 160 164 166 168 171 172 173 175 178 180 182 185 186 186 ' +
    '186 186 186 186 186 186 186 186 186 186 186 186 186 186 186 186 186 186 186 133').split(' ').map(Number)
  const rss = judge(real.map((mib, i) => ({ t: i * EVERY, value: mib * MiB })), GROWTH_RULES['process-memory'])
  assert.equal(rss.verdict, 'growing', 'on its own, it looks like a leak')
  const flatLive = judge(series((t) => 45 * MiB + (Math.floor(t / 120) % 2) * 1 * MiB), GROWTH_RULES['live-heap'])
  const flatOutside = judge(series(() => 22 * MiB), GROWTH_RULES['process-memory'])
  const explained = explainRssByHeap(rss, flatLive, flatOutside)
  assert.equal(explained.verdict, 'ok', explained.reason)
  assert.match(explained.reason, /committed heap/)
  // A live heap that grows (a leak in JavaScript), or native memory that grows, keeps the flag.
  const leakingLive = judge(series((t) => 45 * MiB + Math.floor(t / 90) * 2 * MiB), GROWTH_RULES['live-heap'])
  assert.equal(leakingLive.verdict, 'growing', leakingLive.reason)
  assert.equal(explainRssByHeap(rss, leakingLive, flatOutside).verdict, 'growing')
  const leakingOutside = judge(series((t) => 22 * MiB + (3 * MiB * t) / 60), GROWTH_RULES['process-memory'])
  assert.equal(explainRssByHeap(rss, flatLive, leakingOutside).verdict, 'growing')
  assert.equal(explainRssByHeap(rss, undefined, flatOutside).verdict, 'growing', 'without the probe, nothing explains it')
})
