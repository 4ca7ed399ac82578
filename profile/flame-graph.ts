// A .cpuprofile → one self-contained HTML page: an icicle graph (callers above callees, width
// = time) drawn as SVG by a small inline script, with hover details, click to zoom, and search;
// a click on one of our own functions also shows its source line by line (the line view) below.
// No CDN, no network, no dependency: it opens from disk, offline, in any browser.
import { htmlHead } from '../loadtest/report/html-page.js'
import type { AnnotatedFunction } from './annotated-source.js'
import { codeOrigin, shortLocation, CODE_ORIGINS } from './code-origin.js'
import { frameKey, meanSampleIntervalUs, sampleDurations, type CpuProfile } from './cpu-profile.js'
import { totalTime } from './line-report.js'

export interface FlameGraphOptions {
  /** Page title. @default 'CPU flame graph' */
  title?: string
  /** Frames narrower than this share of the whole are left out (keeps the page small). @default 0.001 */
  minShare?: number
  /** Keep V8's `(idle)` frame: a loaded worker is rarely idle, and idle time hides the rest. @default false */
  includeIdle?: boolean
  /** Paths under it print relative to it. @default process.cwd() */
  root?: string
  /** The line view of our own functions (annotated-source.ts); a click on one of their frames shows it. @default none */
  lines?: readonly AnnotatedFunction[]
  /** µs per sample, for the line view's times. @default the profile's mean */
  intervalUs?: number
}

/** A frame of the merged call tree: [name, location, origin, total µs, self µs, children, index of its function's source lines]. */
type Frame = [number, number, number, number, number, Frame[], number?]

/** A function's line view as the page carries it, compact: rows are [line, samples, text]. */
interface EmbeddedSource {
  name: string
  file: string
  line: number
  samples: number
  /** The terminal's "Total time" line. */
  total: string
  notes: string[]
  rows: Array<[number, number, string]>
  /** Samples on no row: [samples, lines, why]. */
  elsewhere: Array<[number, string, string]>
}

interface FlameData {
  title: string
  names: string[]
  locations: string[]
  origins: readonly string[]
  totalUs: number
  samples: number
  root: Frame
  intervalUs: number
  sources: EmbeddedSource[]
}

type TreeOptions = Required<Pick<FlameGraphOptions, 'minShare' | 'includeIdle' | 'root' | 'lines'>>

function buildTree (profile: CpuProfile, { minShare, includeIdle, root, lines }: TreeOptions): Omit<FlameData, 'title' | 'intervalUs'> {
  const { nodes, samples } = profile
  const index = new Map<number, number>()
  nodes.forEach((node, i) => index.set(node.id, i))
  const self = new Float64Array(nodes.length)
  const durations = sampleDurations(profile)
  for (let s = 0; s < samples.length; s++) {
    const i = index.get(samples[s]!)
    if (i !== undefined) self[i]! += durations[s]!
  }
  const names: string[] = []
  const locations: string[] = []
  const nameIds = new Map<string, number>()
  const locationIds = new Map<string, number>()
  const intern = (table: string[], ids: Map<string, number>, value: string): number => {
    let id = ids.get(value)
    if (id === undefined) {
      id = table.length
      table.push(value)
      ids.set(value, id)
    }
    return id
  }
  const isChild = new Uint8Array(nodes.length)
  for (const node of nodes) for (const child of node.children ?? []) { const c = index.get(child); if (c !== undefined) isChild[c] = 1 }
  const rootIndex = Math.max(0, isChild.indexOf(0))

  // Post-order without recursion: deep stacks must not overflow the renderer's own stack.
  const totals = new Float64Array(nodes.length)
  const order: number[] = []
  const pending = [rootIndex]
  while (pending.length > 0) {
    const i = pending.pop()!
    order.push(i)
    for (const child of nodes[i]!.children ?? []) { const c = index.get(child); if (c !== undefined) pending.push(c) }
  }
  const skip = (i: number): boolean => !includeIdle && nodes[i]!.callFrame.functionName === '(idle)' && nodes[i]!.callFrame.url === ''
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!
    if (skip(i)) continue
    let total = self[i]!
    for (const child of nodes[i]!.children ?? []) { const c = index.get(child); if (c !== undefined) total += totals[c]! }
    totals[i] = total
  }
  const totalUs = totals[rootIndex]!
  const threshold = totalUs * minShare
  // Only our functions' lines, and only of frames drawn: the page stays small.
  const annotated = new Map<string, AnnotatedFunction>()
  for (const fn of lines) annotated.set(fn.key, fn)
  const sources: EmbeddedSource[] = []
  const sourceIds = new Map<string, number>()
  const sourceOf = (key: string): number | undefined => {
    let id = sourceIds.get(key)
    const fn = annotated.get(key)
    if (id === undefined && fn !== undefined) {
      id = sources.length
      sourceIds.set(key, id)
      sources.push({
        name: fn.name,
        file: fn.file,
        line: fn.line,
        samples: fn.samples,
        total: totalTime(fn),
        notes: fn.notes,
        rows: fn.rows.map((r) => [r.line, r.samples, r.text]),
        elsewhere: [
          ...(fn.outside === null
            ? []
            : [[fn.outside.samples, fn.outside.lines.join(', '), 'outside the function: V8 puts some samples of inlined code there']]),
          ...(fn.unmapped === null ? [] : [[fn.unmapped.samples, fn.unmapped.lines.join(', '), 'built lines: no line of this file in the source map']])
        ] as Array<[number, string, string]>
      })
    }
    return id
  }
  const frames = new Map<number, Frame>()
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!
    if (skip(i) || (totals[i]! < threshold && i !== rootIndex)) continue
    const { functionName, url, lineNumber } = nodes[i]!.callFrame
    const children: Frame[] = []
    for (const child of nodes[i]!.children ?? []) { const f = frames.get(index.get(child) ?? -1); if (f !== undefined) children.push(f) }
    children.sort((a, b) => b[3] - a[3])
    const origin = codeOrigin(url, functionName)
    const frame: Frame = [
      intern(names, nameIds, functionName === '' ? '(anonymous)' : functionName),
      intern(locations, locationIds, shortLocation(url, lineNumber, root)),
      CODE_ORIGINS.indexOf(origin),
      Math.round(totals[i]!),
      Math.round(self[i]!),
      children
    ]
    const source = origin === 'own' ? sourceOf(frameKey(nodes[i]!.callFrame)) : undefined
    if (source !== undefined) frame.push(source)
    frames.set(i, frame)
  }
  return { names, locations, origins: CODE_ORIGINS, totalUs, samples: samples.length, root: frames.get(rootIndex)!, sources }
}

/** The flame graph's own stylesheet (its look is not the reports' one: see htmlHead). */
const FLAME_STYLE = `  body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; background: #fafafa; }
  header { padding: 10px 14px 6px; }
  h1 { font-size: 16px; margin: 0 0 4px; }
  .meta { color: #555; }
  .bar { display: flex; gap: 14px; align-items: center; flex-wrap: wrap; padding: 4px 14px 8px; }
  .legend span { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -2px; margin: 0 4px 0 10px; }
  input { font: inherit; padding: 2px 6px; width: 220px; }
  button { font: inherit; }
  #graph { padding: 0 14px 14px; }
  svg { display: block; width: 100%; }
  svg text { font: 11px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; pointer-events: none; fill: #111; }
  svg rect { stroke: #fff; stroke-width: 0.5; cursor: pointer; }
  svg g.dim rect { opacity: 0.45; }
  svg g.hit rect { fill: #e040fb !important; }
  #source { margin: 0 14px 14px; padding: 8px 10px; background: #fff; border: 1px solid #ddd; border-radius: 4px; }
  #source h2 { font-size: 14px; margin: 0 0 2px; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
  #source table { border-collapse: collapse; margin-top: 6px; font: 12px/1.35 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
  #source th { text-align: right; padding: 2px 10px 2px 0; border-bottom: 2px solid #ccc; white-space: nowrap; }
  #source th:last-child, #source td.code { text-align: left; }
  #source td { text-align: right; padding: 0 10px 0 0; white-space: nowrap; vertical-align: top; }
  #source td.code { white-space: pre; }
  #source tr.unsampled { color: #9a9a9a; }
  #source .note { color: #8a5a00; }
  #tip { position: fixed; pointer-events: none; background: #222; color: #eee; padding: 6px 8px; border-radius: 4px; font-size: 12px; ` +
`display: none; max-width: 560px; white-space: pre-wrap; z-index: 2; }
`

export function renderFlameGraph (profile: CpuProfile, options: FlameGraphOptions = {}): string {
  const { title = 'CPU flame graph', minShare = 0.001, includeIdle = false, root = process.cwd(), lines = [] } = options
  const intervalUs = options.intervalUs ?? meanSampleIntervalUs(profile)
  const data: FlameData = { title, intervalUs, ...buildTree(profile, { minShare, includeIdle, root, lines }) }
  // Inside <script>, `<` is the only character that can end the element early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c')
  return `${htmlHead(title, FLAME_STYLE)}<body>
<header><h1 id="title"></h1><div class="meta" id="meta"></div></header>
<div class="bar">
  <div class="legend" id="legend"></div>
  <label>search <input id="search" placeholder="function name or regex"></label>
  <span id="matched"></span>
  <button id="reset">reset zoom</button>
</div>
<div id="graph"></div>
<section id="source" hidden>
  <h2 id="source-title"></h2>
  <div class="meta" id="source-meta"></div>
  <table id="source-lines">
    <thead><tr><th>Line #</th><th>Samples</th><th>Time (ms)</th><th>% Time</th><th>Line Contents</th></tr></thead>
    <tbody></tbody>
  </table>
  <div class="meta" id="source-foot"></div>
</section>
<div id="tip"></div>
<script type="application/json" id="flame-data">${json}</script>
<script>
(() => {
  'use strict'
  const data = JSON.parse(document.getElementById('flame-data').textContent)
  const COLORS = { own: [24, 90, 58], dependency: [205, 60, 62], node: [120, 38, 58], native: [280, 30, 66], v8: [0, 0, 70] }
  const ROW = 18
  const graph = document.getElementById('graph')
  const tip = document.getElementById('tip')
  const ms = (us) => (us / 1000).toFixed(us < 10000 ? 2 : 1) + ' ms'
  const pct = (us) => (100 * us / (data.root[3] || 1)).toFixed(1) + '%'
  document.getElementById('title').textContent = data.title
  document.getElementById('meta').textContent = data.samples + ' samples, ' + ms(data.totalUs) + ` +
`' on CPU shown. Width is time; a frame sits under its caller. Click to zoom, hover for details.'
  document.getElementById('legend').innerHTML = data.origins.map((o) => { const c = COLORS[o]; ` +
`return '<span style="background:hsl(' + c[0] + ',' + c[1] + '%,' + c[2] + '%)"></span>' + o }).join('')
  const hash = (s) => { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return Math.abs(h) }
  const color = (f) => { const c = COLORS[data.origins[f[2]]]; const n = data.names[f[0]]; const j = hash(n) % 10; ` +
`return 'hsl(' + (c[0] + j * 2) + ',' + c[1] + '%,' + (c[2] + (j - 5)) + '%)' }
  let focus = [data.root]  // the zoomed frame's path from the root
  let pattern = null
  function render () {
    const width = graph.clientWidth || 1200
    const target = focus[focus.length - 1]
    const rows = []
    // Ancestors of the zoomed frame span the full width.
    focus.forEach((f, depth) => rows.push({ f, x: 0, w: width, depth, dim: depth < focus.length - 1 }))
    const scale = width / (target[3] || 1)
    const walk = (f, x, depth) => {
      let cx = x
      for (const c of f[5]) {
        const w = c[3] * scale
        if (w >= 0.5) { rows.push({ f: c, x: cx, w, depth, dim: false }); walk(c, cx, depth + 1) }
        cx += w
      }
    }
    walk(target, 0, focus.length)
    const height = (Math.max(...rows.map((r) => r.depth)) + 1) * ROW
    const ns = 'http://www.w3.org/2000/svg'
    const svg = document.createElementNS(ns, 'svg')
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height)
    svg.setAttribute('height', String(height))
    let matched = 0
    const counted = new Set()
    for (const r of rows) {
      const g = document.createElementNS(ns, 'g')
      const name = data.names[r.f[0]]
      const hit = pattern !== null && pattern.test(name)
      if (hit && !r.dim) {
        // A match inside another match is already counted in its ancestor's width.
        let inside = false
        for (const a of counted) if (a.depth < r.depth && r.x >= a.x - 0.01 && r.x + r.w <= a.x + a.w + 0.01) { inside = true; break }
        if (!inside) { matched += r.f[3]; counted.add(r) }
      }
      g.setAttribute('class', (r.dim ? 'dim' : '') + (hit ? ' hit' : ''))
      g.setAttribute('data-origin', data.origins[r.f[2]])
      if (r.f.length > 6) g.setAttribute('data-source', String(r.f[6]))
      const rect = document.createElementNS(ns, 'rect')
      rect.setAttribute('x', r.x.toFixed(2)); rect.setAttribute('y', String(r.depth * ROW))
      rect.setAttribute('width', Math.max(0.5, r.w).toFixed(2)); rect.setAttribute('height', String(ROW - 1))
      rect.setAttribute('fill', color(r.f))
      g.appendChild(rect)
      if (r.w > 28) {
        const text = document.createElementNS(ns, 'text')
        const chars = Math.floor((r.w - 6) / 6.7)
        text.textContent = name.length > chars ? name.slice(0, Math.max(1, chars - 1)) + '…' : name
        text.setAttribute('x', (r.x + 3).toFixed(2)); text.setAttribute('y', String(r.depth * ROW + 13))
        g.appendChild(text)
      }
      g.addEventListener('mousemove', (e) => {
        tip.style.display = 'block'
        tip.style.left = Math.min(e.clientX + 12, window.innerWidth - 380) + 'px'
        tip.style.top = (e.clientY + 14) + 'px'
        tip.textContent = name + '\\n' + (data.locations[r.f[1]] || '(native)') + '  [' + data.origins[r.f[2]] + ']\\ntotal ' + ` +
`ms(r.f[3]) + ' (' + pct(r.f[3]) + ')   self ' + ms(r.f[4]) + ' (' + pct(r.f[4]) + ')'
      })
      g.addEventListener('mouseleave', () => { tip.style.display = 'none' })
      g.addEventListener('click', () => {
        showSource(r.f)
        if (r.dim) focus = focus.slice(0, r.depth + 1)
        else focus = focus.concat(pathTo(target, r.f))
        render()
      })
      svg.appendChild(g)
    }
    graph.replaceChildren(svg)
    // For tests and tools: how many frames this view draws.
    document.body.setAttribute('data-frames', String(rows.length))
    document.getElementById('matched').textContent = pattern === null ? '' : 'matched ' + pct(matched) + ' of all'
  }
  // The line view of the clicked function, if it is ours: its source lines, the samples on each.
  const panel = document.getElementById('source')
  function showSource (f) {
    if (data.origins[f[2]] !== 'own') { panel.hidden = true; return }
    const s = f.length > 6 ? data.sources[f[6]] : undefined
    const title = document.getElementById('source-title')
    const meta = document.getElementById('source-meta')
    const table = document.getElementById('source-lines')
    const body = table.querySelector('tbody')
    panel.hidden = false
    body.replaceChildren()
    if (s === undefined) {
      title.textContent = 'Function: ' + data.names[f[0]] + ' at ' + data.locations[f[1]]
      meta.textContent = 'No line view for this function: it has no samples of its own (its time is in the functions it calls), ' + ` +
`'its script is missing or is not the build the profile ran (the terminal line view, --lines, says which), ' +
        'or it is not among the ' + data.sources.length + ' of our functions this page carries the lines of.'
      table.hidden = true
      return
    }
    table.hidden = false
    const t = (samples) => (samples * data.intervalUs / 1000).toFixed(1)
    title.textContent = 'Function: ' + s.name + ' at ' + s.file + ':' + s.line
    meta.replaceChildren(document.createTextNode(s.total + ', over every call of the function, not only this frame'))
    for (const note of s.notes) { const d = document.createElement('div'); d.className = 'note'; d.textContent = 'Note: ' + note; meta.appendChild(d) }
    const row = (cells, sampled, share) => {
      const tr = document.createElement('tr')
      tr.className = sampled ? 'sampled' : 'unsampled'
      cells.forEach((text, i) => { const td = document.createElement('td'); td.textContent = text; if (i === 4) td.className = 'code'; tr.appendChild(td) })
      // A bar behind the % cell: where the function's time is, at a glance.
      if (sampled) tr.children[3].style.background = 'linear-gradient(to left, hsla(24, 90%, 58%, 0.45) ' + (100 * share).toFixed(1) + '%, transparent 0)'
      body.appendChild(tr)
    }
    for (const [line, samples, text] of s.rows) {
      const share = samples / (s.samples || 1)
      const sampled = samples > 0
      row([String(line), sampled ? String(samples) : '', sampled ? t(samples) : '', sampled ? (100 * share).toFixed(1) : '', text], sampled, share)
    }
    for (const [samples, lines, why] of s.elsewhere) {
      const share = samples / (s.samples || 1)
      row(['?', String(samples), t(samples), (100 * share).toFixed(1), '(' + lines + ', ' + why + ')'], true, share)
    }
    document.getElementById('source-foot').textContent = 'Samples, not hits: V8 noted the line on top of the stack every ~' + ` +
`(data.intervalUs / 1000).toFixed(2) + ' ms. The samples of a line are the time of this function itself on it; ' +
      'time in a function it calls is on the lines of that function, not on the call. Time = samples × that interval.'
  }
  function pathTo (from, f) {
    const path = []
    const find = (node) => { for (const c of node[5]) { if (c === f || find(c)) { path.unshift(c); return true } } return false }
    find(from)
    return path
  }
  document.getElementById('reset').addEventListener('click', () => { focus = [data.root]; render() })
  document.getElementById('search').addEventListener('input', (e) => {
    const v = e.target.value.trim()
    try { pattern = v === '' ? null : new RegExp(v, 'i') } catch { pattern = null }
    render()
  })
  window.addEventListener('resize', render)
  render()
})()
</script>
</body>
</html>
`
}
