// Retained sizes on a hand-made snapshot whose dominator tree is known: each of DevTools' edge
// rules (weak edges do not retain, shortcuts count only from the root) changes an answer here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constructorName, dominators, parseHeapSnapshot, summarizeRetainers } from '../../profile/heap-snapshot.js'
import { formatRetainers, readRetainers } from '../../profile/heap-snapshot-report.js'
import { summarizeProfileFile } from '../../profile/summarize-file.js'

const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string',
  'sliced string', 'symbol', 'bigint', 'object shape']
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak']

interface Node { type: string, name: string, size: number, edges: Array<[type: string, to: number]> }

/** A .heapsnapshot in V8's format (Node 20's field lists) from a readable list of nodes. */
function snapshotJson (nodes: readonly Node[]): string {
  const strings = ['']
  const str = (s: string): number => {
    const i = strings.indexOf(s)
    if (i >= 0) return i
    strings.push(s)
    return strings.length - 1
  }
  const flatNodes: number[] = []
  const flatEdges: number[] = []
  nodes.forEach((node, i) => {
    flatNodes.push(NODE_TYPES.indexOf(node.type), str(node.name), i * 2 + 1, node.size, node.edges.length, 0, 0)
    for (const [type, to] of node.edges) flatEdges.push(EDGE_TYPES.indexOf(type), str('p'), to * 7)
  })
  return JSON.stringify({
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
        node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [EDGE_TYPES, 'string_or_number', 'node']
      },
      node_count: nodes.length,
      edge_count: flatEdges.length / 3
    },
    nodes: flatNodes,
    edges: flatEdges,
    strings
  })
}

//   root ─→ A ─→ C ─→ D ┄shortcut┄→ G      A ┄weak┄→ E (nothing else reaches E)
//    │ │    │ └─→ F                        A ─→ A2 ─→ H (an A inside an A)
//    │ └─→ B ─→ C; B ─→ G
//    └┄shortcut┄→ F
const GRAPH: Node[] = [
  { type: 'synthetic', name: '', size: 0, edges: [['property', 1], ['property', 2], ['shortcut', 6]] },
  { type: 'object', name: 'A', size: 10, edges: [['property', 3], ['weak', 5], ['property', 6], ['property', 8]] },
  { type: 'object', name: 'B', size: 20, edges: [['property', 3], ['property', 7]] },
  { type: 'object', name: 'C', size: 30, edges: [['property', 4]] },
  { type: 'object', name: 'D', size: 40, edges: [['shortcut', 7]] },
  { type: 'object', name: 'E', size: 50, edges: [] },
  { type: 'object', name: 'F', size: 60, edges: [] },
  { type: 'object', name: 'G', size: 70, edges: [] },
  { type: 'object', name: 'A', size: 5, edges: [['property', 9]] },
  { type: 'object', name: 'H', size: 7, edges: [] }
]

test('dominators and retained sizes of a known graph: two paths share, weak does not retain, shortcuts only from the root', () => {
  const graph = parseHeapSnapshot(snapshotJson(GRAPH))
  assert.equal(graph.nodeCount, 10)
  const dom = dominators(graph)
  //                             root A  B  C  D  E  F  G  A2 H
  assert.deepEqual([...dom.idom], [0, 0, 0, 0, 3, 0, 0, 2, 1, 8])
  // C has two retainers (A, B): the root dominates it. E is only weakly held: the root holds it.
  // F is reached by the root's shortcut as well as from A: neither A nor anything else dominates it.
  // G is reached from B, and from D only by a shortcut that is not the root's: B retains it.
  assert.deepEqual([...dom.retained], [292, 22, 90, 70, 40, 50, 60, 70, 12, 7])
  assert.equal(dom.unreachable, 1)
  assert.deepEqual([...dom.viaRoot], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0])

  const summary = summarizeRetainers(graph, dom)
  assert.equal(summary.totalBytes, 292)
  const byName = Object.fromEntries(summary.constructors.map((c) => [c.name, [c.count, c.shallowBytes, c.retainedBytes]]))
  // The A inside an A is counted once: the group retains 22 bytes, not 22 + 12.
  assert.deepEqual(byName, {
    A: [2, 15, 22], B: [1, 20, 90], C: [1, 30, 70], D: [1, 40, 40], E: [1, 50, 50], F: [1, 60, 60], G: [1, 70, 70], H: [1, 7, 7]
  })
  // Largest retained first (a tie: the larger shallow first); no synthetic root.
  assert.deepEqual(summary.constructors.map((c) => c.name).slice(0, 3), ['B', 'G', 'C'])
})

test('the other orders of the same graph give the same tree: an edge listed first is not a dominator', () => {
  // A cycle (C ⇄ D) and a node reached first through a long path and then directly from the root.
  const graph = parseHeapSnapshot(snapshotJson([
    { type: 'synthetic', name: '', size: 0, edges: [['property', 1], ['property', 4]] },
    { type: 'object', name: 'P', size: 1, edges: [['property', 2]] },
    { type: 'object', name: 'Q', size: 2, edges: [['property', 3]] },
    { type: 'object', name: 'C', size: 3, edges: [['property', 4]] },
    { type: 'object', name: 'D', size: 4, edges: [['property', 3], ['property', 5]] },
    { type: 'object', name: 'X', size: 5, edges: [] }
  ]))
  const dom = dominators(graph)
  // D is the root's child as well as C's: the root dominates D; C is reached both via P → Q and via D.
  assert.deepEqual([...dom.idom], [0, 0, 1, 0, 0, 4])
  assert.deepEqual([...dom.retained], [15, 3, 2, 3, 9, 5])
})

test('names as DevTools groups them, and malformed snapshots named', () => {
  const graph = parseHeapSnapshot(snapshotJson([
    { type: 'synthetic', name: '(GC roots)', size: 0, edges: [['element', 1], ['element', 2], ['element', 3], ['element', 4], ['element', 5]] },
    { type: 'closure', name: 'handler', size: 32, edges: [] },
    { type: 'concatenated string', name: 'ab', size: 32, edges: [] },
    { type: 'hidden', name: 'system / Map', size: 40, edges: [] },
    { type: 'native', name: 'Node / Socket', size: 100, edges: [] },
    { type: 'code', name: '', size: 200, edges: [] }
  ]))
  assert.deepEqual([1, 2, 3, 4, 5].map((i) => constructorName(graph, i)), ['(closure)', '(string)', '(system)', 'Node / Socket', '(compiled code)'])
  assert.throws(() => parseHeapSnapshot('{"nodes":[]}', 'x.heapsnapshot'), /x\.heapsnapshot: expected a \.heapsnapshot/)
  assert.throws(() => parseHeapSnapshot('nope', 'y.heapsnapshot'), /y\.heapsnapshot: not JSON/)
  const bad = JSON.parse(snapshotJson(GRAPH)) as { edges: number[] }
  bad.edges[2] = 5
  assert.throws(() => parseHeapSnapshot(JSON.stringify(bad), 'z'), /z: edge 0 points at 5, not at a node/)
})

test('the terminal table of a snapshot file: count, shallow and retained, largest retained first', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'snapshot-')), 'known.heapsnapshot')
  writeFileSync(file, snapshotJson(GRAPH))
  const report = await readRetainers(file)
  const text = formatRetainers(report, { limit: 3 })
  assert.match(text, /^Heap snapshot .*known\.heapsnapshot: 0\.0 MiB in 10 objects/)
  const rows = text.split('\n').slice(3)
  assert.equal(rows.length, 3)
  assert.match(rows[0]!, /^\s*1\s+0\.0\s+6\.8%\s+0\.1\s+30\.8%\s+B$/)
  // npm run profile -- --summarize FILE.heapsnapshot prints the same.
  const timeless = (s: string): string => s.replace(/analysed in [\d.]+ s/, '')
  assert.equal(timeless(await summarizeProfileFile(file, { limit: 3 })), timeless(text))
})
