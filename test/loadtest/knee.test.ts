// The knee of a latency-against-offered-load curve: the highest offered rate that kept the p99
// promise and kept up; and the offered rates of a sweep.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { findKnee, passes, sweepRates, type LoadPoint } from '../../loadtest/sweep/knee.js'
import { connectionsFor, RATE_PER_CONNECTION } from '../../loadtest/sweep/run.js'

const point = (offeredRate: number, p99Ms: number, achievedRate = offeredRate): LoadPoint => ({ offeredRate, achievedRate, p99Ms })

test('the knee is the highest offered rate whose corrected p99 stays at or under the bound', () => {
  const knee = findKnee([point(100, 2), point(300, 4), point(500, 9), point(700, 20), point(900, 180, 820), point(1100, 900, 840)], 20)
  assert.equal(knee.rate, 700)
  assert.equal(knee.p99Ms, 20)
  assert.equal(knee.achievedRate, 700)
  assert.equal(knee.firstFailedRate, 900)
  assert.equal(knee.nonMonotone, false)
  assert.equal(knee.boundMs, 20)
})

test('points are taken in rate order, whatever order they come in', () => {
  assert.equal(findKnee([point(900, 100), point(100, 1), point(500, 3)], 20).rate, 500)
})

test('a rate the target did not keep up with fails, however low its latency (the backlog decides then)', () => {
  assert.equal(passes(point(1000, 5, 899), 20), false)
  assert.equal(passes(point(1000, 5, 900), 20), true)
  assert.equal(findKnee([point(100, 2), point(1000, 5, 600)], 20).rate, 100)
})

test('no passing rate: no knee; a failure below the knee is flagged, the knee stays the highest passing rate', () => {
  const none = findKnee([point(100, 30), point(200, 40)], 20)
  assert.equal(none.rate, null)
  assert.equal(none.p99Ms, null)
  assert.equal(none.firstFailedRate, 100)
  assert.equal(none.nonMonotone, false)
  const noisy = findKnee([point(100, 2), point(200, 45), point(300, 6), point(400, 80)], 20)
  assert.equal(noisy.rate, 300)
  assert.equal(noisy.firstFailedRate, 200)
  assert.equal(noisy.nonMonotone, true)
  assert.throws(() => findKnee([], 0), /positive p99 bound/)
})

test('sweep rates: fractions of the maximum, at least the floor, distinct and ascending', () => {
  assert.deepEqual(sweepRates(1000, [0.1, 0.5, 1, 1.3], 50), [100, 500, 1000, 1300])
  assert.deepEqual(sweepRates(200, [0.1, 0.2, 1], 50), [50, 200])
  assert.throws(() => sweepRates(0, [0.5], 1), /positive capacity/)
})

test('sweep connections: one per 40 req/s, at least one, at most --connections (no burst of 50 at a low rate)', () => {
  assert.equal(connectionsFor(125, 50), 4)
  assert.equal(connectionsFor(10, 50), 1)
  assert.equal(connectionsFor(1600, 50), 40)
  assert.equal(connectionsFor(9000, 50), 50)
  assert.equal(RATE_PER_CONNECTION, 40)
})
