// The V8 sampling heap profile (`.heapprofile`, from HeapProfiler.stopSampling or
// `node --heap-prof`): a tree of allocation stacks with the bytes sampled at each. Summarized
// into the top allocation sites — what allocates, not what is retained. V8 records each sample's
// stack of *functions* (call frames without a current line), so a site is a function: there is
// no per-line allocation record to be had from it, unlike the CPU profile's positionTicks.
import { codeOrigin, shortLocation, type CodeOrigin } from './code-origin.js'
import type { CallFrame } from './cpu-profile.js'
import { createTypeScriptLocator, type TypeScriptLocator } from './typescript-location.js'

export interface HeapProfileNode {
  callFrame: CallFrame
  /** Bytes sampled with this frame on top. */
  selfSize: number
  id: number
  children: HeapProfileNode[]
}

export interface HeapProfile {
  head: HeapProfileNode
  samples?: Array<{ size: number, nodeId: number, ordinal: number }>
}

export interface AllocationSite {
  name: string
  /** The built script's file:line of the function's start, as V8 names it. */
  location: string
  /** Our code: the function's TypeScript file:line (source-mapped); null elsewhere or unmapped. */
  source: string | null
  origin: CodeOrigin
  /** Sampled bytes allocated by the function itself. */
  selfBytes: number
  /** Sampled bytes allocated with the function on the stack (once per stack). */
  totalBytes: number
  selfShare: number
}

export interface HeapSummary {
  totalBytes: number
  /** By self bytes, most first. */
  sites: AllocationSite[]
}

export function parseHeapProfile (json: string, source = 'profile'): HeapProfile {
  const profile = JSON.parse(json) as Partial<HeapProfile>
  if (typeof profile.head !== 'object' || profile.head === null || !Array.isArray(profile.head.children)) {
    throw new TypeError(`${source}: expected a .heapprofile with a head node`)
  }
  return profile as HeapProfile
}

export interface HeapSummaryOptions {
  /** Paths print relative to it; our scripts map onto its dist/. @default process.cwd() */
  root?: string
  /** Maps a frame to its TypeScript file:line. @default source maps under root, each built line checked to still hold its function */
  typescript?: TypeScriptLocator
}

export function summarizeHeapProfile (profile: HeapProfile, { root = process.cwd(), typescript }: HeapSummaryOptions = {}): HeapSummary {
  const locate = typescript ?? createTypeScriptLocator({ root })
  const sites = new Map<string, AllocationSite>()
  let totalBytes = 0
  // Iterative walk with the path's distinct sites, so deep stacks and recursion are safe.
  const stack: Array<{ node: HeapProfileNode, path: AllocationSite[] }> = [{ node: profile.head, path: [] }]
  while (stack.length > 0) {
    const { node, path } = stack.pop()!
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    const key = `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`
    let site = sites.get(key)
    if (site === undefined) {
      const origin = codeOrigin(url, functionName)
      site = {
        name: functionName === '' ? '(anonymous)' : functionName,
        location: shortLocation(url, lineNumber, root),
        source: origin === 'own' ? locate(url, lineNumber, columnNumber, functionName) : null,
        origin,
        selfBytes: 0,
        totalBytes: 0,
        selfShare: 0
      }
      sites.set(key, site)
    }
    const here = path.includes(site) ? path : [...path, site]
    site.selfBytes += node.selfSize
    totalBytes += node.selfSize
    if (node.selfSize > 0) for (const s of here) s.totalBytes += node.selfSize
    for (const child of node.children) stack.push({ node: child, path: here })
  }
  const list = [...sites.values()].filter((site) => site.totalBytes > 0 && site.name !== '(root)')
  for (const site of list) site.selfShare = totalBytes > 0 ? site.selfBytes / totalBytes : 0
  list.sort((a, b) => b.selfBytes - a.selfBytes || b.totalBytes - a.totalBytes)
  return { totalBytes, sites: list }
}
