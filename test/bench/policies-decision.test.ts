// Issue 17's rule for L1_POLICY's default (bench/policies/decision.ts): all three conditions, or LRU.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decide } from '../../bench/policies/decision.js'
import type { StreamResult } from '../../bench/policies/study.js'

const row = (lru: number, sieve: number, s3fifo: number, tinylfu: number, min: number) =>
  ({ share: 0.01, capacity: 1000, policies: { lru, sieve, s3fifo, tinylfu }, min })
const results = (zipf: ReturnType<typeof row>, scan: ReturnType<typeof row>): StreamResult[] => [
  { name: 'zipf-0.9', description: '', requests: 1, distinctKeys: 1, seconds: 0, rows: [{ ...zipf, share: 0.001 }, zipf] },
  { name: 'scan-polluted', description: '', requests: 1, distinctKeys: 1, seconds: 0, rows: [scan] }
]
const cheap = { sieve: 0.9, s3fifo: 0.95, tinylfu: 1.05 }

test('the candidate meeting (a), (b) and (c) becomes the default; with several, the best on Zipf α=0.9', () => {
  const d = decide(results(row(0.30, 0.36, 0.37, 0.35, 0.45), row(0.30, 0.41, 0.42, 0.40, 0.5)), cheap)
  assert.equal(d.choice, 's3fifo')
  assert.ok(d.checks.every((c) => c.a && c.b && c.c))
})

test('(a) fails under +5 points over LRU, or more than 10 points under MIN', () => {
  const under = decide(results(row(0.30, 0.349, 0.30, 0.30, 0.40), row(0.30, 0.45, 0.30, 0.30, 0.5)), cheap)
  assert.equal(under.choice, 'lru')
  assert.equal(under.checks.find((c) => c.policy === 'sieve')!.a, false)
  const far = decide(results(row(0.30, 0.40, 0.30, 0.30, 0.51), row(0.30, 0.45, 0.30, 0.30, 0.6)), cheap)
  assert.equal(far.checks.find((c) => c.policy === 'sieve')!.a, false, '11 points under MIN')
  assert.equal(decide(results(row(0.30, 0.40, 0.30, 0.30, 0.50), row(0.30, 0.45, 0.30, 0.30, 0.6)), cheap).choice, 'sieve', 'exactly 10 is within')
})

test('(b) fails under +10 points over LRU on the scan-polluted stream', () => {
  const d = decide(results(row(0.30, 0.40, 0.30, 0.30, 0.45), row(0.30, 0.399, 0.30, 0.30, 0.5)), cheap)
  assert.equal(d.choice, 'lru')
  assert.equal(d.checks.find((c) => c.policy === 'sieve')!.b, false)
})

test('(c) fails when a get hit costs more than 1.1× lru-cache\'s store', () => {
  const d = decide(results(row(0.30, 0.30, 0.30, 0.40, 0.45), row(0.30, 0.30, 0.30, 0.45, 0.5)), { ...cheap, tinylfu: 1.11 })
  assert.equal(d.choice, 'lru')
  const tinylfu = d.checks.find((c) => c.policy === 'tinylfu')!
  assert.deepEqual([tinylfu.a, tinylfu.b, tinylfu.c, tinylfu.costRatio], [true, true, false, 1.11])
  assert.ok(Math.abs(tinylfu.zipfGain - 10) < 1e-9 && Math.abs(tinylfu.zipfGapToMin - 5) < 1e-9 && Math.abs(tinylfu.scanGain - 15) < 1e-9)
})

test('the rule needs both streams at 1%', () => {
  assert.throws(() => decide([], cheap), /zipf-0.9/)
})
