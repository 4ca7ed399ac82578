// The terminal view of the line view, in kernprof -l -v's layout (a header per function, then
// one row per source line), so that people who know line_profiler read it at once. "Hits"
// becomes "Samples": V8 samples the stack, it does not count executions.
import type { AnnotatedFunction, LineView, SampleBucket, SkippedFunction } from './annotated-source.js'
import { ms } from './table.js'

export interface LineReportOptions {
  /** Annotated functions to print. @default 5 */
  count?: number
  /** ANSI dim for lines without samples (stdout is a TTY). @default false */
  color?: boolean
}

export const LINE_HEADER = 'Line #  Samples  Time (ms)  % Time  Line Contents'
const DIM = '\u001b[2m'
const UNDIM = '\u001b[22m'

const pct = (share: number): string => (100 * share).toFixed(1)

const row = (line: string, samples: string, time: string, share: string, text: string): string =>
  `${line.padStart(6)}  ${samples.padStart(7)}  ${time.padStart(9)}  ${share.padStart(6)}  ${text}`.trimEnd()

const samplesOf = (n: number): string => `${n} sample${n === 1 ? '' : 's'}`

/**
 * The table ranks by self time from each sample's own duration; the lines can only count samples
 * (positionTicks carry no times). When one long sample makes the two differ, both are said.
 */
export function totalTime (fn: Pick<AnnotatedFunction, 'samples' | 'timeUs' | 'selfUs'>): string {
  const differs = Math.abs(fn.selfUs - fn.timeUs) > Math.max(1000, 0.25 * fn.timeUs)
  return `Total time: ${ms(fn.timeUs)} ms (${samplesOf(fn.samples)}` +
    `${differs ? `; self time in the table, from the samples' own durations: ${ms(fn.selfUs)} ms` : ''})`
}

function formatFunction (fn: AnnotatedFunction, intervalUs: number, color: boolean): string {
  const out = [
    `Function: ${fn.name} at ${fn.file}:${fn.line}`,
    totalTime(fn),
    ...fn.notes.map((note) => `Note: ${note}`),
    '',
    LINE_HEADER,
    '='.repeat(LINE_HEADER.length)
  ]
  for (const r of fn.rows) {
    if (r.samples === 0) {
      // No samples: the columns stay empty (not 0, which would read as measured), the line dimmed.
      const text = row(String(r.line), '', '', '', r.text)
      out.push(color ? DIM + text + UNDIM : text)
    } else {
      out.push(row(String(r.line), String(r.samples), ms(r.samples * intervalUs), pct(r.share), r.text))
    }
  }
  const bucket = (b: SampleBucket | null, text: (lines: string) => string): void => {
    if (b !== null) out.push(row('?', String(b.samples), ms(b.samples * intervalUs), pct(b.share), text(b.lines.join(', '))))
  }
  bucket(fn.outside, (lines) => `(line ${lines}, outside the function: V8 puts some samples of inlined code there)`)
  bucket(fn.unmapped, (lines) => `(built line ${lines} of the .js: no line of this file in the source map)`)
  return out.join('\n')
}

const formatSkipped = (fn: SkippedFunction): string => `Not shown: ${fn.name} (${fn.location}, ${samplesOf(fn.samples)}): ${fn.reason}`

/** Skipped functions named one by one, up to this many; the rest are counted. */
const MAX_SKIPPED_NAMED = 8

/** The first `count` annotated functions, with the ones skipped on the way named where they rank. */
export function formatLineView (view: LineView, { count = 5, color = false }: LineReportOptions = {}): string {
  const blocks: string[] = []
  let shown = 0
  let skipped = 0
  let stale = 0
  let lastWasSkipped = false
  for (const fn of view.functions) {
    if (shown >= count) break
    if (fn.kind === 'skipped') {
      if (fn.cause === 'stale') stale++
      // Skipped functions in a row make one block, one line each.
      if (++skipped <= MAX_SKIPPED_NAMED) {
        if (lastWasSkipped) blocks[blocks.length - 1] += '\n' + formatSkipped(fn)
        else blocks.push(formatSkipped(fn))
      }
      lastWasSkipped = true
    } else {
      blocks.push(formatFunction(fn, view.intervalUs, color))
      shown++
      lastWasSkipped = false
    }
  }
  const interval = (view.intervalUs / 1000).toFixed(2)
  const head = `Line view (cf. kernprof -l -v): the top ${count} function${count === 1 ? '' : 's'} of our own code by self time, line by line; ` +
    `1 sample ≈ ${interval} ms (the profile's mean sampling interval)`
  if (skipped > MAX_SKIPPED_NAMED) blocks.push(`Not shown either: ${skipped - MAX_SKIPPED_NAMED} more of our functions, for the same kinds of reasons.`)
  if (stale > 0) {
    blocks.push(`${stale} of our functions ran in a build other than the one on disk (the profile is older than the build, or from another checkout): ` +
      'profile this build again, or point --root at a checkout built from the code the profile ran.')
  }
  if (shown === 0) blocks.push('No function of our own code could be shown line by line.')
  else if (shown < count) blocks.push(`Only ${shown} of our functions could be shown line by line.`)
  return [
    head,
    ...blocks,
    `Samples, not hits: V8 stopped the thread every ~${interval} ms and noted the line on top of the stack (kernprof's Hits counts every execution); ` +
      'a line\'s samples are the function\'s own time on it: time in a function it calls is on that function\'s lines, not on the call (unlike ' +
      'kernprof\'s Time). Time (ms) = samples × that interval; lines without samples have empty columns.'
  ].join('\n\n')
}
