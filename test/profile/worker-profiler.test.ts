import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCpuProfile } from '../../profile/cpu-profile.js'
import { summarizeCpuProfile } from '../../profile/cpu-summary.js'
import { parseHeapProfile, summarizeHeapProfile } from '../../profile/heap-profile.js'
import { profilerEnvironment, profilerOptions } from '../../src/profile-agent/profiler-options.js'
import { startProfiling } from '../../src/profile-agent/worker-profiler.js'

// Named so that the profiles can be searched for them.
function burnCpu (ms: number): number {
  let x = 0
  const end = performance.now() + ms
  while (performance.now() < end) x += Math.sqrt(x + 1)
  return x
}
function allocateLots (): number {
  const kept: number[][] = []
  for (let i = 0; i < 2000; i++) kept.push(new Array(256).fill(i))
  return kept.length
}

test('a session records this process: CPU and heap profiles name the busy functions; runtime stats are filled', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'profile-'))
  const session = await startProfiling({ outDir, label: 'unit', cpuSamplingIntervalUs: 200, runtimeSampleMs: 20 })
  for (let i = 0; i < 5; i++) {
    burnCpu(40)
    allocateLots()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const artifacts = await session.stop()
  assert.equal(await session.stop(), artifacts, 'stop is idempotent')
  assert.equal(artifacts.timedOut, false)
  for (const file of [artifacts.cpuProfile, artifacts.heapProfile, artifacts.runtime, join(outDir, 'unit.profile.json')]) assert.ok(existsSync(file), file)

  const cpu = summarizeCpuProfile(parseCpuProfile(readFileSync(artifacts.cpuProfile, 'utf8')))
  const burn = cpu.functions.find((f) => f.name === 'burnCpu')
  assert.ok(burn !== undefined && burn.totalShare > 0.2, `burnCpu takes much of the run (${burn?.totalShare})`)
  assert.equal(cpu.functions.find((f) => f.origin === 'own')?.name, 'burnCpu', 'and more of it than any other function of ours')
  const heap = summarizeHeapProfile(parseHeapProfile(readFileSync(artifacts.heapProfile, 'utf8')))
  const allocator = heap.sites.find((s) => s.name === 'allocateLots')
  // 5 × 2,000 arrays of 256 numbers: about 20 MB. What else the process allocates meanwhile (the
  // test runner, the profiler, burnCpu) varies from run to run, so the check is on its own size.
  assert.ok(allocator !== undefined && allocator.totalBytes > 10e6, `allocateLots: ${allocator?.totalBytes} of ${heap.totalBytes} bytes`)

  const stats = artifacts.runtimeStats
  assert.ok(stats.durationMs >= 200)
  assert.ok(stats.samples.length >= 5, `${stats.samples.length} memory samples`)
  assert.ok(stats.samples.every((s) => s.heapUsed > 0 && s.rss >= s.heapUsed && s.heapTotal >= s.heapUsed))
  assert.ok(stats.samples.every((s) => s.external >= s.arrayBuffers && s.elu >= 0 && s.elu <= 1))
  assert.equal(stats.intervalMs, 20)
  assert.ok(stats.gc.count > 0, 'the allocations cost some GC')
  // Each pause where it happened, within the run (the observer delivers them late: some may miss the stop).
  assert.ok(stats.gc.pauses.length > 0 && stats.gc.pauses.length <= stats.gc.count)
  const kinds = ['major', 'minor', 'incremental', 'weakcb', 'other']
  assert.ok(stats.gc.pauses.every((p) => p.t >= 0 && p.t <= stats.durationMs && p.ms >= 0 && kinds.includes(p.kind)))
  assert.equal(artifacts.heapSnapshot, null, 'no snapshot unless asked for')
  assert.equal(artifacts.heapDelta, null)
  assert.ok(stats.eventLoopDelay.p99 >= stats.eventLoopDelay.p50 && stats.eventLoopDelay.max >= 30, 'the 40 ms bursts delay the loop')
  assert.ok(stats.eventLoopUtilization > 0.5 && stats.eventLoopUtilization <= 1)
  assert.deepEqual(JSON.parse(readFileSync(artifacts.runtime, 'utf8')), stats)
})

test('a forgotten session stops by itself at maxDurationMs and still writes its files', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'profile-'))
  const session = await startProfiling({ outDir, label: 'forgotten', maxDurationMs: 150 })
  // The deadline is unref'd (it must not keep a draining worker alive): keep this test's loop up.
  const alive = setTimeout(() => {}, 10_000)
  const artifacts = await session.finished
  clearTimeout(alive)
  assert.equal(artifacts.timedOut, true)
  assert.ok(existsSync(artifacts.cpuProfile))
})

test('options: defaults, checked bounds, and the environment of a profiled app', () => {
  const options = profilerOptions({ outDir: '/tmp/x' })
  assert.deepEqual(
    { ...options, label: undefined },
    { outDir: '/tmp/x', label: undefined, cpuSamplingIntervalUs: 1000, heapSamplingIntervalBytes: 32_768, runtimeSampleMs: 100, maxDurationMs: 120_000 }
  )
  assert.ok(Object.isFrozen(options))
  assert.throws(() => profilerOptions({ outDir: '/tmp/x', cpuSamplingIntervalUs: 10 }), /expected cpuSamplingIntervalUs to be an integer from 50 to 1000000, got 10/)
  assert.throws(() => profilerOptions({ outDir: '/tmp/x', label: '../up' }), /expected label/)
  assert.equal(profilerEnvironment({}), undefined, 'off unless CACHESTACK_PROFILE_DIR is set')
  const env = profilerEnvironment({ CACHESTACK_PROFILE_DIR: '/tmp/p', CACHESTACK_PROFILE_WORKER: '2', CACHESTACK_PROFILE_CPU_INTERVAL_US: '500' }, 42)!
  assert.deepEqual([env.outDir, env.workerId, env.options.label, env.options.cpuSamplingIntervalUs, env.heapDelta], ['/tmp/p', 2, 'worker-42', 500, null])
  const delta = profilerEnvironment({ CACHESTACK_PROFILE_DIR: '/tmp/p', CACHESTACK_PROFILE_HEAP_DELTA: 'file:///app/dist/src/a.js#CityIndex.resolve' })!
  assert.deepEqual(delta.heapDelta, { url: 'file:///app/dist/src/a.js', binding: 'CityIndex', member: 'resolve' })
  assert.throws(() => profilerEnvironment({ CACHESTACK_PROFILE_DIR: '/tmp/p', CACHESTACK_PROFILE_HEAP_DELTA: 'resolveCity' }), /CACHESTACK_PROFILE_HEAP_DELTA="resolveCity": expected/)
  assert.throws(() => profilerEnvironment({ CACHESTACK_PROFILE_DIR: '/tmp/p', CACHESTACK_PROFILE_MAX_MS: 'soon' }), /CACHESTACK_PROFILE_MAX_MS="soon": expected an integer from 100 to 3600000/)
})
