// The line view's model (kernprof -l, for a sampled V8 profile): our own functions, most self
// time first, each as its source lines with the samples V8 put on each. The profile knows built
// .js lines; this finds the script in this checkout, checks the build is the profiled one, maps
// the lines back through the source map to the .ts people edit, and takes the function whole.
// It never throws for a missing file: what cannot be shown is said, and the rest still is.
import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, sep } from 'node:path'
import { meanSampleIntervalUs, type CpuProfile } from './cpu-profile.js'
import type { CpuSummary, FunctionStat } from './cpu-summary.js'
import { functionEndLine } from './function-extent.js'
import { lineTicks, type FunctionLineTicks } from './line-summary.js'
import { locateScript } from './script-location.js'
import { loadSourceMap, type SourceMapResult } from './source-map.js'
import { staleFrame } from './stale-script.js'

export interface SourceRow {
  /** 1-based. */
  line: number
  /** Self samples on the line: 0 for a line of the function that had none. */
  samples: number
  /** samples / the function's line samples, 0..1. */
  share: number
  text: string
}

/** Samples that belong to the function but to none of its rows, with why. */
export interface SampleBucket {
  samples: number
  /** Of the function's line samples, 0..1. */
  share: number
  lines: number[]
}

export interface AnnotatedFunction {
  kind: 'annotated'
  /** frameKey of the call frame. */
  key: string
  name: string
  /** The file shown, relative to the root when under it: the .ts source, or the built .js when that is all there is. */
  file: string
  language: 'typescript' | 'javascript'
  /** 1-based line the function starts on in `file`. */
  line: number
  /** The function's line samples (V8's positionTicks), mapped or not. */
  samples: number
  /** samples × the profile's mean sampling interval, µs. */
  timeUs: number
  /** The function table's self time, µs: from each sample's own duration, so one long sample weighs more there. */
  selfUs: number
  rows: SourceRow[]
  /** Samples on built lines the source map gives no line of `file` for (their built lines). */
  unmapped: SampleBucket | null
  /** Samples V8 put on lines outside the function (positions of inlined code; their lines in `file`). */
  outside: SampleBucket | null
  /** What to know about this view: why it is JavaScript, a source newer than its build. */
  notes: string[]
}

export interface SkippedFunction {
  kind: 'skipped'
  /** stale: the script on disk is not the build the profile ran; missing: no script; unmapped: no line samples; error: a bug. */
  cause: 'stale' | 'missing' | 'unmapped' | 'error'
  key: string
  name: string
  /** As in the function table. */
  location: string
  samples: number
  reason: string
}

export type LineViewEntry = AnnotatedFunction | SkippedFunction

export interface LineView {
  /** µs one sample stands for, on average. */
  intervalUs: number
  /** In self-time order: annotated functions and, where one could not be shown, why. */
  functions: LineViewEntry[]
}

export interface LineViewOptions {
  /** Annotated functions wanted. @default 5 */
  count?: number
  /** The checkout whose dist/ a recorded profile's scripts map onto; paths print relative to it. @default process.cwd() */
  root?: string
  /** The profile was just taken of the scripts on disk (a live run): no check that they are the
   * build it ran, whose heuristics can only misfire there. @default false (a recorded profile) */
  sameBuild?: boolean
}

/** Lines shown past the last sampled one when the function's end is not found. */
const CONTEXT_LINES = 3
/** A function (or a module's top level) longer than this is cut after its last sampled line. */
const MAX_ROWS = 400

interface SourceFile {
  lines: string[]
  text: string
  mtimeMs: number
}

interface Context {
  root: string
  sameBuild: boolean
  intervalUs: number
  show: (path: string) => string
  read: (path: string) => SourceFile | null
  sourceMap: (jsPath: string, js: SourceFile) => SourceMapResult
}

function createContext (root: string, intervalUs: number, sameBuild: boolean): Context {
  const files = new Map<string, SourceFile | null>()
  const maps = new Map<string, SourceMapResult>()
  return {
    root,
    sameBuild,
    intervalUs,
    show: (path) => {
      const rel = relative(root, path)
      return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel) ? rel : path
    },
    read: (path) => {
      if (!files.has(path)) {
        try {
          const text = readFileSync(path, 'utf8')
          files.set(path, { text, lines: text.split(/\r?\n/), mtimeMs: statSync(path).mtimeMs })
        } catch {
          files.set(path, null)
        }
      }
      return files.get(path)!
    },
    sourceMap: (jsPath, js) => {
      let map = maps.get(jsPath)
      if (map === undefined) {
        map = loadSourceMap(jsPath, js.text)
        maps.set(jsPath, map)
      }
      return map
    }
  }
}

interface ViewOf {
  file: string
  language: AnnotatedFunction['language']
  lines: readonly string[]
  /** The function's start in `lines` (1-based line, 0-based column), when known. */
  start: { line: number, column: number } | null
  /** A module's top-level code: the whole file is the function. */
  wholeFile: boolean
}

/** The rows of one function in one file: from its start to its end, every line, sampled or not. */
function annotated (
  fn: FunctionStat,
  entry: FunctionLineTicks,
  ctx: Context,
  view: ViewOf,
  ticks: ReadonlyMap<number, number>,
  unmapped: { samples: number, lines: number[] },
  notes: string[]
): AnnotatedFunction {
  const total = entry.samples
  const sampled = [...ticks.keys()].sort((a, b) => a - b)
  const start = view.start?.line ?? sampled[0] ?? 1
  // The extent: from the function's start line (its call frame, mapped) to its closing brace by
  // a bracket scan of the file (function-extent.ts), so the lines without samples show as well.
  // Samples on lines outside that extent are V8's positions of inlined code (see stale-script.ts):
  // they get a row of their own rather than stretching the function over other code. Where the
  // scan finds no end, the extent runs to the last sampled line and a few after it instead.
  const end = view.wholeFile ? view.lines.length : view.start === null ? null : functionEndLine(view.lines, view.start.line, view.start.column)
  let first: number
  let last: number
  const outside = { samples: 0, lines: [] as number[] }
  if (end !== null) {
    first = start
    last = end
    for (const line of sampled) {
      if (line >= first && line <= last) continue
      outside.samples += ticks.get(line)!
      outside.lines.push(line)
    }
  } else {
    first = Math.min(start, sampled[0] ?? start)
    last = Math.min(view.lines.length, (sampled[sampled.length - 1] ?? start) + CONTEXT_LINES)
  }
  first = Math.max(1, first)
  const inside = sampled.filter((line) => !outside.lines.includes(line))
  const lastSampled = inside[inside.length - 1] ?? first
  if (last - first + 1 > MAX_ROWS) {
    const cut = Math.max(lastSampled + CONTEXT_LINES, first + MAX_ROWS - 1)
    if (cut < last) notes.push(`lines ${cut + 1}–${last} of the function are not shown (none sampled)`)
    last = cut
  }
  // A sampled line past the file's end (a source shorter than its map says) still gets its row.
  last = Math.max(last, lastSampled)
  const rows: SourceRow[] = []
  for (let line = first; line <= last; line++) {
    const samples = outside.lines.includes(line) ? 0 : ticks.get(line) ?? 0
    rows.push({ line, samples, share: total > 0 ? samples / total : 0, text: (view.lines[line - 1] ?? '').trimEnd() })
  }
  const bucket = ({ samples, lines }: { samples: number, lines: number[] }): SampleBucket | null =>
    samples > 0 ? { samples, share: samples / total, lines: [...lines].sort((a, b) => a - b) } : null
  return {
    kind: 'annotated',
    key: fn.key,
    name: fn.name,
    file: view.file,
    language: view.language,
    line: view.start?.line ?? first,
    samples: total,
    timeUs: total * ctx.intervalUs,
    selfUs: fn.selfUs,
    rows,
    unmapped: bucket(unmapped),
    outside: bucket(outside),
    notes
  }
}

function annotate (fn: FunctionStat, entry: FunctionLineTicks, ctx: Context): LineViewEntry {
  const skip = (cause: SkippedFunction['cause'], reason: string): SkippedFunction =>
    ({ kind: 'skipped', cause, key: fn.key, name: fn.name, location: fn.location, samples: entry.samples, reason })
  const frame = entry.callFrame
  const script = locateScript(frame.url, ctx.root)
  if (script.path === null) {
    return skip('missing', script.tried.length === 0 ? `no file for ${frame.url}` : `script not found (looked for ${script.tried.map(ctx.show).join(', ')})`)
  }
  const js = ctx.read(script.path)
  if (js === null) return skip('missing', `${ctx.show(script.path)} cannot be read`)
  const stale = ctx.sameBuild ? null : staleFrame(js.lines, frame, [...entry.ticks.keys()].sort((a, b) => a - b))
  if (stale !== null) return skip('stale', `${ctx.show(script.path)} is not the build the profile ran: ${stale}`)

  const jsStart = { line: frame.lineNumber + 1, column: Math.max(0, frame.columnNumber) }
  const wholeFile = frame.lineNumber === 0 && frame.columnNumber === 0
  const javascript = (note: string): AnnotatedFunction => annotated(
    fn, entry, ctx,
    { file: ctx.show(script.path!), language: 'javascript', lines: js.lines, start: jsStart, wholeFile },
    entry.ticks, { samples: 0, lines: [] }, [note]
  )
  const loaded = ctx.sourceMap(script.path, js)
  if (!loaded.ok) return javascript(`${loaded.problem}: the built JavaScript is shown`)
  const map = loaded.map

  const start = map.position(jsStart.line, jsStart.column) ?? map.line(jsStart.line, js.lines[frame.lineNumber] ?? '')
  const unmapped = { samples: 0, lines: [] as number[] }
  const mapped: Array<{ built: number, path: string, line: number, samples: number }> = []
  const byFile = new Map<string, number>()
  for (const [built, samples] of entry.ticks) {
    const position = map.line(built, js.lines[built - 1] ?? '')
    if (position === null) {
      unmapped.samples += samples
      unmapped.lines.push(built)
    } else {
      mapped.push({ built, path: position.path, line: position.line, samples })
      byFile.set(position.path, (byFile.get(position.path) ?? 0) + samples)
    }
  }
  // The file the function starts in; without a mapped start, the one most of its samples map to.
  const sourcePath = start?.path ?? [...byFile].sort((a, b) => b[1] - a[1])[0]?.[0]
  if (sourcePath === undefined) return javascript(`${map.from} maps none of the function's lines: the built JavaScript is shown`)
  const notes: string[] = []
  const ticks = new Map<number, number>()
  for (const { built, path, line, samples } of mapped) {
    if (path === sourcePath) {
      ticks.set(line, (ticks.get(line) ?? 0) + samples)
    } else {
      // Code from another source in this script (a bundle, inlined helpers): not a line of this file.
      unmapped.samples += samples
      unmapped.lines.push(built)
    }
  }
  for (const [path, samples] of byFile) if (path !== sourcePath) notes.push(`${samples} samples map to ${ctx.show(path)}, not to this file`)
  const source = ctx.read(sourcePath)
  if (source === null) return javascript(`source ${ctx.show(sourcePath)} not found: the built JavaScript is shown`)
  if (source.mtimeMs > js.mtimeMs) {
    notes.push(`${ctx.show(sourcePath)} changed after ${ctx.show(script.path)} was built: lines may not match (npm run build, then profile again)`)
  }
  return annotated(
    fn, entry, ctx,
    {
      file: ctx.show(sourcePath),
      language: 'typescript',
      lines: source.lines,
      start: start === null ? null : { line: start.line, column: start.column },
      wholeFile
    },
    ticks, unmapped, notes
  )
}

/** The line view of the top `count` functions of our own code by self time (the summary's order). */
export function buildLineView (
  profile: CpuProfile,
  summary: CpuSummary,
  { count = 5, root = process.cwd(), sameBuild = false }: LineViewOptions = {}
): LineView {
  const ctx = createContext(root, meanSampleIntervalUs(profile), sameBuild)
  const ticks = lineTicks(profile)
  const functions: LineViewEntry[] = []
  let shown = 0
  // Past a function that cannot be shown to the next one, until `count` are: the skipped ones
  // stay in the view, named where they rank, so the view never pretends they were not there.
  for (const fn of summary.functions) {
    if (shown >= count) break
    if (fn.origin !== 'own' || fn.selfSamples === 0) continue
    const entry = ticks.get(fn.key)
    const skipped = (cause: SkippedFunction['cause'], reason: string): SkippedFunction =>
      ({ kind: 'skipped', cause, key: fn.key, name: fn.name, location: fn.location, samples: entry?.samples ?? 0, reason })
    let result: LineViewEntry
    if (entry === undefined) {
      result = skipped('unmapped', 'V8 recorded no line positions for its samples')
    } else {
      try {
        result = annotate(fn, entry, ctx)
      } catch (err) {
        // A file that breaks an assumption here must not cost the rest of the report.
        result = skipped('error', `not annotated: ${(err as Error).message}`)
      }
    }
    functions.push(result)
    if (result.kind === 'annotated') shown++
  }
  return { intervalUs: ctx.intervalUs, functions }
}
