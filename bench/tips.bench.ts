// `npm run bench -- tips`: the method's classic performance tips (they come from the Python world)
// measured in V8, each at several input sizes so that growth with size shows, not just a constant.
// Each tip pits a naive variant against the tip's variant; the ratio tip ÷ naive (speed, or bytes
// for tip 2's memory) at each size goes through one stated rule (bench/tip-verdict.ts) to a
// verdict. A tip that does not hold in V8 is a result. Write-up: docs/tips.md.
import { measureSumAllocation, PROBE_FLAGS, type AllocationRow } from './allocation.js'
import { Sink, type TaskResult } from './harness.js'
import { expensive, EXPENSIVE_ROUNDS, LruMemo, StoreMemo, type Memo } from './memoize.js'
import { makePoints, READERS, type ShapeKind } from './shapes.js'
import { runAtSize, sizeLabel } from './sized-bench.js'
import { SUM_VARIANTS, type SumVariant } from './sum-variants.js'
import { formatBytes, formatNumber, formatRatio, formatRatioTable, formatTable, rule, type RuledRow } from './tip-report.js'
import { VERDICT_RULE } from './tip-verdict.js'
import { zipfRanks } from './zipf.js'
import { mulberry32 } from '../loadtest/drive/prng.js'

const SIZES = [100, 10_000, 1_000_000] as const
const LABELS = SIZES.map(sizeLabel)

interface Variant {
  name: string
  /** Operations per call of fn. */
  batch: number
  fn: () => void
}

interface Prepared {
  variants: Variant[]
  /** Lines printed after this size's measurement (hit rates, …). */
  after?: () => string[]
}

interface Tip {
  id: number
  title: string
  /** Printed under the title: what is measured, and how. */
  notes: string[]
  /** What one operation processes n of ('element'), or is ('lookup', 'call'). */
  unit: 'element' | 'lookup' | 'call'
  prepare: (size: number) => Prepared
  /** [tip variant, naive variant] */
  comparisons: ReadonlyArray<readonly [string, string]>
  /** More measurements after the timing (tip 2's memory): lines to print, rows to rule on. */
  extra?: () => Promise<{ lines: string[], rows: RuledRow[] }>
}

const sink = new Sink()

/** Calls per sample so that one sample on 10² elements lasts microseconds, not the timer's resolution. */
const batchFor = (size: number): number => Math.max(1, Math.round(10_000 / size))
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

// The measured code lives in module-level functions that take their data as arguments; the
// per-size closures handed to tinybench only call them. With the measured code inside the per-size
// closures, the first size's closures ran fast and every later set slowly: xs.map(f) at 10⁴ took
// 1.75 ns per element in the first set of closures and 13.4 in a second, identical set (most
// likely V8 specializing the code of a closure literal met once on its captured data, and sharing
// generic code once the literal has made several closures). An artifact of the harness, not a tip.

const g = (x: number): number => x * 3 + 1

function buildWithPush (xs: readonly number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < xs.length; i++) out.push(g(xs[i]!))
  return out
}

function buildWithMap (xs: readonly number[]): number[] {
  return xs.map(g)
}

function buildWithArrayFrom (xs: readonly number[]): number[] {
  return Array.from({ length: xs.length }, (_, i) => g(xs[i]!))
}

const listTip: Tip = {
  id: 1,
  title: 'Build an array of n values: loop + push (naive) vs map vs Array.from({ length: n }, f)',
  notes: ['each variant computes f(xs[i]) = 3·xs[i] + 1 for all n elements of a source array; cost per element'],
  unit: 'element',
  prepare: (size) => {
    const xs = range(size)
    const batch = batchFor(size)
    const last = size - 1
    return {
      variants: [
        { name: 'loop + push', batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(buildWithPush(xs)[last]!) } },
        { name: 'map(f)', batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(buildWithMap(xs)[last]!) } },
        { name: 'Array.from({ length }, f)', batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(buildWithArrayFrom(xs)[last]!) } }
      ]
    }
  },
  comparisons: [['map(f)', 'loop + push'], ['Array.from({ length }, f)', 'loop + push']]
}

const sumTip: Tip = {
  id: 2,
  title: 'Sum f(x) over n values: via an intermediate array (naive: xs.map(f).reduce) vs a generator vs a plain loop',
  notes: [
    'f(x) = x & 1023, sums stay small integers; cost per element; then the bytes each variant allocates per call',
    `memory measured in a child process, node ${PROBE_FLAGS.join(' ')}: see bench/allocation-probe.ts`
  ],
  unit: 'element',
  prepare: (size) => {
    const xs = range(size)
    const batch = batchFor(size)
    return {
      variants: (Object.entries(SUM_VARIANTS) as Array<[SumVariant, (xs: readonly number[]) => number]>).map(([name, sum]) => ({
        name,
        batch,
        fn: () => { for (let b = 0; b < batch; b++) sink.take(sum(xs)) }
      }))
    }
  },
  comparisons: [['generator', 'intermediate array'], ['plain loop', 'intermediate array']],
  extra: async () => {
    const rows = await measureSumAllocation(SIZES)
    const at = (variant: SumVariant, size: number): AllocationRow => rows.find((row) => row.variant === variant && row.size === size)!
    const names = Object.keys(SUM_VARIANTS) as SumVariant[]
    const cell = (bytes: number, size: number): string => `${formatBytes(bytes)} (${formatNumber(bytes / size)} B/el)`
    // Fewer bytes is better: the ratio is naive ÷ tip, so that > 1 means the tip saves memory. A
    // variant that allocates nothing measurable saves infinitely; two that both allocate nothing tie.
    const saving = (naive: number, tip: number): number => tip === 0 ? (naive === 0 ? 1 : Infinity) : naive / tip
    const ruled = (measure: 'allocatedBytes' | 'liveBytes', what: string): RuledRow[] => (['generator', 'plain loop'] as const).map((tip) =>
      rule({
        label: `${tip} vs intermediate array, ${what}`,
        ratios: SIZES.map((size) => saving(at('intermediate array', size)[measure], at(tip, size)[measure]))
      }))
    const memoryRows = [...ruled('allocatedBytes', 'bytes allocated'), ...ruled('liveBytes', 'live at peak')]
    const bytesTable = (title: string, measure: 'allocatedBytes' | 'liveBytes'): string =>
      formatTable([title, ...LABELS], names.map((name) => [name, ...SIZES.map((size) => cell(at(name, size)[measure], size))]))
    const lines = [
      bytesTable('bytes allocated per call', 'allocatedBytes'),
      rows.some((row) => row.gcDuringCall)
        ? '(a GC ran inside a measured call: those figures are lower bounds)'
        : '(no GC ran inside any measured call: these are all the bytes allocated)',
      bytesTable('live at peak', 'liveBytes'),
      formatRatioTable('memory: naive bytes ÷ tip bytes', LABELS, memoryRows)
    ]
    return { lines, rows: memoryRows }
  }
}

/** `count` lookups of queries[from …] (cycling through 1,024), as hits counted. */
function lookUpWithIncludes (values: readonly number[], queries: readonly number[], from: number, count: number): number {
  let hits = 0
  for (let k = 0; k < count; k++) if (values.includes(queries[(from + k) & 1023]!)) hits++
  return hits
}

function lookUpWithSet (set: ReadonlySet<number>, queries: readonly number[], from: number, count: number): number {
  let hits = 0
  for (let k = 0; k < count; k++) if (set.has(queries[(from + k) & 1023]!)) hits++
  return hits
}

const membershipTip: Tip = {
  id: 3,
  title: 'Membership: Array.prototype.includes (naive) vs Set.prototype.has, for present and absent values',
  notes: ['n distinct integers; 1,024 lookups cycled, of values drawn at random positions (present) or never stored (absent); cost per lookup'],
  unit: 'lookup',
  prepare: (size) => {
    const values = range(size).map((i) => i * 2)
    const set = new Set(values)
    const random = mulberry32(3)
    const present = Array.from({ length: 1024 }, () => values[Math.floor(random() * size)]!)
    const absent = Array.from({ length: 1024 }, () => Math.floor(random() * size) * 2 + 1)
    // includes scans: ~n/2 comparisons for a present value, n for an absent one. Set.has is O(1).
    const scanBatch = Math.max(1, Math.round(100_000 / size))
    const setBatch = 1000
    let i = 0
    const next = (batch: number): number => { const from = i; i = (i + batch) & 1023; return from }
    return {
      variants: [
        { name: 'includes, present', batch: scanBatch, fn: () => { sink.take(lookUpWithIncludes(values, present, next(scanBatch), scanBatch)) } },
        { name: 'Set.has, present', batch: setBatch, fn: () => { sink.take(lookUpWithSet(set, present, next(setBatch), setBatch)) } },
        { name: 'includes, absent', batch: scanBatch, fn: () => { sink.take(lookUpWithIncludes(values, absent, next(scanBatch), scanBatch)) } },
        { name: 'Set.has, absent', batch: setBatch, fn: () => { sink.take(lookUpWithSet(set, absent, next(setBatch), setBatch)) } }
      ]
    }
  },
  comparisons: [['Set.has, present', 'includes, present'], ['Set.has, absent', 'includes, absent']]
}

function concatenate (pieces: readonly string[], n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += pieces[i % 100]!
  return s
}

function pushAndJoin (pieces: readonly string[], n: number): string {
  const parts: string[] = []
  for (let i = 0; i < n; i++) parts.push(pieces[i % 100]!)
  return parts.join('')
}

/** Reading a character of a rope makes V8 flatten it into one sequential string (its length alone does not). */
const lastCharCode = (s: string): number => s.charCodeAt(s.length - 1)

const stringTip: Tip = {
  id: 4,
  title: 'Build a string of n pieces: += in a loop (naive) vs parts.push + join',
  notes: [
    'pieces of 7–8 characters; both variants then read the last character, which makes V8 flatten a rope (cons string)',
    "'+=, length only' never reads a character, so its rope is never flattened: the price of += without that of flattening"
  ],
  unit: 'element',
  prepare: (size) => {
    const pieces = Array.from({ length: 100 }, (_, i) => `item-${i},`)
    const batch = batchFor(size)
    return {
      variants: [
        { name: '+=, then read', batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(lastCharCode(concatenate(pieces, size))) } },
        { name: 'push + join, then read', batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(lastCharCode(pushAndJoin(pieces, size))) } },
        { name: '+=, length only', batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(concatenate(pieces, size).length) } }
      ]
    }
  },
  comparisons: [['push + join, then read', '+=, then read']]
}

const SHAPE_VARIANTS: ReadonlyArray<readonly [string, ShapeKind]> = [
  ['class, one shape', 'stable'],
  ['3 field orders (polymorphic)', 'polymorphic'],
  ['12 shapes (megamorphic)', 'megamorphic'],
  ['delete → dictionary mode', 'dictionary']
]

const shapeTip: Tip = {
  id: 5,
  title: 'Read 3 fields from n objects: shapes that vary (naive) vs one stable shape (the __slots__ analogue)',
  notes: ['sum of p.x + p.y + p.z over an array of n objects built up front; each kind has its own copy of the reader; cost per object'],
  unit: 'element',
  prepare: (size) => {
    const batch = batchFor(size)
    return {
      variants: SHAPE_VARIANTS.map(([name, kind]) => {
        const points = makePoints(kind, size)
        const read = READERS[kind]
        return { name, batch, fn: () => { for (let b = 0; b < batch; b++) sink.take(read(points)) } }
      })
    }
  },
  comparisons: SHAPE_VARIANTS.slice(1).map(([name]) => ['class, one shape', name] as const)
}

const MEMO_ENTRIES = 1000
const MEMO_SEQUENCE = 65_536
const MEMO_MASK = MEMO_SEQUENCE - 1
const LRU_NAME = `lru-cache (max ${MEMO_ENTRIES})`
const STORE_NAME = `MemoryStore (maxEntries ${MEMO_ENTRIES})`

// One function per variant, its data as arguments (see the note above tip 1); each call site sees one target.
function callUncached (keys: readonly string[], from: number, count: number): number {
  let length = 0
  for (let k = 0; k < count; k++) length += expensive(keys[(from + k) & MEMO_MASK]!).length
  return length
}

function callThroughLru (memo: LruMemo, keys: readonly string[], from: number, count: number): number {
  let length = 0
  for (let k = 0; k < count; k++) length += memo.get(keys[(from + k) & MEMO_MASK]!).length
  return length
}

function callThroughStore (memo: StoreMemo, keys: readonly string[], from: number, count: number): number {
  let length = 0
  for (let k = 0; k < count; k++) length += memo.get(keys[(from + k) & MEMO_MASK]!).length
  return length
}

const memoTip: Tip = {
  id: 6,
  title: `Memoize a pure function with a bounded cache of ${MEMO_ENTRIES.toLocaleString('en-US')} entries: none (naive) vs lru-cache vs MemoryStore`,
  notes: [
    `the function: ${EXPENSIVE_ROUNDS} rounds of FNV-1a over a 12-character key, a few µs (the 'no cache' row)`,
    `n = distinct keys; calls follow a Zipf law (s = 1) over them, ${MEMO_SEQUENCE.toLocaleString('en-US')} calls cycled; cost per call`,
    'MemoryStore is src/cache/memory-store.ts, the L1 store, with the service\'s default coarse clock; caches warmed by one pass first'
  ],
  unit: 'call',
  prepare: (size) => {
    // Keys of one width, so that the function costs the same at every n (its work grows with the key).
    const ranks = zipfRanks(size, MEMO_SEQUENCE, { exponent: 1, seed: 6 })
    const keys = Array.from(ranks, (rank) => `city-${String(rank).padStart(7, '0')}`)
    const lru = new LruMemo(expensive, MEMO_ENTRIES)
    const store = new StoreMemo(expensive, MEMO_ENTRIES)
    const hitRate = (memo: Memo): string => {
      memo.misses = 0
      for (const key of keys) sink.take(memo.get(key).length)
      return `${(100 * (1 - memo.misses / MEMO_SEQUENCE)).toFixed(1)}%`
    }
    hitRate(lru)
    hitRate(store)
    const batch = 100
    let i = 0
    const next = (): number => { const from = i; i = (i + batch) & MEMO_MASK; return from }
    return {
      variants: [
        { name: 'no cache', batch, fn: () => { sink.take(callUncached(keys, next(), batch)) } },
        { name: LRU_NAME, batch, fn: () => { sink.take(callThroughLru(lru, keys, next(), batch)) } },
        { name: STORE_NAME, batch, fn: () => { sink.take(callThroughStore(store, keys, next(), batch)) } }
      ],
      after: () => [`n=${sizeLabel(size)}: hit rate over one pass, lru-cache ${hitRate(lru)}, MemoryStore ${hitRate(store)}`]
    }
  },
  comparisons: [[LRU_NAME, 'no cache'], [STORE_NAME, 'no cache']]
}

export const TIPS: readonly Tip[] = [listTip, sumTip, membershipTip, stringTip, shapeTip, memoTip]

/** Runs every tip, printing each one's tables as it completes; returns every task's ops/s for the suite's closing table. */
export async function tipsBench (out: NodeJS.WritableStream = process.stdout): Promise<TaskResult[]> {
  const started = performance.now()
  out.write(`verdict rule: ${VERDICT_RULE}\n`)
  out.write('ratio = the tip\'s speed ÷ the naive variant\'s (ops/s); per size: + tip ≥ 1.1× faster, = within ±10%, − tip ≥ 1.1× slower\n')
  out.write(`sizes: ${LABELS.join(', ')} for every tip (none needed fewer: the slowest call, Array.from at 10⁶, takes ~0.1 s)\n`)
  out.write('speed: the median of per-call samples over twelve interleaved rounds (bench/sized-bench.ts); ± the 95% confidence interval of that median\n')
  const results: TaskResult[] = []
  const summary: Array<{ tip: number, rows: RuledRow[] }> = []
  for (const tip of TIPS) {
    out.write(`\n### ${tip.id}. ${tip.title}\n${tip.notes.map((note) => `(${note})\n`).join('')}`)
    const ops = new Map<string, number[]>()
    const rme = new Map<string, number[]>()
    const afterLines: string[] = []
    for (const size of SIZES) {
      const prepared = tip.prepare(size)
      const tasks = prepared.variants.map((v) => ({ name: `${tip.id}. ${v.name}, n=${sizeLabel(size)}`, batch: v.batch, fn: v.fn }))
      const rows = await runAtSize('tips', size, tasks)
      rows.forEach((row, k) => {
        const name = prepared.variants[k]!.name
        ops.set(name, [...(ops.get(name) ?? []), row.opsPerSecond])
        rme.set(name, [...(rme.get(name) ?? []), row.rmePercent])
      })
      results.push(...rows)
      afterLines.push(...(prepared.after?.() ?? []))
    }
    const perUnit = (k: number, opsPerSecond: number): number => 1e9 / opsPerSecond / (tip.unit === 'element' ? SIZES[k]! : 1)
    const cell = (name: string, k: number, opsPerSecond: number): string => `${formatNumber(perUnit(k, opsPerSecond))} ± ${rme.get(name)![k]!.toFixed(1)}%`
    const costRows = [...ops].map(([name, values]) => [name, ...values.map((value, k) => cell(name, k, value))])
    out.write(formatTable([`ns per ${tip.unit} ± rme`, ...LABELS], costRows) + '\n')
    for (const line of afterLines) out.write(line + '\n')
    const rows = tip.comparisons.map(([tipName, naiveName]) => rule({
      label: `${tipName} vs ${naiveName}`,
      ratios: ops.get(tipName)!.map((value, k) => value / ops.get(naiveName)![k]!)
    }))
    out.write(formatRatioTable('speed: tip ÷ naive', LABELS, rows) + '\n')
    summary.push({ tip: tip.id, rows })
    if (tip.extra !== undefined) {
      const extra = await tip.extra()
      out.write(extra.lines.join('\n') + '\n')
      summary.push({ tip: tip.id, rows: extra.rows })
    }
  }
  out.write(`\n### verdicts (${VERDICT_RULE})\n`)
  out.write(formatTable(
    ['tip', ...LABELS, 'verdict'],
    summary.flatMap(({ tip, rows }) => rows.map((row) => [`${tip}. ${row.label}`, ...row.ratios.map(formatRatio), row.verdict]))
  ) + '\n')
  out.write(`\ntips: ${((performance.now() - started) / 1000).toFixed(0)} s; every task's ops/s follows (medians; rme: the median's 95% CI)\n`)
  return results
}
