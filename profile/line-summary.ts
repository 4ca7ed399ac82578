// A CPU profile → self samples per line of each function, as the script ran (the built .js):
// the raw material of the line view (kernprof -l). V8 splits a node's self samples by line in
// `positionTicks`; a function runs on many nodes (one per distinct stack), so its lines add up
// over all of them. Mapping the lines back to TypeScript is another step (annotated-source.ts).
import { frameKey, type CallFrame, type CpuProfile } from './cpu-profile.js'
import { isOwnProfilerFrame } from './cpu-summary.js'

export interface FunctionLineTicks {
  callFrame: CallFrame
  /** Self samples per 1-based line of the script. */
  ticks: Map<number, number>
  /** Their sum. */
  samples: number
}

export interface LineTicksOptions {
  /** Frames of the profiler itself; stacks through one are left out, as the summary leaves them
   * out of every function's self time. @default our src/profile-agent/ code and node:inspector */
  isProfilerFrame?: (url: string) => boolean
}

/** Line ticks of every function that has any, by frameKey. */
export function lineTicks (profile: CpuProfile, { isProfilerFrame = isOwnProfilerFrame }: LineTicksOptions = {}): Map<string, FunctionLineTicks> {
  const { nodes } = profile
  const index = new Map<number, number>()
  for (let i = 0; i < nodes.length; i++) index.set(nodes[i]!.id, i)
  const parent = new Int32Array(nodes.length).fill(-1)
  for (let i = 0; i < nodes.length; i++) {
    for (const child of nodes[i]!.children ?? []) {
      const c = index.get(child)
      if (c !== undefined) parent[c] = i
    }
  }
  // 1 when the node or a caller is the profiler's (memoized walk up, as in the summary).
  const profiling = new Int8Array(nodes.length).fill(-1)
  const isProfiling = (i: number): boolean => {
    const path: number[] = []
    let n = i
    while (n !== -1 && profiling[n] === -1) {
      if (isProfilerFrame(nodes[n]!.callFrame.url)) { profiling[n] = 1; break }
      path.push(n)
      n = parent[n]!
    }
    const value = n === -1 ? 0 : profiling[n]!
    for (const p of path) profiling[p] = value
    return value === 1
  }

  const byFunction = new Map<string, FunctionLineTicks>()
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    const ticks = node.positionTicks ?? []
    if (ticks.length === 0 || isProfiling(i)) continue
    const key = frameKey(node.callFrame)
    let entry = byFunction.get(key)
    if (entry === undefined) {
      entry = { callFrame: node.callFrame, ticks: new Map(), samples: 0 }
      byFunction.set(key, entry)
    }
    for (const { line, ticks: n } of ticks) {
      if (!(n > 0) || !(line >= 1)) continue
      entry.ticks.set(line, (entry.ticks.get(line) ?? 0) + n)
      entry.samples += n
    }
  }
  for (const [key, entry] of byFunction) if (entry.samples === 0) byFunction.delete(key)
  return byFunction
}
