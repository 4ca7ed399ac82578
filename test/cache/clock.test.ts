import { test } from 'node:test'
import assert from 'node:assert/strict'
import { coarseClock } from '../../src/cache/clock.js'

test('coarse clock: one read of the source per resolution window, then a fresh one', async () => {
  let reads = 0
  const now = coarseClock(() => ++reads * 1000, 5)
  assert.equal(now(), 1000)
  assert.equal(now(), 1000)
  assert.equal(reads, 1)
  await new Promise(resolve => setTimeout(resolve, 15))
  assert.equal(now(), 2000)
  assert.equal(reads, 2)
})
