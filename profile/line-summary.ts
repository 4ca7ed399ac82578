// A CPU profile → self samples per line of each function, as the script ran (the built .js):
// the raw material of the line view (kernprof -l). V8 splits a node's self samples by line in
// `positionTicks`; a function runs on many nodes (one per distinct stack), so its lines add up
// over all of them. Mapping the lines back to TypeScript is another step (annotated-source.ts).
import { frameKey, parentIndexes, underFrame, type CallFrame, type CpuProfile } from './cpu-profile.js'
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
  // Stacks through the profiler are left out, as in the summary.
  const isProfiling = underFrame(nodes, parentIndexes(nodes), isProfilerFrame)

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
