// The verdict rule of `npm run bench -- tips` (bench/tip-verdict.ts): ratios per size in, one of
// three verdicts out. The benchmark's numbers are not asserted here: they belong to the machine.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { markOf, TIP_THRESHOLD, VERDICT_RULE, verdictOf } from '../../bench/tip-verdict.js'

test('holds in V8: the tip is ≥ 1.1× faster at every size', () => {
  assert.equal(verdictOf([1.5, 2, 40]), 'holds in V8')
  assert.equal(verdictOf([TIP_THRESHOLD, TIP_THRESHOLD, TIP_THRESHOLD]), 'holds in V8', '1.1× exactly counts as faster')
  assert.equal(verdictOf([Infinity, 3]), 'holds in V8', 'a tip that costs nothing measurable (tip 2 memory) is faster')
  assert.equal(verdictOf([1.2]), 'holds in V8', 'one size is enough to rule')
})

test('does not hold: the tip is slower or within ±10% at every size', () => {
  assert.equal(verdictOf([0.5, 0.3, 0.06]), 'does not hold', 'slower everywhere')
  assert.equal(verdictOf([1, 1.05, 0.95]), 'does not hold', 'no difference beyond the noise band')
  assert.equal(verdictOf([0.5, 1.09, 1]), 'does not hold', 'slower at one size, a tie at the others')
})

test('depends on size: faster at some sizes and not at others', () => {
  assert.equal(verdictOf([75, 2.1, 0.93]), 'depends on size', 'faster at small n, a tie at large n')
  assert.equal(verdictOf([0.5, 1.2]), 'depends on size', 'slower at small n, faster at large n')
  assert.equal(verdictOf([1.09, TIP_THRESHOLD]), 'depends on size', 'just below the threshold is not faster')
})

test('marks per size: + faster, = within ±10%, − slower (boundaries included on the outside)', () => {
  assert.equal(markOf(1.1), '+')
  assert.equal(markOf(1.0999), '=')
  assert.equal(markOf(1), '=')
  assert.equal(markOf(1 / 1.1 + 1e-9), '=')
  assert.equal(markOf(1 / 1.1), '−')
  assert.equal(markOf(0.2), '−')
  assert.equal(markOf(Infinity), '+')
})

test('the threshold is a parameter, and the printed rule states the default', () => {
  assert.equal(verdictOf([1.3, 1.3], 1.5), 'does not hold')
  assert.equal(verdictOf([1.3, 1.6], 1.5), 'depends on size')
  assert.match(VERDICT_RULE, /≥ 1\.1×/)
})

test('refuses to rule on no ratios or on a broken measurement', () => {
  assert.throws(() => verdictOf([]), RangeError)
  for (const ratio of [Number.NaN, 0, -1]) assert.throws(() => verdictOf([1.5, ratio]), RangeError, String(ratio))
})
