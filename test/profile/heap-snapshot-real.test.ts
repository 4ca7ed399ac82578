// Retained sizes on a real V8 snapshot: a child process holds structures whose sizes and owners
// are known, writes a snapshot of itself, and the dominator tree must say who holds what. Each
// retained size checked is also recomputed by its definition (what becomes unreachable from the
// root when the object goes), independently of the dominator algorithm.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { constructorName, dominators, parseHeapSnapshot, summarizeRetainers, type Dominators, type HeapGraph } from '../../profile/heap-snapshot.js'

const run = promisify(execFile)

const CHILD = `
import { writeHeapSnapshot } from 'node:v8'
class Leaf { constructor (i) { this.values = new Array(100).fill(i) } }
class Holder { constructor () { this.leaves = Array.from({ length: 1000 }, (_, i) => new Leaf(i)) } }
class Payload { constructor () { this.data = new Array(20000).fill(7) } }
class SharedOwner { constructor (payload) { this.payload = payload } }
class SoleOwner { constructor () { this.payload = new Payload() } }
const shared = new Payload()
globalThis.kept = { holder: new Holder(), a: new SharedOwner(shared), b: new SharedOwner(shared), sole: new SoleOwner() }
writeHeapSnapshot(process.argv[2])
`

/** Bytes that become unreachable from the root without `x`: x's retained size, by definition. */
function retainedByRemoval (graph: HeapGraph, dom: Dominators, x: number): number {
  const weak = graph.edgeTypes.indexOf('weak')
  const shortcut = graph.edgeTypes.indexOf('shortcut')
  const reached = new Uint8Array(graph.nodeCount)
  const queue: number[] = [0]
  reached[0] = 1
  // The root's implied edges to what no essential edge reaches are part of the graph the tree is of.
  for (let v = 0; v < graph.nodeCount; v++) if (dom.viaRoot[v] === 1 && v !== x) { reached[v] = 1; queue.push(v) }
  while (queue.length > 0) {
    const v = queue.pop()!
    for (let e = graph.firstEdge[v]!; e < graph.firstEdge[v + 1]!; e++) {
      const t = graph.edgeType[e]
      if (t === weak || (t === shortcut && v !== 0)) continue
      const w = graph.edgeTo[e]!
      if (w === x || reached[w] === 1) continue
      reached[w] = 1
      queue.push(w)
    }
  }
  let bytes = 0
  for (let v = 0; v < graph.nodeCount; v++) if (reached[v] === 0) bytes += graph.selfSize[v]!
  return bytes
}

test('a real snapshot of a process holding known structures: counts, owners, and retained sizes that match their definition', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-real-'))
  writeFileSync(join(dir, 'child.mjs'), CHILD)
  const file = join(dir, 'child.heapsnapshot')
  await run(process.execPath, [join(dir, 'child.mjs'), file], { timeout: 50_000 })
  const graph = parseHeapSnapshot(readFileSync(file, 'utf8'), file)
  assert.ok(graph.nodeCount > 10_000, `${graph.nodeCount} nodes`)
  const dom = dominators(graph)
  const summary = summarizeRetainers(graph, dom)
  const group = (name: string): { count: number, shallowBytes: number, retainedBytes: number } => {
    const found = summary.constructors.find((c) => c.name === name)
    assert.ok(found !== undefined, `${name} in the summary`)
    return found
  }
  assert.equal(summary.totalBytes, graph.selfSize.reduce((a, b) => a + b, 0), 'the root retains everything')
  assert.equal(group('Leaf').count, 1000)
  assert.equal(group('Holder').count, 1)
  assert.equal(group('Payload').count, 2)
  // Each leaf holds 100 numbers (8 bytes a slot) on its own: the leaves retain at least that.
  assert.ok(group('Leaf').retainedBytes >= 1000 * 100 * 8, `Leaf retains ${group('Leaf').retainedBytes}`)
  // The holder retains its leaves and the array that lists them.
  assert.ok(group('Holder').retainedBytes >= group('Leaf').retainedBytes + 1000 * 8, `Holder retains ${group('Holder').retainedBytes}`)
  // A payload held by two owners is retained by neither; one held by one owner is retained by it.
  const payloadBytes = 20_000 * 8
  assert.ok(group('SoleOwner').retainedBytes >= payloadBytes, `SoleOwner retains ${group('SoleOwner').retainedBytes}`)
  assert.ok(group('SharedOwner').retainedBytes < payloadBytes / 10, `SharedOwner retains ${group('SharedOwner').retainedBytes}`)
  assert.ok(group('Payload').retainedBytes >= 2 * payloadBytes)

  // By definition, for our objects and for the nodes that retain the most.
  const ours = ['Holder', 'SoleOwner', 'SharedOwner', 'Payload']
  const checked: number[] = []
  for (let v = 0; v < graph.nodeCount; v++) if (ours.includes(constructorName(graph, v))) checked.push(v)
  const largest = Array.from({ length: graph.nodeCount - 1 }, (_, i) => i + 1).sort((a, b) => dom.retained[b]! - dom.retained[a]!).slice(0, 15)
  for (const v of [...checked, ...largest]) {
    assert.equal(dom.retained[v], retainedByRemoval(graph, dom, v), `retained size of node ${v} (${constructorName(graph, v)})`)
  }
})
