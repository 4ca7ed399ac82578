import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { createProcFs, parseProcStat, processTree, treeUsage, type ProcessSample } from '../../loadtest/measure/process-usage.js'

// proc(5): pid (comm) state ppid … utime(14) stime(15) … rss(24). comm may hold spaces and ')'.
function statLine (pid: number, comm: string, ppid: number, utime: number, stime: number, rssPages: number): string {
  const fields = ['S', ppid, 1, 1, 0, -1, 4194560, 100, 0, 0, 0, utime, stime, 0, 0, 20, 0, 3, 0, 1000, 123456, rssPages]
  return `${pid} (${comm}) ${fields.join(' ')} 0 0 0`
}

test('parseProcStat: ppid, utime+stime and RSS, even with ") " in the command name', () => {
  const parsed = parseProcStat(statLine(42, 'node (worker) x', 7, 150, 50, 1000), 4096)
  assert.deepEqual(parsed, { pid: 42, ppid: 7, cpuTicks: 200, rssBytes: 4_096_000 })
  assert.throws(() => parseProcStat('garbage', 4096), SyntaxError)
})

const listing = (ticks: Record<number, number>): ProcessSample[] => [
  { pid: 1, ppid: 0, cpuTicks: 999, rssBytes: 1 },
  { pid: 10, ppid: 1, cpuTicks: ticks[10] ?? 0, rssBytes: 100 }, // primary
  { pid: 11, ppid: 10, cpuTicks: ticks[11] ?? 0, rssBytes: 200 }, // worker
  { pid: 12, ppid: 10, cpuTicks: ticks[12] ?? 0, rssBytes: 300 }, // worker
  { pid: 13, ppid: 12, cpuTicks: ticks[13] ?? 0, rssBytes: 400 }, // grandchild
  { pid: 20, ppid: 1, cpuTicks: ticks[20] ?? 0, rssBytes: 5000 } // unrelated
].filter((s) => s.pid === 1 || ticks[s.pid] !== undefined)

test('processTree: the root and every descendant, nothing else', () => {
  const tree = processTree(listing({ 10: 0, 11: 0, 12: 0, 13: 0, 20: 0 }), 10)
  assert.deepEqual(tree.map((s) => s.pid).sort((a, b) => a - b), [10, 11, 12, 13])
  assert.deepEqual(processTree(listing({ 20: 0 }), 10), [])
})

test('treeUsage: per-pid CPU growth summed over the tree, a new process counted from zero', () => {
  const before = listing({ 10: 100, 11: 1000, 12: 2000, 20: 7 })
  const after = listing({ 10: 110, 11: 1300, 12: 2100, 13: 40, 20: 9000 })
  const usage = treeUsage(before, after, 10, 100)
  assert.ok(usage !== null)
  assert.equal(usage.cpuSeconds, (10 + 300 + 100 + 40) / 100)
  assert.equal(usage.rssBytes, 100 + 200 + 300 + 400)
  assert.equal(usage.processes, 4)
  assert.equal(treeUsage(before, listing({ 20: 1 }), 10, 100), null)
})

test('createProcFs reads this very process from /proc', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  const procfs = createProcFs()
  const burn = Date.now() + 50
  while (Date.now() < burn) {
    // Busy-wait on purpose: some CPU of our own, so this process's cpuTicks below are above 0.
  }
  const me = procfs.list().find((s) => s.pid === process.pid)
  assert.ok(me !== undefined)
  assert.equal(me.ppid, process.ppid)
  assert.ok(me.rssBytes > 10 * 1024 * 1024, `rss ${me.rssBytes}`)
  assert.ok(me.cpuTicks > 0)
  assert.ok(procfs.ticksPerSecond >= 100)
})
