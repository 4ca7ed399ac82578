// The driver and the armed workers, in one process: the profiled worker and a memory-only one
// start and stop on their control files; the snapshot request travels in the start file; the
// run comes back with every worker's memory over the same time and the snapshot's retainers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRetainers } from '../../profile/heap-snapshot-report.js'
import { profileWorker } from '../../profile/profile-worker.js'
import { armProfiling, parseSessionRequest } from '../../src/profile-agent/profile-trigger.js'
import { profilerOptions } from '../../src/profile-agent/profiler-options.js'

class RetainedHere {
  readonly rows = Array.from({ length: 500 }, (_, i) => [i, i * 2])
}

test('one run: the profiled worker and the others armed for memory start and stop together; the snapshot is asked for in the start file', {
  timeout: 60_000
}, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'memory-workers-'))
  const errors: unknown[] = []
  const onError = (err: unknown): void => { errors.push(err) }
  const profiled = armProfiling({ options: profilerOptions({ outDir, label: 'w1', runtimeSampleMs: 20 }), workerId: 1, onError })
  const other = armProfiling({ options: profilerOptions({ outDir, label: 'w2', runtimeSampleMs: 20 }), workerId: 2, mode: 'memory', onError })
  const kept: RetainedHere[] = []
  try {
    const run = await profileWorker({
      outDir,
      heapSnapshot: true,
      pollMs: 10,
      during: async () => {
        for (let i = 0; i < 10; i++) {
          kept.push(new RetainedHere())
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
    })
    assert.deepEqual(errors, [])
    assert.equal(run.workerId, 1)
    assert.deepEqual(run.memory.map((w) => [w.workerId, w.profiled]), [[1, true], [2, false]])
    assert.deepEqual(run.memoryProblems, [])
    for (const w of run.memory) {
      assert.ok(w.runtime.samples.length >= 5, `${w.runtime.samples.length} samples of worker ${w.workerId}`)
      assert.ok(w.runtime.samples.every((s) => s.rss > 0 && s.heapUsed > 0 && s.arrayBuffers >= 0 && s.external >= s.arrayBuffers))
      assert.ok(Array.isArray(w.runtime.gc.pauses))
    }
    // Only the profiled worker profiles; the other wrote its memory and nothing else.
    const files = readdirSync(outDir)
    for (const name of ['w1.cpuprofile', 'w1.heapprofile', 'w1.heapsnapshot', 'w2.runtime.json', 'w2.profile.json', 'w2.memory-armed.json']) {
      assert.ok(files.includes(name), `${name} in ${files.join(', ')}`)
    }
    assert.ok(!files.some((f) => f.startsWith('w2.') && (f.endsWith('.cpuprofile') || f.endsWith('.heapsnapshot'))))
    assert.ok(!files.some((f) => f.endsWith('.start') || f.endsWith('.stop') || f.endsWith('.tmp')), 'the control files were consumed')
    assert.equal(run.heapSnapshot, join(outDir, 'w1.heapsnapshot'))
    assert.equal(run.heapSnapshotError, null)
    const retainers = await readRetainers(run.heapSnapshot)
    const ours = retainers.summary.constructors.find((c) => c.name === 'RetainedHere')
    assert.equal(ours?.count, 10, 'the ten objects this test keeps are in the snapshot')
    assert.ok(ours.retainedBytes > 10 * 500 * 8)
    assert.equal(kept.length, 10)

    // Without the request, no snapshot.
    const again = await profileWorker({ outDir, pollMs: 10, otherWorkers: false, during: async () => {} })
    assert.equal(again.heapSnapshot, null)
    assert.deepEqual(again.memory.map((w) => w.workerId), [1])
  } finally {
    await profiled.disarm()
    await other.disarm()
  }
  assert.ok(!existsSync(join(outDir, 'w2.memory-armed.json')), 'disarmed')
})

test('a start request is empty (the defaults) or JSON naming what to record', () => {
  assert.deepEqual(parseSessionRequest(''), { heapSnapshot: false })
  assert.deepEqual(parseSessionRequest('{"heapSnapshot":true}'), { heapSnapshot: true })
  assert.throws(() => parseSessionRequest('{"heapSnapshot":"yes"}'), /expected a start request like \{"heapSnapshot":true\}/)
  assert.throws(() => parseSessionRequest('[1'))
})

test('a malformed start request still profiles, with the defaults, and the error is told', { timeout: 30_000 }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'memory-workers-bad-'))
  const errors: unknown[] = []
  const armed = armProfiling({ options: profilerOptions({ outDir, label: 'w9', runtimeSampleMs: 20 }), onError: (err) => errors.push(err) })
  try {
    writeFileSync(join(outDir, 'w9.start'), '{"heapSnapshot": 1}')
    const deadline = Date.now() + 20_000
    while (!existsSync(join(outDir, 'w9.recording.json')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(existsSync(join(outDir, 'w9.recording.json')), 'recording')
    assert.equal(errors.length, 1)
    assert.match(String(errors[0]), /expected a start request/)
  } finally {
    await armed.disarm()
  }
})
