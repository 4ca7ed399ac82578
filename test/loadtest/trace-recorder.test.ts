// --record-trace: the load test writes every path it sends, under a line naming each run, plain
// or gzipped; the flag maps onto the option.
import { strict as assert } from 'node:assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { parseCommandLine } from '../../loadtest/cli.js'
import { TraceRecorder } from '../../loadtest/drive/trace-recorder.js'

test('every path a source returns is recorded, in order, under its run\'s label', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-'))
  for (const file of [join(dir, 'sub', 't.trace'), join(dir, 't.trace.gz')]) {
    const trace = new TraceRecorder(file, 'npm run loadtest -- --record-trace x')
    let n = 0
    const first = trace.record('memory · zipf (prime)', () => `/weather/c${n++}`)
    const sent = Array.from({ length: 10_000 }, () => first())
    const second = trace.record('memory · zipf', () => '/weather/london')
    sent.push(second(), second())
    await trace.close()
    assert.equal(trace.lines, 10_002)
    const raw = readFileSync(file)
    const lines = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').trimEnd().split('\n')
    assert.deepEqual(lines.slice(0, 3), [
      '# cachestack request trace: one path per line, in send order',
      '# npm run loadtest -- --record-trace x',
      '# memory · zipf (prime)'
    ])
    assert.deepEqual(lines.filter((l) => !l.startsWith('#')), sent)
    assert.equal(lines[10_003], '# memory · zipf')
  }
})

test('--record-trace FILE sets the option; unset, nothing is recorded', () => {
  const parse = (...argv: string[]) => parseCommandLine(argv, false).options
  assert.equal(parse().recordTrace, null)
  assert.equal(parse('--record-trace', '/tmp/x.trace.gz').recordTrace, '/tmp/x.trace.gz')
  assert.throws(() => parse('--record-trace', ' '), /record-trace=" ": expected a file name/)
})
