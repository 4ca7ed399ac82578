// A .cpuprofile → one self-contained HTML page: an icicle graph (callers above callees, width
// = time) drawn as SVG by a small inline script, with hover details, click to zoom, and search.
// No CDN, no network, no dependency: it opens from disk, offline, in any browser.
import { codeOrigin, shortLocation, CODE_ORIGINS } from './code-origin.js'
import { sampleDurations, type CpuProfile } from './cpu-profile.js'

export interface FlameGraphOptions {
  /** Page title. @default 'CPU flame graph' */
  title?: string
  /** Frames narrower than this share of the whole are left out (keeps the page small). @default 0.001 */
  minShare?: number
  /** Keep V8's `(idle)` frame: a loaded worker is rarely idle, and idle time hides the rest. @default false */
  includeIdle?: boolean
  /** Paths under it print relative to it. @default process.cwd() */
  root?: string
}

/** A frame of the merged call tree: [name, location, origin, total µs, self µs, children]. */
type Frame = [number, number, number, number, number, Frame[]]

interface FlameData {
  title: string
  names: string[]
  locations: string[]
  origins: readonly string[]
  totalUs: number
  samples: number
  root: Frame
}

function buildTree (profile: CpuProfile, { minShare, includeIdle, root }: Required<Omit<FlameGraphOptions, 'title'>>): Omit<FlameData, 'title'> {
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
  const frames = new Map<number, Frame>()
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!
    if (skip(i) || (totals[i]! < threshold && i !== rootIndex)) continue
    const { functionName, url, lineNumber } = nodes[i]!.callFrame
    const children: Frame[] = []
    for (const child of nodes[i]!.children ?? []) { const f = frames.get(index.get(child) ?? -1); if (f !== undefined) children.push(f) }
    children.sort((a, b) => b[3] - a[3])
    frames.set(i, [
      intern(names, nameIds, functionName === '' ? '(anonymous)' : functionName),
      intern(locations, locationIds, shortLocation(url, lineNumber, root)),
      CODE_ORIGINS.indexOf(codeOrigin(url, functionName)),
      Math.round(totals[i]!),
      Math.round(self[i]!),
      children
    ])
  }
  return { names, locations, origins: CODE_ORIGINS, totalUs, samples: samples.length, root: frames.get(rootIndex)! }
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function renderFlameGraph (profile: CpuProfile, options: FlameGraphOptions = {}): string {
  const { title = 'CPU flame graph', minShare = 0.001, includeIdle = false, root = process.cwd() } = options
  const data: FlameData = { title, ...buildTree(profile, { minShare, includeIdle, root }) }
  // Inside <script>, `<` is the only character that can end the element early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; background: #fafafa; }
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
  #tip { position: fixed; pointer-events: none; background: #222; color: #eee; padding: 6px 8px; border-radius: 4px; font-size: 12px; ` +
`display: none; max-width: 560px; white-space: pre-wrap; z-index: 2; }
</style>
</head>
<body>
<header><h1 id="title"></h1><div class="meta" id="meta"></div></header>
<div class="bar">
  <div class="legend" id="legend"></div>
  <label>search <input id="search" placeholder="function name or regex"></label>
  <span id="matched"></span>
  <button id="reset">reset zoom</button>
</div>
<div id="graph"></div>
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
