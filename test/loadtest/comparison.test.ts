import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { pairResults, pointChange, relativeChange, renderComparison, settingDifferences } from '../../loadtest/report/diff-runs.js'
import { fakeResults, TYPICAL } from './fixtures.js'

test('relativeChange and pointChange', () => {
  assert.equal(relativeChange(100, 112.34), '+12.3%')
  assert.equal(relativeChange(100, 96), '−4.0%')
  assert.equal(relativeChange(100, 100), '±0.0%')
  assert.equal(relativeChange(0, 5), '–')
  assert.equal(relativeChange(null, 5), '–')
  assert.equal(pointChange(0.9, 0.95), '+5.0 pp')
  assert.equal(pointChange(0.95, 0.9), '−5.0 pp')
  assert.equal(pointChange(undefined, 0.9), '–')
})

test('pairResults: the union of (scenario, target), missing sides left empty', () => {
  const a = fakeResults(TYPICAL.filter((r) => r.target !== 'edge'))
  const b = fakeResults([...TYPICAL.filter((r) => r.target !== 'redis'), { target: 'memory', scenario: 'hot', ok: 100 }])
  const rows = pairResults(a, b)
  assert.equal(rows.length, 7)
  const redis = rows.find((r) => r.target === 'redis')!
  assert.ok(redis.a !== undefined && redis.b === undefined)
  const edge = rows.find((r) => r.target === 'edge')!
  assert.ok(edge.a === undefined && edge.b !== undefined)
  assert.ok(rows.some((r) => r.scenario === 'hot' && r.target === 'memory'))
})

test('renderComparison: deltas per target, and a note when settings differ', () => {
  const a = fakeResults(TYPICAL)
  const faster = TYPICAL.map((r) => (r.target === 'layered' ? { ...r, ok: 12_000 } : r))
  const b = fakeResults(faster)
  b.options.connections = 99
  const text = renderComparison(a, b, { a: 'a.json', b: 'b.json' }, 'text')
  const layered = text.split('\n').find((l) => /^zipf\s+layered/.test(l))!
  assert.match(layered, /5,000\s+6,000\s+\+20\.0%/)
  assert.match(layered, /10\.0×\s+12\.0×/)
  assert.match(text, /note: options\.connections differs: A=10, B=99/)
  assert.deepEqual(settingDifferences(a, a), [])
  assert.match(renderComparison(a, b, { a: 'a', b: 'b' }, 'markdown'), /^\| scenario \| target \|/m)
})
