// What /proc says about one process: its resident memory (VmRSS, and RssAnon — the anonymous
// part, where V8's heap and native allocations live) and its open descriptors, sockets among them.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

export interface ProcessMemory {
  rssBytes: number
  /** RssAnon: resident anonymous memory (V8 heap, Buffers, malloc), without the mapped binary and libraries. */
  anonBytes: number
}

export interface Descriptors {
  fds: number
  /** Descriptors whose link is `socket:[inode]`. */
  sockets: number
}

/** Parses /proc/<pid>/status (kB fields, see proc(5)). */
export function parseStatus (text: string): ProcessMemory & { ppid: number, name: string } {
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim()
  const kb = (name: string): number => {
    const raw = field(name)
    const match = raw === undefined ? null : /^(\d+)\s*kB$/.exec(raw)
    if (match === null) throw new SyntaxError(`/proc status without ${name}`)
    return Number(match[1]) * 1024
  }
  return { name: field('Name') ?? '', ppid: Number(field('PPid')), rssBytes: kb('VmRSS'), anonBytes: kb('RssAnon') }
}

export interface ProcReader {
  /** null when the process is gone (or not readable). */
  memory (pid: number): ProcessMemory | null
  descriptors (pid: number): Descriptors | null
  /** Direct children of `pid`, ascending. */
  children (pid: number): number[]
}

export function createProcReader (root = '/proc'): ProcReader {
  return {
    memory (pid) {
      try {
        return parseStatus(readFileSync(`${root}/${pid}/status`, 'utf8'))
      } catch {
        return null
      }
    },
    descriptors (pid) {
      let entries: string[]
      try {
        entries = readdirSync(`${root}/${pid}/fd`)
      } catch {
        return null
      }
      let sockets = 0
      for (const fd of entries) {
        try {
          if (readlinkSync(`${root}/${pid}/fd/${fd}`).startsWith('socket:')) sockets++
        } catch {} // closed between readdir and readlink
      }
      return { fds: entries.length, sockets }
    },
    children (pid) {
      // /proc/<pid>/task/<tid>/children lists each thread's children (CONFIG_PROC_CHILDREN); the
      // scan of every /proc/<n>/stat is the fallback.
      try {
        const found = new Set<number>()
        for (const tid of readdirSync(`${root}/${pid}/task`)) {
          for (const child of readFileSync(`${root}/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
            if (child !== '') found.add(Number(child))
          }
        }
        return [...found].sort((a, b) => a - b)
      } catch {}
      const found: number[] = []
      for (const entry of safeReaddir(root)) {
        if (!/^\d+$/.test(entry)) continue
        try {
          const stat = readFileSync(`${root}/${entry}/stat`, 'utf8')
          // Fields after the parenthesised name: state, ppid, …
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry))
        } catch {}
      }
      return found.sort((a, b) => a - b)
    }
  }
}

function safeReaddir (dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
