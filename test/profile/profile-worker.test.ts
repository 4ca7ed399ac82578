// End to end: the real app (primary + one worker + embedded provider) started with the preload,
// one worker profiled while autocannon runs, the report built from its files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildProfileReport } from '../../profile/profile-report.js'
import { profileAppUnderLoad } from './profiled-app.js'

test('npm run profile\'s mechanism: one worker profiled under load, its route functions named, the worker kept alive', { timeout: 90_000 }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'profile-e2e-'))
  const run = await profileAppUnderLoad({ outDir, durationS: 2 })
  assert.ok(run.requests > 100, `${run.requests} requests`)
  assert.equal(run.errors, 0)
  assert.equal(run.artifacts.timedOut, false)
  assert.ok(run.artifacts.durationMs >= 2000, `recorded across the load (${run.artifacts.durationMs} ms)`)
  const files = readdirSync(outDir)
  const label = run.artifacts.label
  for (const suffix of ['.cpuprofile', '.heapprofile', '.runtime.json', '.profile.json', '.armed.json']) {
    assert.ok(files.includes(label + suffix), `${label}${suffix} in ${files.join(', ')}`)
  }
  assert.ok(!files.some((f) => f.endsWith('.start') || f.endsWith('.stop')), 'the worker consumed its control files')

  const report = await buildProfileReport(run.artifacts, { limit: 60 })
  assert.ok(existsSync(report.flameGraph))
  for (const name of ['handler', 'send', 'resolveCity']) {
    assert.ok(report.cpu.functions.some((f) => f.name === name && f.origin === 'own'), `${name} in the CPU profile`)
  }
  assert.match(report.text, /Top 60 by self time/)
  assert.match(report.text, /Sampling heap profile/)
  assert.match(report.text, /Event loop: delay p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms; utilization [\d.]+%/)
  assert.match(report.text, /GC: \d+ pauses/)
  assert.equal(report.topThree.length, 3)
  assert.ok(report.topThree.every((f) => f.origin !== 'v8'))
})
