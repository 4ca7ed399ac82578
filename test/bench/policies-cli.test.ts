// `npm run bench -- policies [--requests N] [--out DIR]`: the study's own flags.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parsePoliciesArgs } from '../../bench/policies/policies.bench.js'

test('defaults: 1,000,000 requests per stream, results under policies-results/<timestamp>', () => {
  assert.deepEqual(parsePoliciesArgs([], new Date('2026-01-02T03:04:05.678Z')), { requests: 1_000_000, outDir: 'policies-results/2026-01-02T03-04-05Z' })
})

test('--requests and --out; a bad count is refused with the flag and the value named', () => {
  assert.deepEqual(parsePoliciesArgs(['--requests', '200000', '--out', '/tmp/p']), { requests: 200_000, outDir: '/tmp/p' })
  assert.throws(() => parsePoliciesArgs(['--requests', '5']), /--requests="5": expected an integer from 10000 to 20000000/)
  assert.throws(() => parsePoliciesArgs(['--requests', 'many']), /--requests="many"/)
  assert.throws(() => parsePoliciesArgs(['--fast']), /Unknown option '--fast'/)
})
