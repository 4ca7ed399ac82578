// Memory over time in the terminal: per worker, each series' min/median/max/end and a sparkline
// of it, and a row of GC pauses placed where they happened.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatMemoryTimeline } from '../../profile/memory-report.js'
import { gcSparkline, MEMORY_SERIES, seriesStats, sparkline } from '../../profile/memory-series.js'
import type { RuntimeStats } from '../../src/profile-agent/runtime-sampler.js'

const MiB = 1048576

/** 10 samples 100 ms apart: heap used climbs 10 → 19 MiB, RSS flat at 100 MiB; two GC pauses. */
function stats (): RuntimeStats {
  return {
    durationMs: 900,
    intervalMs: 100,
    samples: Array.from({ length: 10 }, (_, i) => ({
      t: i * 100,
      heapUsed: (10 + i) * MiB,
      heapTotal: 32 * MiB,
      rss: 100 * MiB,
      external: 2 * MiB,
      arrayBuffers: MiB,
      elu: 0.5
    })),
    gc: {
      count: 2,
      totalMs: 6,
      maxMs: 5,
      byKind: { minor: { count: 1, totalMs: 1 }, major: { count: 1, totalMs: 5 } },
      pauses: [{ t: 50, ms: 1, kind: 'minor' }, { t: 880, ms: 5, kind: 'major' }]
    },
    eventLoopDelay: { min: 1, p50: 2, p99: 3, max: 4, mean: 2 },
    eventLoopUtilization: 0.5
  }
}

test('a sparkline runs left to right over the run, lowest to highest, and repeats a level through empty slots', () => {
  assert.equal(sparkline([0, 500, 1000], [1, 5, 9], { durationMs: 1000, width: 3 }), '▁▅█')
  assert.equal(sparkline([0, 1000], [1, 9], { durationMs: 1000, width: 5 }), '▁▁▁▁█')
  assert.equal(sparkline([0, 1000], [3, 3], { durationMs: 1000, width: 4 }), '▁▁▁▁', 'a flat series is flat')
  assert.equal(sparkline([], [], { durationMs: 1000 }), '')
})

test('series statistics per worker and GC pauses where they happened', () => {
  const series = seriesStats(stats(), { width: 10 })
  assert.deepEqual(series.map((s) => s.name), [...MEMORY_SERIES])
  const heapUsed = series.find((s) => s.name === 'heapUsed')!
  assert.deepEqual([heapUsed.min, heapUsed.median, heapUsed.max, heapUsed.last], [10 * MiB, 14.5 * MiB, 19 * MiB, 19 * MiB])
  assert.equal(heapUsed.sparkline, '▁▂▃▃▄▅▆▆▇█')
  // The minor pause in the first slot, the major one in the last; the longer one is the taller.
  assert.equal(gcSparkline(stats(), { width: 10 }), '▃        █')
})

test('the terminal table: a block per worker, five series and a GC row each, in MiB', () => {
  const text = formatMemoryTimeline([
    { workerId: 1, pid: 101, profiled: true, runtime: stats() },
    { workerId: 2, pid: 102, profiled: false, runtime: stats() }
  ], { width: 10 })
  const lines = text.split('\n')
  assert.match(lines[0]!, /^Memory over time \(cf\. mprof run.*every 100 ms over 0\.9 s, 2 workers, MiB/)
  assert.match(lines[1]!, /^worker +series +min +median +max +end +over the run$/)
  const rows = lines.slice(3)
  assert.equal(rows.length, 2 * (MEMORY_SERIES.length + 1))
  assert.match(rows[0]!, /^worker 1 \(pid 101, profiled\) +rss +100\.0 +100\.0 +100\.0 +100\.0 +▁{10}$/)
  assert.match(rows[2]!, /^ +heapUsed +10\.0 +14\.5 +19\.0 +19\.0 +▁▂▃▃▄▅▆▆▇█$/)
  assert.match(rows[5]!, /^ +GC pauses +▃ {8}█ {2}2 \(1 minor, 1 major\), 6\.0 ms, longest 5\.0 ms$/)
  assert.match(rows[6]!, /^worker 2 \(pid 102\) +rss/)
})
