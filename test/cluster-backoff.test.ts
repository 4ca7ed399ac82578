import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nextRespawn } from '../src/cluster.js'

const policy = { baseMs: 100, maxMs: 10_000, stableAfterMs: 10_000 }

test('a crash loop backs off exponentially up to the cap', () => {
  let crashes = 0
  const delays: number[] = []
  for (let i = 0; i < 10; i++) {
    const next = nextRespawn(crashes, 50, policy)
    crashes = next.crashesInARow
    delays.push(next.delayMs)
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000])
})

test('a worker that lived long enough resets the back-off', () => {
  assert.deepEqual(nextRespawn(7, 10_000, policy), { crashesInARow: 1, delayMs: 100 })
  assert.deepEqual(nextRespawn(7, 9_999, policy), { crashesInARow: 8, delayMs: 10_000 })
})
