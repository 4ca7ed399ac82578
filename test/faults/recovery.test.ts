// Time to recover, as the matrix defines it: the first second back in the band (p99 within 10%
// of the worst second before the fault, hit ratio within 10% of before) after having left it;
// 0 when it never left; never when it had not come back when the load ended.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { maxPerKeyPerSecond } from '../../faults/runner.js'
import { recoveryBand, recoveryOf, type SecondFigures } from '../../faults/timeline.js'

function seconds (inBand: readonly boolean[], from = -2): SecondFigures[] {
  return inBand.map((ok, i) => ({ second: from + i, responses: 100, failures: 0, p99Ms: ok ? 10 : 500, hitRatio: 1, originCalls: 0, inBand: ok }))
}

const band = { p99MaxMs: 11, hitRatioMin: 0.9 }

test('never out of band after the injection: recovered in 0 s', () => {
  assert.equal(recoveryOf(seconds([false, true, true, true, true]), band).seconds, 0)
})

test('out at the injection, back at the third second: 3 s; a later relapse does not move it, but counts', () => {
  const recovery = recoveryOf(seconds([true, true, false, false, false, true, false, true]), band)
  assert.equal(recovery.seconds, 3)
  assert.equal(recovery.degradedSeconds, 4)
})

test('the effect shows a second late: recovery is counted from the injection', () => {
  assert.equal(recoveryOf(seconds([true, true, true, false, true]), band).seconds, 2)
})

test('still out of band when the load ends: never (null)', () => {
  assert.equal(recoveryOf(seconds([true, true, false, false, false]), band).seconds, null)
})

test('a second without any answer is out of band', () => {
  const s = seconds([true, true, true, true])
  s[2] = { ...s[2]!, responses: 0, p99Ms: null, hitRatio: null, inBand: false }
  assert.equal(recoveryOf(s, band).seconds, 1)
})

test('the band: 10% above the worst second before, never tighter than +2 ms; hit ratio 10% below before', () => {
  assert.deepEqual(recoveryBand({ hitRatio: 0.9 }, [100, 120, null]), { p99MaxMs: 132, hitRatioMin: 0.81 })
  assert.equal(recoveryBand({ hitRatio: 1 }, [5, 8]).p99MaxMs, 10)
})

test('origin calls per key per second: the busiest key in its busiest second of the window', () => {
  const calls = [
    { atMs: 1000, cityId: 7 }, { atMs: 1500, cityId: 7 }, { atMs: 1999, cityId: 7 }, // 3 in [1000, 2000)
    { atMs: 2000, cityId: 7 }, { atMs: 1200, cityId: 8 },
    { atMs: 900, cityId: 7 }, { atMs: 1100, cityId: 7 } // the first is before the window
  ]
  assert.equal(maxPerKeyPerSecond(calls, 1000, 3000), 4)
  assert.equal(maxPerKeyPerSecond(calls, 1000, 1400), 2)
  assert.equal(maxPerKeyPerSecond([], 0, 1000), 0)
})
