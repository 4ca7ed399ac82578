// Prometheus text exposition (format 0.0.4) → samples, and the delta of counters between two
// scrapes: how the report attributes cache hits, misses and origin calls to one run.

export interface Sample {
  name: string
  labels: Readonly<Record<string, string>>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y

function unescapeLabel (raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
}

function parseValue (raw: string): number {
  if (raw === '+Inf') return Infinity
  if (raw === '-Inf') return -Infinity
  if (raw === 'NaN') return NaN
  const n = Number(raw)
  if (Number.isNaN(n)) throw new SyntaxError(`bad sample value ${JSON.stringify(raw)}`)
  return n
}

function parseLabels (raw: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < raw.length) {
    const start = LABEL.lastIndex
    const match = LABEL.exec(raw)
    if (match === null) {
      if (raw.slice(start).trim() === '') break
      throw new SyntaxError(`bad labels in ${JSON.stringify(line)}`)
    }
    labels[match[1]!] = unescapeLabel(match[2]!)
  }
  return labels
}

/** Parses every sample line; comments (# HELP, # TYPE) and blank lines are skipped. */
export function parsePrometheusText (text: string): Sample[] {
  const samples: Sample[] = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (match === null) throw new SyntaxError(`bad sample line ${JSON.stringify(line)}`)
    samples.push({ name: match[1]!, labels: parseLabels(match[2] ?? '', line), value: parseValue(match[3]!) })
  }
  return samples
}

const seriesKey = (sample: Sample): string =>
  sample.name + '{' + Object.keys(sample.labels).sort().map((k) => `${k}=${JSON.stringify(sample.labels[k])}`).join(',') + '}'

function matches (sample: Sample, name: string, labels: Record<string, string>): boolean {
  if (sample.name !== name) return false
  for (const [k, v] of Object.entries(labels)) if (sample.labels[k] !== v) return false
  return true
}

/** Sum of every series of `name` whose labels include `labels`. */
export function sumSeries (samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const sample of samples) if (matches(sample, name, labels)) total += sample.value
  return total
}

/**
 * How much a counter grew between two scrapes, summed over the matching series. A series that
 * went down was reset (a worker respawned and its registry restarted at 0): its growth is its
 * new value. A series that appeared counts from 0.
 */
export function counterDelta (before: readonly Sample[], after: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const previous = new Map<string, number>()
  for (const sample of before) if (matches(sample, name, labels)) previous.set(seriesKey(sample), sample.value)
  let delta = 0
  for (const sample of after) {
    if (!matches(sample, name, labels)) continue
    const old = previous.get(seriesKey(sample)) ?? 0
    delta += sample.value >= old ? sample.value - old : sample.value
  }
  return delta
}
