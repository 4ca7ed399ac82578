// Issue 18 end to end, tiny: our engine, Varnish and nginx alone on the purge and the outage,
// through the real command (the native stack, the provider proxy, varnishd, a second nginx).
import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseResults } from '../../loadtest/report/schema.js'
import { requireVarnishd } from '../../loadtest/bed/peers/varnish.js'
import { requireBinary } from '../../stack/binaries.js'
import { runLoadtest } from './run-loadtest.js'

test('npm run loadtest, tiny: layered, peer-varnish, peer-nginx-only on purge and origin-outage', { timeout: 170_000 }, async () => {
  // A missing binary fails the test (scripts/ensure-system-packages.sh installs them), never skips it.
  for (const bin of ['nginx', 'redis-server']) requireBinary(bin)
  requireVarnishd()
  const out = mkdtempSync(join(tmpdir(), 'loadtest-peers-'))
  const { code, stderr } = await runLoadtest([
    '--targets', 'layered,peer-varnish,peer-nginx-only', '--scenarios', 'purge,origin-outage', '--duration', '2', '--warmup', '0.5',
    '--repetitions', '1', '--connections', '10', '--cities', '50', '--storm-cities', '20', '--storm-ttl', '2', '--outage-seconds', '3',
    '--no-progress', '--out', out
  ])
  assert.equal(code, 0, `exit ${code}\n${stderr}`)
  for (const file of ['results.json', 'results.md', 'report.html']) assert.ok(existsSync(join(out, file)), file)
  const results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
  assert.deepEqual(results.warnings.filter((w) => w.includes('skipped')), [])
  assert.deepEqual(results.targets.map((t) => `${t.name}:${t.kind}`), ['layered:strategy', 'peer-varnish:peer', 'peer-nginx-only:peer'])
  const find = (target: string, scenario: string) => results.results.find((r) => r.target === target && r.scenario === scenario)!.measurements[0]!

  // Purge: each purged its own way, and every answer after it was the new one before the run ended.
  const purges = [['layered', 'DELETE', 204], ['peer-varnish', 'PURGE', 200], ['peer-nginx-only', 'GET X-Cache-Refresh: 1', 200]] as const
  for (const [target, method, status] of purges) {
    const purge = find(target, 'purge').purge!
    assert.equal(purge.method, method, target)
    assert.equal(purge.status, status, target)
    assert.ok(purge.answersAfter > 0, `${target}: answers after the purge`)
    assert.ok(purge.firstNewMs !== null, `${target}: a new answer came`)
    assert.ok(purge.timeToFreshMs !== null, `${target}: fresh within the run (${JSON.stringify(purge)})`)
  }

  // The outage: everyone kept answering from stale copies, and the failed calls reached the proxy.
  for (const target of ['layered', 'peer-varnish', 'peer-nginx-only']) {
    const m = find(target, 'origin-outage')
    const outage = m.outage!
    assert.equal(outage.fromSeconds, 1)
    assert.equal(outage.toSeconds, 4)
    assert.ok(outage.responses > 0, `${target} answered during the outage`)
    assert.ok(outage.responses / (outage.responses + outage.failures) > 0.9, `${target}: ${JSON.stringify(outage)}`)
    assert.ok(outage.staleAnswers !== null && outage.staleAnswers > 0, `${target} served stale: ${JSON.stringify(outage)}`)
    assert.ok(outage.originCalls !== null && outage.originCalls > 0, `${target} tried the provider: ${JSON.stringify(outage)}`)
    assert.ok(m.timeline !== null && m.timeline !== undefined && m.timeline.some((b) => (b.staleAnswers ?? 0) > 0), `${target}: stale per second`)
  }
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /time to fresh ms/)
  assert.match(stderr, /peer-varnish · origin-outage\s+[\d,]+ req\/s/)
})
