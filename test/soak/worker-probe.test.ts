// The heap probe in a real process: loaded with --import and SOAK_PROBE_DIR, it writes the
// process's heap each second, and the live size once a major collection has run.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test } from 'node:test'
import { readProbe } from '../../soak/samplers.js'

const PROBE = pathToFileURL(fileURLToPath(new URL('../../soak/worker-probe.js', import.meta.url))).href

test('a process with the probe reports its heap, and its live heap after a major GC', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soak-probe-'))
  // Keeps ~20 MB alive, then forces a major collection (--expose-gc) and idles.
  const script = 'globalThis.kept = Array.from({ length: 200 }, () => Buffer.alloc(0) && new Array(12_500).fill(1.5)); ' +
    'setTimeout(() => { globalThis.gc(); setTimeout(() => {}, 20_000) }, 200)'
  const child = spawn(process.execPath, ['--expose-gc', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: `--import=${PROBE}`, SOAK_PROBE_DIR: dir },
    stdio: 'ignore'
  })
  try {
    let report = null
    for (let i = 0; i < 50 && (report === null || report.liveAfterMajorGc === null); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      report = readProbe(dir, child.pid!)
    }
    assert.ok(report !== null, 'the probe wrote a report')
    assert.ok(report.heapCommitted >= report.heapUsed && report.heapUsed > 0)
    assert.ok(report.majorGcs >= 1)
    assert.ok(report.liveAfterMajorGc !== null && report.liveAfterMajorGc > 15 * 1024 * 1024, `live ${report.liveAfterMajorGc}`)
  } finally {
    child.kill()
  }
})

test('without SOAK_PROBE_DIR the probe does nothing', { timeout: 10_000 }, async () => {
  const code = await new Promise<number | null>((resolve) => {
    const env = { ...process.env, NODE_OPTIONS: `--import=${PROBE}`, SOAK_PROBE_DIR: '' }
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { env })
    child.on('exit', resolve)
  })
  assert.equal(code, 0, 'and the process ends on its own: no timer holds it')
})
