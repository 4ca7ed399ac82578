// An L1 read that hits, for every L1 policy store (src/cache/l1-policies/: lookup, the policy's
// bookkeeping, the expiry check on the service's coarse clock) against a raw lru-cache get, on 10,000 entries,
// cycling through 1,000 hot keys. Three repetitions of twelve interleaved rounds each
// (bench/sized-bench.ts): each repetition gives every store's cost as a ratio to MemoryStore's
// (lru-cache behind L1 today) and to the raw lru-cache get; the spread of those ratios is
// printed with their median.
import { LRUCache } from 'lru-cache'
import { coarseClock } from '../src/cache/clock.js'
import type { L1PolicyName } from '../src/config.js'
import { createEntry } from '../src/cache/entry.js'
import { createL1Store } from '../src/cache/l1-policies/create-l1-store.js'
import type { L1Store, MemoryRecord } from '../src/cache/memory-store.js'
import type { TaskResult } from './harness.js'
import { Sink } from './harness.js'
import { POLICIES } from './policies/replay.js'
import { runAtSize } from './sized-bench.js'

// The clock the service gives its stores (src/service.ts): performance.now() read at most once a
// millisecond. With performance.now() itself (~60 ns) the clock would be most of every get.
const SERVICE_CLOCK = { now: coarseClock(() => performance.now()) }
const BATCH = 1000
const ENTRIES = 10_000
const HOT = 1000
export const L1_GET_REPETITIONS = 3

const STORE_NAMES: Record<L1PolicyName, string> = {
  lru: 'MemoryStore (lru)',
  sieve: 'SieveStore',
  s3fifo: 'S3FifoStore',
  tinylfu: 'TinyLfuStore'
}
const RAW = 'LRUCache.get (raw)'

export interface L1GetCosts {
  /** ns per hit, one value per repetition, by policy. */
  nsPerGet: Record<L1PolicyName, number[]>
  rawNsPerGet: number[]
  /** Per repetition: the store's ns ÷ MemoryStore's (lru) ns. */
  ratioToLru: Record<L1PolicyName, number[]>
  /** Per repetition: the store's ns ÷ raw lru-cache's ns. */
  ratioToRaw: Record<L1PolicyName, number[]>
  /** ± % of each measurement: the 95% confidence interval of its median, per repetition. */
  rmePercent: Record<L1PolicyName | 'raw', number[]>
  rows: TaskResult[]
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function filledStore (policy: L1PolicyName, keys: readonly string[]): L1Store {
  const store = createL1Store(policy, { maxEntries: ENTRIES, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024, clock: SERVICE_CLOCK })
  for (const key of keys) store.set(key, createEntry(`{"id":${key}}`, Date.now()), { freshMs: 3_600_000 })
  return store
}

export async function measureL1Gets (repetitions = L1_GET_REPETITIONS): Promise<L1GetCosts> {
  const keys = Array.from({ length: ENTRIES }, (_, i) => String(1_000_000 + i))
  const stores = POLICIES.map((policy) => filledStore(policy, keys))
  const raw = new LRUCache<string, MemoryRecord>({ max: ENTRIES })
  for (const key of keys) raw.set(key, stores[0]!.get(key)!)
  const sink = new Sink()
  let i = 0
  // One function literal per store: a loop shared by all (one closure made in a map) would see
  // every store's class at its get call site, and V8 would optimize it for none.
  const [lru, sieve, s3fifo, tinylfu] = stores as [L1Store, L1Store, L1Store, L1Store]
  const loops: Record<L1PolicyName, () => void> = {
    lru: () => { for (let k = 0; k < BATCH; k++) sink.take(lru.get(keys[i++ % HOT]!) === undefined ? 0 : 1) },
    sieve: () => { for (let k = 0; k < BATCH; k++) sink.take(sieve.get(keys[i++ % HOT]!) === undefined ? 0 : 1) },
    s3fifo: () => { for (let k = 0; k < BATCH; k++) sink.take(s3fifo.get(keys[i++ % HOT]!) === undefined ? 0 : 1) },
    tinylfu: () => { for (let k = 0; k < BATCH; k++) sink.take(tinylfu.get(keys[i++ % HOT]!) === undefined ? 0 : 1) }
  }
  const tasks = [
    ...POLICIES.map((policy) => ({ name: `${STORE_NAMES[policy]}.get (hit)`, batch: BATCH, fn: loops[policy] })),
    { name: RAW, batch: BATCH, fn: () => { for (let k = 0; k < BATCH; k++) sink.take(raw.get(keys[i++ % HOT]!) === undefined ? 0 : 1) } }
  ]
  const perPolicy = <T>(make: () => T): Record<L1PolicyName, T> => Object.fromEntries(POLICIES.map((p) => [p, make()])) as Record<L1PolicyName, T>
  const costs: L1GetCosts = {
    nsPerGet: perPolicy(() => []),
    rawNsPerGet: [],
    ratioToLru: perPolicy(() => []),
    ratioToRaw: perPolicy(() => []),
    rmePercent: { ...perPolicy((): number[] => []), raw: [] },
    rows: []
  }
  for (let r = 0; r < repetitions; r++) {
    const rows = await runAtSize('L1 get', BATCH, tasks)
    const ns = rows.map((row) => 1e9 / row.opsPerSecond)
    const rawNs = ns[POLICIES.length]!
    costs.rawNsPerGet.push(rawNs)
    costs.rmePercent.raw.push(rows[POLICIES.length]!.rmePercent)
    POLICIES.forEach((policy, p) => {
      costs.nsPerGet[policy].push(ns[p]!)
      costs.ratioToLru[policy].push(ns[p]! / ns[0]!)
      costs.ratioToRaw[policy].push(ns[p]! / rawNs)
      costs.rmePercent[policy].push(rows[p]!.rmePercent)
    })
    costs.rows.push(...rows.map((row) => ({ ...row, task: `${row.task} #${r + 1}` })))
  }
  return costs
}

const fmtRatios = (values: readonly number[]): string => `${median(values).toFixed(2)}× (${values.map((v) => v.toFixed(2)).join(', ')})`

/** One line per store: ns per hit (median of the repetitions) and its cost ratios. */
export function describeL1Gets (costs: L1GetCosts): string[] {
  return [
    `get (hit), ns: median of ${costs.rawNsPerGet.length} repetitions (each the median of 12 interleaved rounds); ratios per repetition in brackets`,
    ...POLICIES.map((policy) => `${STORE_NAMES[policy].padEnd(18)} ${median(costs.nsPerGet[policy]).toFixed(1).padStart(6)} ns ` +
      `(± ${median(costs.rmePercent[policy]).toFixed(1)}%)  ÷ MemoryStore ${fmtRatios(costs.ratioToLru[policy])}  ` +
      `÷ raw lru-cache ${fmtRatios(costs.ratioToRaw[policy])}`),
    `${RAW.padEnd(18)} ${median(costs.rawNsPerGet).toFixed(1).padStart(6)} ns (± ${median(costs.rmePercent.raw).toFixed(1)}%)`
  ]
}

/** `npm run bench -- l1`. */
export async function l1GetBench (out: NodeJS.WritableStream = process.stdout): Promise<TaskResult[]> {
  const costs = await measureL1Gets()
  for (const line of describeL1Gets(costs)) out.write(line + '\n')
  return costs.rows
}
