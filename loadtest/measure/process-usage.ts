// CPU and memory of a process tree (the cluster primary and its workers, nginx master and
// workers) from /proc: the cost side of each strategy, since req/s alone hides it.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcessSample {
  pid: number
  ppid: number
  /** utime + stime, clock ticks. */
  cpuTicks: number
  rssBytes: number
}

/** Parses /proc/<pid>/stat. The command name is in parentheses and may hold spaces or ')'. */
export function parseProcStat (text: string, pageSize: number): Omit<ProcessSample, 'pid'> & { pid: number } {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) throw new SyntaxError('bad /proc stat line')
  const pid = Number(text.slice(0, open).trim())
  // Fields after the name, numbered from 3 (state) as in proc(5).
  const rest = text.slice(close + 2).split(' ')
  const field = (n: number): number => Number(rest[n - 3])
  return { pid, ppid: field(4), cpuTicks: field(14) + field(15), rssBytes: field(24) * pageSize }
}

function getconf (name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim())
    return Number.isFinite(n) && n > 0 ? n : fallback
  } catch {
    return fallback
  }
}

export interface ProcFs {
  /** Every readable process now. */
  list (): ProcessSample[]
  readonly ticksPerSecond: number
}

export function createProcFs (root = '/proc'): ProcFs {
  const pageSize = getconf('PAGESIZE', 4096)
  const ticksPerSecond = getconf('CLK_TCK', 100)
  return {
    ticksPerSecond,
    list () {
      const samples: ProcessSample[] = []
      let entries: string[]
      try {
        entries = readdirSync(root)
      } catch {
        return samples // not Linux: CPU and memory are reported as null
      }
      for (const entry of entries) {
        if (!/^\d+$/.test(entry)) continue
        try {
          samples.push(parseProcStat(readFileSync(`${root}/${entry}/stat`, 'utf8'), pageSize))
        } catch {} // exited between readdir and read
      }
      return samples
    }
  }
}

/** The root and every descendant of it in one listing. */
export function processTree (samples: readonly ProcessSample[], root: number): ProcessSample[] {
  const children = new Map<number, ProcessSample[]>()
  let rootSample: ProcessSample | undefined
  for (const s of samples) {
    if (s.pid === root) rootSample = s
    const list = children.get(s.ppid)
    if (list === undefined) children.set(s.ppid, [s])
    else list.push(s)
  }
  if (rootSample === undefined) return []
  const tree: ProcessSample[] = []
  const queue = [rootSample]
  while (queue.length > 0) {
    const next = queue.pop()!
    tree.push(next)
    queue.push(...(children.get(next.pid) ?? []))
  }
  return tree
}

export interface TreeUsage {
  /** CPU seconds (user + system) the tree used between the two listings. */
  cpuSeconds: number
  /** RSS of the tree at the second listing. */
  rssBytes: number
  processes: number
}

/**
 * CPU used by a tree between two listings: per pid, the growth of utime+stime; a process
 * that appeared counts from 0. A process that exited in between is lost (its time moves to
 * its parent's cutime only when reaped): workers do not exit during a run.
 */
export function treeUsage (before: readonly ProcessSample[], after: readonly ProcessSample[], root: number, ticksPerSecond: number): TreeUsage | null {
  const now = processTree(after, root)
  if (now.length === 0) return null
  const then = new Map(processTree(before, root).map((s) => [s.pid, s.cpuTicks]))
  let ticks = 0
  let rss = 0
  for (const s of now) {
    ticks += Math.max(0, s.cpuTicks - (then.get(s.pid) ?? 0))
    rss += s.rssBytes
  }
  return { cpuSeconds: ticks / ticksPerSecond, rssBytes: rss, processes: now.length }
}

/** RSS of a tree in one listing (peak tracking during a run). */
export function treeRss (samples: readonly ProcessSample[], root: number): number {
  return processTree(samples, root).reduce((sum, s) => sum + s.rssBytes, 0)
}
