// The summary table every report shows, defined once: which columns, how each cell reads a
// result. The terminal and Markdown renderers only lay the cells out.
import { fmtInt, fmtMs, fmtNumber, fmtPct, fmtSpread, fmtTimes } from './format.js'
import type { Result, Results } from './schema.js'

export interface Column {
  header: string
  /** What the column means, for the legends (README, Markdown). */
  meaning: string
  align: 'left' | 'right'
  /** Shown in the narrow terminal table too. */
  terminal: boolean
  cell (result: Result): string
  /** Shown only when this holds for the run. @default always */
  shown?: (results: Results) => boolean
}

const errorsCell = (r: Result): string => {
  const { non2xx, errors, timeouts } = r.summary
  return non2xx + errors + timeouts === 0 ? '0' : `${non2xx}/${errors}/${timeouts}`
}

export const COLUMNS: readonly Column[] = [
  {
    header: 'target',
    meaning: 'baseline = the limit (/baseline/:city, a constant answer through the same nginx → cluster path); ' +
      'none, memory, redis, layered, layered-xfetch (layered + XFetch early refresh) = CACHE_STRATEGY; ' +
      'peer-bentocache, peer-cache-manager = the peer libraries behind the same route (same TTL, grace, L1 bounds and Redis); ' +
      'edge = nginx proxy_cache in front of the edge strategy, keeping an answer SHARED_MAX_AGE_SECONDS (the purge bound); ' +
      'edge-ttl = the same keeping it for its whole freshness (no purge bound); ' +
      'peer-varnish, peer-nginx-only, peer-undici-cache = what a user would deploy instead: Varnish in front of the cache-less app, ' +
      'nginx proxy_cache alone in front of the provider, the cache-less app with undici\'s HTTP cache (docs/peers.md)',
    align: 'left',
    terminal: true,
    cell: (r) => r.target
  },
  {
    header: 'req/s',
    meaning: '2xx responses per second (median over repetitions)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtInt(r.summary.requestsPerSecond.median)
  },
  {
    header: '±',
    meaning: 'half the range of req/s over repetitions, relative to the median (blank with one repetition)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtSpread(r.summary.requestsPerSecond.relative, r.measurements.length)
  },
  {
    header: '× none',
    meaning: 'req/s divided by none\'s req/s on the same scenario, in the same run',
    align: 'right',
    terminal: true,
    cell: (r) => fmtTimes(r.summary.ratioToNone)
  },
  {
    header: '× 1 Redis',
    meaning: 'on the Redis Cluster (<target>@cluster): req/s divided by the same target\'s on one Redis, same scenario, same run (--redis both)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtTimes(r.summary.ratioToSingleRedis ?? null),
    shown: (results) => results.results.some((r) => r.summary.ratioToSingleRedis !== undefined)
  },
  {
    header: '% limit',
    meaning: 'req/s as a share of baseline\'s req/s on the same scenario: how close to what this machine can serve at all',
    align: 'right',
    terminal: true,
    cell: (r) => fmtPct(r.summary.fractionOfLimit, 0)
  },
  { header: 'p50 ms', meaning: 'median latency of 2xx responses', align: 'right', terminal: true, cell: (r) => fmtMs(r.summary.latencyMs.p50) },
  { header: 'p90 ms', meaning: '90th percentile latency', align: 'right', terminal: false, cell: (r) => fmtMs(r.summary.latencyMs.p90) },
  { header: 'p99 ms', meaning: '99th percentile latency', align: 'right', terminal: true, cell: (r) => fmtMs(r.summary.latencyMs.p99) },
  { header: 'p99.9 ms', meaning: '99.9th percentile latency', align: 'right', terminal: true, cell: (r) => fmtMs(r.summary.latencyMs.p99_9) },
  { header: 'max ms', meaning: 'slowest 2xx response over all repetitions', align: 'right', terminal: false, cell: (r) => fmtMs(r.summary.latencyMs.max) },
  {
    header: 'origin calls',
    meaning: 'requests the weather provider served during the measured run (delta of its /stats)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtInt(r.summary.originCalls)
  },
  {
    header: 'per 1k req',
    meaning: 'origin calls per 1000 requests',
    align: 'right',
    terminal: false,
    cell: (r) => fmtNumber(r.summary.originCallsPer1kRequests, 1)
  },
  {
    header: 'hit',
    meaning: 'share of requests that cost no origin call (1 − misses / requests)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtPct(r.summary.hitRatio.overall)
  },
  {
    header: 'edge',
    meaning: 'share answered by nginx\'s proxy_cache (requests the app never saw)',
    align: 'right',
    terminal: false,
    cell: (r) => fmtPct(r.summary.hitRatio.edge)
  },
  {
    header: 'L1',
    meaning: 'share answered from the worker\'s memory (X-Cache: HIT-L1)',
    align: 'right',
    terminal: false,
    cell: (r) => fmtPct(r.summary.hitRatio.l1)
  },
  { header: 'L2', meaning: 'share answered from Redis (X-Cache: HIT-L2)', align: 'right', terminal: false, cell: (r) => fmtPct(r.summary.hitRatio.l2) },
  {
    header: 'non2xx/err/timeout',
    meaning: 'non-2xx answers / connection errors / timeouts, summed over repetitions',
    align: 'right',
    terminal: true,
    cell: errorsCell
  },
  {
    header: 'app CPU',
    meaning: 'cores the app (cluster primary + workers) kept busy: CPU seconds ÷ run seconds, from /proc',
    align: 'right',
    terminal: false,
    cell: (r) => fmtNumber(r.summary.appCpuCores, 2)
  },
  {
    header: 'µs CPU/req',
    meaning: 'app CPU time per request, microseconds: the cost side of req/s',
    align: 'right',
    terminal: true,
    cell: (r) => fmtInt(r.summary.appCpuMicrosPerRequest)
  }
]

/** The columns this run's reports show (a column about the cluster only when one ran). */
export function columnsFor (results: Results, columns: readonly Column[] = COLUMNS): Column[] {
  return columns.filter((c) => c.shown?.(results) ?? true)
}

/** Results of one scenario, in the order targets were measured. */
export function scenarioResults (results: Results, scenario: string): Result[] {
  return results.results.filter((r) => r.scenario === scenario)
}

export function cells (columns: readonly Column[], rows: readonly Result[]): string[][] {
  return rows.map((r) => columns.map((c) => c.cell(r)))
}

/** Fixed-width text table. */
export function renderTextTable (headers: readonly string[], rows: readonly string[][], align: ReadonlyArray<'left' | 'right'>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (row: readonly string[]): string =>
    row.map((cell, i) => (align[i] === 'left' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** GitHub-flavoured Markdown table. */
export function renderMarkdownTable (headers: readonly string[], rows: readonly string[][], align: ReadonlyArray<'left' | 'right'>): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|')
  const head = `| ${headers.map(escape).join(' | ')} |`
  const rule = `|${align.map((a) => (a === 'left' ? ':---' : '---:')).join('|')}|`
  return [head, rule, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n')
}
