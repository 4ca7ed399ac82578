// Process-group bookkeeping for the stack's children. Each child is spawned `detached`, so it
// leads a group of its own that takes its descendants (cluster workers, nginx workers) with it.
// Liveness reads /proc where it exists: a zombie whose parent is gone may never be reaped in a
// container without an init, and `kill(pid, 0)` would still call it alive.
import { readdirSync, readFileSync } from 'node:fs'

interface ProcStat { pid: number, ppid: number, pgid: number, state: string }

function readStat (pid: number): ProcStat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses: cut at the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]) }
}

const HAS_PROC = process.platform === 'linux'

function allStats (): ProcStat[] {
  const stats: ProcStat[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat !== undefined) stats.push(stat)
  }
  return stats
}

/** Whether a process exists and is not a zombie. */
export function isAlive (pid: number): boolean {
  if (HAS_PROC) {
    const stat = readStat(pid)
    return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X'
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Live (non-zombie) members of a process group. */
export function groupMembers (pgid: number): number[] {
  if (HAS_PROC) return allStats().filter((s) => s.pgid === pgid && s.state !== 'Z' && s.state !== 'X').map((s) => s.pid)
  try {
    process.kill(-pgid, 0)
    return [pgid]
  } catch {
    return []
  }
}

/** Live children of a process (e.g. a cluster primary's workers). */
export function childPids (ppid: number): number[] {
  if (!HAS_PROC) return []
  return allStats().filter((s) => s.ppid === ppid && s.state !== 'Z' && s.state !== 'X').map((s) => s.pid)
}

/** Signals every member of a group; a group already gone is not an error. */
export function signalGroup (pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

/** Resolves once no live member of the group is left, or false after timeoutMs. */
export async function waitForGroupExit (pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (groupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return true
}
