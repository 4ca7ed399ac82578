// The whole command, tiny: the native stack, two strategies, a couple of seconds each.
import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseResults } from '../../loadtest/report/schema.js'
import { requireBinary } from '../../stack/binaries.js'
import { runLoadtest } from './run-loadtest.js'

test('npm run loadtest, tiny: none vs layered on zipf, results + reports written', { timeout: 120_000 }, async () => {
  // A missing binary fails the test (scripts/ensure-system-packages.sh installs them), never skips it.
  for (const bin of ['nginx', 'redis-server']) requireBinary(bin)
  const out = mkdtempSync(join(tmpdir(), 'loadtest-e2e-'))
  const { code, stdout, stderr } = await runLoadtest([
    '--targets', 'none,layered', '--scenarios', 'zipf', '--duration', '2', '--warmup', '1', '--repetitions', '1',
    '--connections', '10', '--cities', '50', '--no-progress', '--out', out
  ])
  assert.equal(code, 0, `exit ${code}\n${stderr}`)
  for (const file of ['results.json', 'results.md', 'report.html']) assert.ok(existsSync(join(out, file)), file)
  const results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
  assert.deepEqual(results.results.map((r) => `${r.target}/${r.scenario}`), ['none/zipf', 'layered/zipf'])
  const [none, layered] = results.results.map((r) => r.summary) as [typeof results.results[0]['summary'], typeof results.results[0]['summary']]
  for (const s of [none, layered]) {
    assert.ok(s.requestsPerSecond.median > 0)
    assert.ok(s.latencyMs.p99 >= s.latencyMs.p50 && s.latencyMs.p50 > 0)
    assert.equal(s.errors + s.non2xx, 0)
    assert.ok(s.appCpuCores !== null && s.appCpuCores > 0, 'app CPU measured from /proc')
  }
  // No cache: every request is an origin call. Layered, warmed on 50 cities: almost none.
  assert.ok(none.originCalls !== null && none.originCalls >= 0.9 * results.results[0]!.measurements[0]!.requests, `none: ${none.originCalls} origin calls`)
  assert.equal(none.hitRatio.overall, 0)
  assert.ok(layered.originCalls !== null && layered.originCalls < 0.1 * none.originCalls, `layered: ${layered.originCalls} origin calls`)
  assert.ok(layered.hitRatio.l1 !== null && layered.hitRatio.l1 > 0.8, `layered L1 ${layered.hitRatio.l1}`)
  assert.ok(layered.ratioToNone !== null && layered.ratioToNone > 1, `layered × none = ${layered.ratioToNone}`)
  assert.match(stdout, /^zipf: 50 most populous cities/m)
  assert.match(stderr, /layered · zipf\s+[\d,]+ req\/s/)
})
