import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { deriveSeed, mulberry32 } from '../../loadtest/drive/prng.js'

test('mulberry32: same seed, same sequence; different seeds, different sequences; values in [0, 1)', () => {
  const a = mulberry32(42)
  const b = mulberry32(42)
  const c = mulberry32(43)
  const xs = Array.from({ length: 1000 }, () => a())
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()))
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c()))
  for (const x of xs) assert.ok(x >= 0 && x < 1)
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`)
})

test('deriveSeed: stable, and distinct per label', () => {
  assert.equal(deriveSeed(42, 'zipf', 1), deriveSeed(42, 'zipf', 1))
  const seeds = new Set([
    deriveSeed(42, 'zipf', 1),
    deriveSeed(42, 'zipf', 2),
    deriveSeed(42, 'hot', 1),
    deriveSeed(43, 'zipf', 1),
    deriveSeed(42, 'zipf', 1, 'warm-up')
  ])
  assert.equal(seeds.size, 5)
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32)
})
