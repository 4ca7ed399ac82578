// The V8 CPU profile format (`.cpuprofile`, what `node --cpu-prof`, the inspector's
// Profiler.stop and Chrome DevTools use), read and checked once, then walked by the
// summarizer and the flame graph.
import { readFile } from 'node:fs/promises'

export interface CallFrame {
  functionName: string
  /** Script URL: `file:///…`, `node:…`, or '' for V8's own entries. */
  url: string
  /** 0-based. */
  lineNumber: number
  /** 0-based. */
  columnNumber: number
  scriptId?: string | number
}

/** Samples of a node on one line of its script: V8's per-line attribution of the node's self samples. */
export interface PositionTick {
  /** 1-based line of the script (unlike CallFrame's 0-based lineNumber). */
  line: number
  ticks: number
}

export interface CpuProfileNode {
  id: number
  callFrame: CallFrame
  hitCount?: number
  children?: number[]
  /** Where in the function its self samples were, line by line (absent when none). */
  positionTicks?: PositionTick[]
}

export interface CpuProfile {
  nodes: CpuProfileNode[]
  /** µs, monotonic. */
  startTime: number
  endTime: number
  /** Node id of each sample. */
  samples: number[]
  /** µs between consecutive samples; the first is from startTime. */
  timeDeltas: number[]
}

/** Checks the shape a summary relies on, with a message that says what is wrong. */
export function parseCpuProfile (json: string, source = 'profile'): CpuProfile {
  const profile = JSON.parse(json) as Partial<CpuProfile>
  if (!Array.isArray(profile.nodes) || profile.nodes.length === 0) throw new TypeError(`${source}: expected a .cpuprofile with nodes`)
  if (!Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas)) throw new TypeError(`${source}: expected samples and timeDeltas`)
  if (profile.samples.length !== profile.timeDeltas.length) {
    throw new TypeError(`${source}: expected as many timeDeltas (${profile.timeDeltas.length}) as samples (${profile.samples.length})`)
  }
  return profile as CpuProfile
}

/**
 * One function's identity: the nodes of a function (one per distinct stack it ran on) share
 * its call frame. The summary, the line view and the flame graph agree on it through this key.
 */
export const frameKey = ({ functionName, url, lineNumber, columnNumber }: CallFrame): string =>
  `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`

export async function readCpuProfile (path: string): Promise<CpuProfile> {
  return parseCpuProfile(await readFile(path, 'utf8'), path)
}

/**
 * Time each sample stands for, µs: the gap to the next sample (as DevTools counts it); the
 * last sample gets the gap to endTime, or the mean gap when that is not positive.
 */
export function sampleDurations (profile: CpuProfile): Float64Array {
  const { samples, timeDeltas, endTime, startTime } = profile
  const n = samples.length
  const durations = new Float64Array(n)
  let elapsed = 0
  for (let i = 0; i < n; i++) elapsed += timeDeltas[i]!
  for (let i = 0; i + 1 < n; i++) durations[i] = Math.max(0, timeDeltas[i + 1]!)
  if (n > 0) {
    const tail = endTime - (startTime + elapsed)
    durations[n - 1] = tail > 0 ? tail : n > 1 ? elapsed / n : 0
  }
  return durations
}

/**
 * The mean time one sample stands for, µs: the sampled duration (the same per-sample durations
 * as the tables, so startTime to endTime in practice) over the number of samples. The line view
 * needs it: V8's per-line counts (positionTicks) carry no timestamps, only counts.
 */
export function meanSampleIntervalUs (profile: CpuProfile): number {
  const n = profile.samples.length
  if (n === 0) return 0
  let total = 0
  for (const us of sampleDurations(profile)) total += us
  return total / n
}

/** Each node's parent (its index in `nodes`, -1 for the root): V8 lists only children. */
export function parentIndexes (nodes: readonly CpuProfileNode[]): Int32Array {
  const index = new Map<number, number>()
  for (let i = 0; i < nodes.length; i++) index.set(nodes[i]!.id, i)
  const parent = new Int32Array(nodes.length).fill(-1)
  for (let i = 0; i < nodes.length; i++) {
    for (const child of nodes[i]!.children ?? []) {
      const c = index.get(child)
      if (c !== undefined) parent[c] = i
    }
  }
  return parent
}

/** Whether node i, or one of its callers, is a frame `isMarked` accepts (a memoized walk up). */
export function underFrame (nodes: readonly CpuProfileNode[], parent: Int32Array, isMarked: (url: string) => boolean): (i: number) => boolean {
  const marked = new Int8Array(nodes.length).fill(-1)
  return (i) => {
    const path: number[] = []
    let n = i
    while (n !== -1 && marked[n] === -1) {
      if (isMarked(nodes[n]!.callFrame.url)) { marked[n] = 1; break }
      path.push(n)
      n = parent[n]!
    }
    const value = n === -1 ? 0 : marked[n]!
    for (const p of path) marked[p] = value
    return value === 1
  }
}
