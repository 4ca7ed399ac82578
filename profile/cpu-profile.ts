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

export interface CpuProfileNode {
  id: number
  callFrame: CallFrame
  hitCount?: number
  children?: number[]
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
