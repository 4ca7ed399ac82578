// A CPU profile → per-function self and total time: the Node analogue of cProfile's tottime
// (self: samples whose top frame is the function) and cumtime (total: samples with the
// function anywhere on the stack, counted once per stack so recursion does not inflate it).
import { codeOrigin, shortLocation, CODE_ORIGINS, type CodeOrigin } from './code-origin.js'
import { frameKey, parentIndexes, sampleDurations, underFrame, type CpuProfile } from './cpu-profile.js'

export interface FunctionStat {
  /** The call frame's identity (frameKey): finds the function's nodes again, e.g. for its line view. */
  key: string
  /** The function's name, `(anonymous)` when it has none. */
  name: string
  /** `path:line` (1-based), relative to the project root or to node_modules. */
  location: string
  url: string
  /** 1-based, 0 when unknown. */
  line: number
  origin: CodeOrigin
  /** Time with this function on top of the stack, µs. */
  selfUs: number
  /** Time with this function anywhere on the stack, µs. */
  totalUs: number
  selfSamples: number
  totalSamples: number
  /** selfUs / the profile's duration, 0..1. */
  selfShare: number
  totalShare: number
}

export interface CpuSummary {
  /** Sum of the samples' durations, µs. */
  durationUs: number
  samples: number
  /** V8's bookkeeping entries, µs: waiting for events, GC, unattributed native work. */
  idleUs: number
  gcUs: number
  programUs: number
  /** Self time by whose code ran. */
  byOrigin: Record<CodeOrigin, { selfUs: number, share: number }>
  /** Every function that was sampled, by self time, most first. */
  functions: FunctionStat[]
}

export interface SummarizeOptions {
  /** Paths under it print relative to it. @default process.cwd() */
  root?: string
  /** Frames of the profiler itself: a sample with one on its stack is the profiler's work (its
   * sampler, the inspector call that stops it), credited to one "(profiler)" entry, not to the
   * functions under it. @default our src/profile-agent/ code and node:inspector */
  isProfilerFrame?: (url: string) => boolean
}

/** The in-process profiler's own code: src/profile-agent/ (built or not) and Node's inspector API. */
export const isOwnProfilerFrame = (url: string): boolean => url === 'node:inspector' || /\/src\/profile-agent\/[^/]+\.[jt]s$/.test(url)

const PROFILER_ENTRY = '(profiler)'

export function summarizeCpuProfile (profile: CpuProfile, { root = process.cwd(), isProfilerFrame = isOwnProfilerFrame }: SummarizeOptions = {}): CpuSummary {
  const { nodes, samples } = profile
  const index = new Map<number, number>()
  for (let i = 0; i < nodes.length; i++) index.set(nodes[i]!.id, i)
  const parent = parentIndexes(nodes)

  // One FunctionStat per distinct call frame; nodes of the same function share it.
  const functions: FunctionStat[] = []
  const byKey = new Map<string, number>()
  const fnOf = new Int32Array(nodes.length)
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    const key = frameKey(node.callFrame)
    let f = byKey.get(key)
    if (f === undefined) {
      const { functionName, url, lineNumber } = node.callFrame
      f = functions.length
      byKey.set(key, f)
      functions.push({
        key,
        name: functionName === '' ? '(anonymous)' : functionName,
        location: shortLocation(url, lineNumber, root),
        url,
        line: lineNumber >= 0 ? lineNumber + 1 : 0,
        origin: codeOrigin(url, functionName),
        selfUs: 0,
        totalUs: 0,
        selfSamples: 0,
        totalSamples: 0,
        selfShare: 0,
        totalShare: 0
      })
    }
    fnOf[i] = f
  }

  // True when the node or one of its callers is the profiler's.
  const isProfiling = underFrame(nodes, parent, isProfilerFrame)
  let profilerUs = 0
  let profilerSamples = 0

  const durations = sampleDurations(profile)
  const nodeSelfUs = new Float64Array(nodes.length)
  const nodeSelfSamples = new Uint32Array(nodes.length)
  let durationUs = 0
  for (let s = 0; s < samples.length; s++) {
    const i = index.get(samples[s]!)
    if (i === undefined) continue
    durationUs += durations[s]!
    if (isProfiling(i)) {
      profilerUs += durations[s]!
      profilerSamples++
      continue
    }
    nodeSelfUs[i]! += durations[s]!
    nodeSelfSamples[i]!++
  }
  if (profilerSamples > 0) {
    functions.push({
      key: PROFILER_ENTRY,
      name: PROFILER_ENTRY,
      location: '',
      url: '',
      line: 0,
      origin: 'v8',
      selfUs: profilerUs,
      totalUs: profilerUs,
      selfSamples: profilerSamples,
      totalSamples: profilerSamples,
      selfShare: 0,
      totalShare: 0
    })
  }

  // Total: walk each sampled node's stack once, crediting each function at most once.
  const seenAt = new Int32Array(functions.length).fill(-1)
  for (let i = 0; i < nodes.length; i++) {
    if (nodeSelfSamples[i] === 0) continue
    const self = functions[fnOf[i]!]!
    self.selfUs += nodeSelfUs[i]!
    self.selfSamples += nodeSelfSamples[i]!
    for (let n = i; n !== -1; n = parent[n]!) {
      const f = fnOf[n]!
      if (seenAt[f] === i) continue
      seenAt[f] = i
      functions[f]!.totalUs += nodeSelfUs[i]!
      functions[f]!.totalSamples += nodeSelfSamples[i]!
    }
  }

  const byOrigin = Object.fromEntries(CODE_ORIGINS.map((origin) => [origin, { selfUs: 0, share: 0 }])) as CpuSummary['byOrigin']
  let idleUs = 0
  let gcUs = 0
  let programUs = 0
  for (const fn of functions) {
    fn.selfShare = durationUs > 0 ? fn.selfUs / durationUs : 0
    fn.totalShare = durationUs > 0 ? fn.totalUs / durationUs : 0
    if (fn.origin === 'v8') {
      if (fn.name === '(idle)') idleUs += fn.selfUs
      else if (fn.name === '(garbage collector)') gcUs += fn.selfUs
      else if (fn.name === '(program)') programUs += fn.selfUs
    }
    byOrigin[fn.origin].selfUs += fn.selfUs
  }
  for (const origin of CODE_ORIGINS) byOrigin[origin].share = durationUs > 0 ? byOrigin[origin].selfUs / durationUs : 0

  const sampled = functions.filter((fn) => fn.totalSamples > 0 && fn.name !== '(root)')
  sampled.sort((a, b) => b.selfUs - a.selfUs || b.totalUs - a.totalUs)
  return { durationUs, samples: samples.length, idleUs, gcUs, programUs, byOrigin, functions: sampled }
}

/** The top `limit` functions by self or by total time; V8's bookkeeping entries left out unless asked. */
export function topFunctions (summary: CpuSummary, by: 'self' | 'total', { limit = 15, includeV8 = false } = {}): FunctionStat[] {
  const list = summary.functions.filter((fn) => includeV8 || fn.origin !== 'v8')
  if (by === 'total') list.sort((a, b) => b.totalUs - a.totalUs || b.selfUs - a.selfUs)
  return list.slice(0, limit)
}
