// A V8 heap snapshot (`.heapsnapshot`: v8.writeHeapSnapshot, DevTools' Memory tab) → what holds
// the memory: each object's retained size (the bytes freed if it went: its own and those of every
// object only it keeps alive), grouped by constructor as DevTools' Summary view groups them.
// Retained sizes come from the dominator tree (an object's immediate dominator is the last object
// every path from the GC roots to it passes through), computed with the iterative algorithm of
// Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (2001), over the snapshot's own
// flat node and edge arrays. As DevTools does (HeapSnapshot.ts, isEssentialEdge): weak edges do
// not retain, shortcut edges count only from the root, and an object reachable through none of
// the remaining edges is taken as held by the root (one with no such retainer at all first, then
// any left, e.g. a cycle only weak references reach).

export interface HeapGraph {
  nodeCount: number
  /** Node type of each node (an index into nodeTypes). */
  type: Uint8Array
  /** Index into strings of each node's name. */
  name: Uint32Array
  selfSize: Float64Array
  /** V8's object id of each node (stable across snapshots of one process). */
  id: Float64Array
  /** Edges of node i are firstEdge[i] … firstEdge[i + 1] - 1. */
  firstEdge: Uint32Array
  edgeType: Uint8Array
  /** Node index (not array offset) each edge points to. */
  edgeTo: Uint32Array
  nodeTypes: readonly string[]
  edgeTypes: readonly string[]
  strings: readonly string[]
}

interface SnapshotJson {
  snapshot?: { meta?: { node_fields?: string[], node_types?: unknown[], edge_fields?: string[], edge_types?: unknown[] } }
  nodes?: number[]
  edges?: number[]
  strings?: string[]
}

/** Reads the snapshot's JSON and checks the shape everything below relies on, naming `source` when it is not. */
export function parseHeapSnapshot (json: string, source = 'snapshot'): HeapGraph {
  let parsed: SnapshotJson
  try {
    parsed = JSON.parse(json) as SnapshotJson
  } catch (err) {
    throw new TypeError(`${source}: not JSON (${(err as Error).message})`)
  }
  const meta = parsed.snapshot?.meta
  const { nodes, edges, strings } = parsed
  if (meta === undefined || !Array.isArray(nodes) || !Array.isArray(edges) || !Array.isArray(strings)) {
    throw new TypeError(`${source}: expected a .heapsnapshot (snapshot.meta, nodes, edges, strings)`)
  }
  const nodeFields = meta.node_fields ?? []
  const edgeFields = meta.edge_fields ?? []
  const field = (fields: string[], name: string): number => {
    const i = fields.indexOf(name)
    if (i < 0) throw new TypeError(`${source}: the snapshot's meta has no ${name} field`)
    return i
  }
  const nodeTypes = meta.node_types?.[field(nodeFields, 'type')]
  const edgeTypes = meta.edge_types?.[field(edgeFields, 'type')]
  if (!Array.isArray(nodeTypes) || !Array.isArray(edgeTypes)) throw new TypeError(`${source}: expected the node and edge type names in meta`)
  const nf = nodeFields.length
  const ef = edgeFields.length
  const [typeAt, nameAt, idAt, sizeAt, countAt] = ['type', 'name', 'id', 'self_size', 'edge_count']
    .map((name) => field(nodeFields, name)) as [number, number, number, number, number]
  const [edgeTypeAt, toAt] = [field(edgeFields, 'type'), field(edgeFields, 'to_node')]
  if (nodes.length % nf !== 0 || edges.length % ef !== 0) throw new TypeError(`${source}: the node or edge array is not a whole number of records`)
  const nodeCount = nodes.length / nf
  const edgeCount = edges.length / ef
  if (nodeCount === 0) throw new TypeError(`${source}: no nodes`)
  const graph: HeapGraph = {
    nodeCount,
    type: new Uint8Array(nodeCount),
    name: new Uint32Array(nodeCount),
    selfSize: new Float64Array(nodeCount),
    id: new Float64Array(nodeCount),
    firstEdge: new Uint32Array(nodeCount + 1),
    edgeType: new Uint8Array(edgeCount),
    edgeTo: new Uint32Array(edgeCount),
    nodeTypes: nodeTypes as string[],
    edgeTypes: edgeTypes as string[],
    strings
  }
  let edge = 0
  for (let i = 0; i < nodeCount; i++) {
    const at = i * nf
    graph.type[i] = nodes[at + typeAt]!
    graph.name[i] = nodes[at + nameAt]!
    graph.id[i] = nodes[at + idAt]!
    graph.selfSize[i] = nodes[at + sizeAt]!
    graph.firstEdge[i] = edge
    edge += nodes[at + countAt]!
  }
  graph.firstEdge[nodeCount] = edge
  if (edge !== edgeCount) throw new TypeError(`${source}: the nodes' edge counts add up to ${edge}, the edge array holds ${edgeCount}`)
  for (let e = 0; e < edgeCount; e++) {
    const to = edges[e * ef + toAt]!
    if (to % nf !== 0 || to >= nodes.length) throw new TypeError(`${source}: edge ${e} points at ${to}, not at a node`)
    graph.edgeType[e] = edges[e * ef + edgeTypeAt]!
    graph.edgeTo[e] = to / nf
  }
  return graph
}

export interface Dominators {
  /** Immediate dominator of each node (the root's is itself). */
  idom: Uint32Array
  /** Bytes each node retains: its own and those of the nodes it dominates. */
  retained: Float64Array
  /** Nodes no essential edge reaches (held by the root, as DevTools takes them). */
  unreachable: number
  /** 1 for the nodes given an implied edge from the root (the way into what no essential edge reaches). */
  viaRoot: Uint8Array
  /** Passes the iteration took to settle. */
  passes: number
}

/** The root is node 0, as in every V8 snapshot. */
export function dominators (graph: HeapGraph): Dominators {
  const { nodeCount: n, firstEdge, edgeTo, edgeType, edgeTypes } = graph
  const weak = edgeTypes.indexOf('weak')
  const shortcut = edgeTypes.indexOf('shortcut')
  const essential = (from: number, e: number): boolean => {
    const t = edgeType[e]
    return t !== weak && (t !== shortcut || from === 0)
  }

  // 1. Post order by an iterative depth-first search from the root over essential edges. Nodes
  // it misses become children of the root after its own edges (DevTools does the same): first
  // those no essential edge points to, then whatever is still left.
  const retainedByEdge = new Uint8Array(n)
  for (let v = 0; v < n; v++) for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) if (essential(v, e)) retainedByEdge[edgeTo[e]!] = 1
  const NONE = 0xffffffff
  const post = new Uint32Array(n).fill(NONE) // node → post-order number
  const order = new Uint32Array(n) // post-order number → node
  const stackNode = new Uint32Array(n)
  const stackEdge = new Uint32Array(n)
  const viaRoot = new Uint8Array(n) // reached only through the implied root edge
  const seen = new Uint8Array(n)
  let top = 0
  let count = 0
  let nextOrphan = 1
  let nextUnseen = 1
  let seenCount = 1
  // Nodes seen before the first implied root edge: those the essential edges reach.
  let reachable = -1
  stackNode[0] = 0
  stackEdge[0] = firstEdge[0]!
  seen[0] = 1
  while (top >= 0) {
    const v = stackNode[top]!
    const e = stackEdge[top]!
    if (e < firstEdge[v + 1]!) {
      stackEdge[top] = e + 1
      const w = edgeTo[e]!
      if (seen[w] === 0 && essential(v, e)) {
        seen[w] = 1
        seenCount++
        top++
        stackNode[top] = w
        stackEdge[top] = firstEdge[w]!
      }
      continue
    }
    if (v === 0) {
      while (nextOrphan < n && (seen[nextOrphan] === 1 || retainedByEdge[nextOrphan] === 1)) nextOrphan++
      if (nextOrphan >= n) while (nextUnseen < n && seen[nextUnseen] === 1) nextUnseen++
      const w = nextOrphan < n ? nextOrphan : nextUnseen
      if (w < n) {
        if (reachable < 0) reachable = seenCount
        seen[w] = 1
        seenCount++
        viaRoot[w] = 1
        top++
        stackNode[top] = w
        stackEdge[top] = firstEdge[w]!
        continue
      }
    }
    post[v] = count
    order[count++] = v
    top--
  }

  // 2. Predecessors of each node, in post-order numbers (essential edges, and the implied root edges).
  const predCount = new Uint32Array(n + 1)
  for (let v = 0; v < n; v++) {
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) if (essential(v, e)) predCount[post[edgeTo[e]!]! + 1]!++
    if (viaRoot[v] === 1) predCount[post[v]! + 1]!++
  }
  for (let i = 0; i < n; i++) predCount[i + 1]! += predCount[i]!
  const predStart = predCount.slice()
  const preds = new Uint32Array(predCount[n]!)
  const rootPost = n - 1
  for (let v = 0; v < n; v++) {
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) if (essential(v, e)) preds[predStart[post[edgeTo[e]!]!]!++] = post[v]!
    if (viaRoot[v] === 1) preds[predStart[post[v]!]!++] = rootPost
  }

  // 3. Cooper–Harvey–Kennedy: in reverse post order, intersect the processed predecessors'
  // dominators until nothing changes. Post-order numbers make "intersect" a walk up two chains.
  const dom = new Int32Array(n).fill(-1)
  dom[rootPost] = rootPost
  let passes = 0
  for (let changed = true; changed;) {
    changed = false
    passes++
    if (passes > 10_000) throw new Error('the dominator iteration did not settle')
    for (let b = rootPost - 1; b >= 0; b--) {
      let idom = -1
      for (let p = predCount[b]!; p < predCount[b + 1]!; p++) {
        let x = preds[p]!
        if (dom[x] === -1) continue
        if (idom === -1) {
          idom = x
          continue
        }
        let y = idom
        while (x !== y) {
          while (x < y) x = dom[x]!
          while (y < x) y = dom[y]!
        }
        idom = x
      }
      if (idom !== -1 && dom[b] !== idom) {
        dom[b] = idom
        changed = true
      }
    }
  }

  // 4. Retained sizes: a dominator always comes later in post order than what it dominates, so
  // one pass in post order adds each node's total into its dominator's after the node is complete.
  const retainedPost = new Float64Array(n)
  for (let i = 0; i < n; i++) retainedPost[i] = graph.selfSize[order[i]!]!
  for (let i = 0; i < rootPost; i++) retainedPost[dom[i]!]! += retainedPost[i]!
  const idom = new Uint32Array(n)
  const retained = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    idom[order[i]!] = order[dom[i]!]!
    retained[order[i]!] = retainedPost[i]!
  }
  return { idom, retained, unreachable: reachable < 0 ? 0 : n - reachable, viaRoot, passes }
}

/** The name DevTools' Summary groups a node under: the constructor for objects, "(type)" for the rest. */
export function constructorName (graph: HeapGraph, node: number): string {
  const type = graph.nodeTypes[graph.type[node]!] ?? 'unknown'
  switch (type) {
    case 'object':
    case 'native': return graph.strings[graph.name[node]!] ?? '(unnamed)'
    case 'hidden': return '(system)'
    case 'code': return '(compiled code)'
    case 'string':
    case 'concatenated string':
    case 'sliced string': return '(string)'
    default: return `(${type})`
  }
}

export interface ConstructorStat {
  name: string
  count: number
  /** Sum of the objects' own sizes. */
  shallowBytes: number
  /** What freeing them all would free: the retained sizes of those not dominated by another of the same constructor. */
  retainedBytes: number
}

export interface RetainerSummary {
  nodeCount: number
  edgeCount: number
  /** All nodes' own sizes: the root's retained size. */
  totalBytes: number
  unreachable: number
  /** By retained size, largest first; V8's synthetic nodes (the root, "(GC roots)") left out. */
  constructors: ConstructorStat[]
}

export function summarizeRetainers (graph: HeapGraph, dom: Dominators = dominators(graph)): RetainerSummary {
  const n = graph.nodeCount
  const synthetic = graph.nodeTypes.indexOf('synthetic')
  const classOf = new Uint32Array(n)
  const classes: ConstructorStat[] = []
  const byName = new Map<string, number>()
  for (let v = 0; v < n; v++) {
    const name = constructorName(graph, v)
    let c = byName.get(name)
    if (c === undefined) {
      c = classes.length
      byName.set(name, c)
      classes.push({ name, count: 0, shallowBytes: 0, retainedBytes: 0 })
    }
    classOf[v] = c
    if (graph.type[v] !== synthetic) {
      classes[c]!.count++
      classes[c]!.shallowBytes += graph.selfSize[v]!
    }
  }
  // The dominator tree's children lists, then a walk down it counting, per constructor, how many
  // of the current node's dominators are of that constructor: a node adds its retained size to
  // its constructor only when none is (else a dominator of the same constructor already counts it).
  const childStart = new Uint32Array(n + 1)
  for (let v = 1; v < n; v++) childStart[dom.idom[v]! + 1]!++
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!
  const fill = childStart.slice()
  const children = new Uint32Array(Math.max(0, n - 1))
  for (let v = 1; v < n; v++) children[fill[dom.idom[v]!]!++] = v
  const onPath = new Uint32Array(classes.length)
  const stackNode = new Uint32Array(n)
  const stackChild = new Uint32Array(n)
  let top = 0
  stackNode[0] = 0
  stackChild[0] = childStart[0]!
  onPath[classOf[0]!]!++
  while (top >= 0) {
    const v = stackNode[top]!
    const next = stackChild[top]!
    if (next < childStart[v + 1]!) {
      stackChild[top] = next + 1
      const w = children[next]!
      const c = classOf[w]!
      if (onPath[c] === 0 && graph.type[w] !== synthetic) classes[c]!.retainedBytes += dom.retained[w]!
      onPath[c]!++
      top++
      stackNode[top] = w
      stackChild[top] = childStart[w]!
      continue
    }
    onPath[classOf[v]!]!--
    top--
  }
  const constructors = classes
    .filter((c) => c.count > 0)
    .sort((a, b) => b.retainedBytes - a.retainedBytes || b.shallowBytes - a.shallowBytes || a.name.localeCompare(b.name))
  return { nodeCount: n, edgeCount: graph.edgeTo.length, totalBytes: dom.retained[0]!, unreachable: dom.unreachable, constructors }
}
