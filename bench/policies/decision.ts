// Issue 17's rule for L1_POLICY's default, applied to numbers measured in one run. A candidate
// becomes the default only if it meets all three conditions; among those that do, the one with
// the highest hit ratio on Zipf α=0.9 at 1%. Otherwise LRU stays, and the study is the result.
//  (a) at 1% capacity on Zipf α=0.9 over all cities: ≥ 5 points above LRU and within 10 of MIN;
//  (b) on the scan-polluted stream, at the same 1% capacity: ≥ 10 points above LRU;
//  (c) get-hit cost within 10% of lru-cache's (the median ratio to MemoryStore, the lru-cache
//      store that is L1 today, over the repetitions of bench/l1-get.bench.ts).
// The fourth check, the hit path's req/s through nginx (npm run loadtest), is not
// measured here: it needs the full stack.
import type { L1PolicyName } from '../../src/config.js'
import type { StreamResult } from './study.js'

export const RULE = Object.freeze({
  capacityShare: 0.01,
  zipfStream: 'zipf-0.9',
  scanStream: 'scan-polluted',
  /** (a) points above LRU. */
  minGainOverLru: 5,
  /** (a) at most this many points below MIN. */
  maxGapToMin: 10,
  /** (b) points above LRU. */
  minScanGainOverLru: 10,
  /** (c) get-hit cost ratio. */
  maxCostRatio: 1.1
})

export interface CandidateCheck {
  policy: Exclude<L1PolicyName, 'lru'>
  /** Points: (policy − LRU) and (MIN − policy) on Zipf α=0.9 at 1%; (policy − LRU) on scan-polluted at 1%. */
  zipfGain: number
  zipfGapToMin: number
  scanGain: number
  /** Median get-hit cost ÷ MemoryStore's. */
  costRatio: number
  a: boolean
  b: boolean
  c: boolean
}

export interface Decision {
  checks: CandidateCheck[]
  /** The default the rule picks. */
  choice: L1PolicyName
  reason: string
}

function rowAt (results: readonly StreamResult[], stream: string): StreamResult['rows'][number] {
  const result = results.find((r) => r.name === stream)
  const row = result?.rows.find((r) => r.share === RULE.capacityShare)
  if (row === undefined) throw new Error(`the decision needs stream ${stream} at ${RULE.capacityShare * 100}% capacity`)
  return row
}

// Points to 1e-9: 0.35 − 0.30 is 0.04999… in floating point, and 5 points must count as 5.
const points = (ratio: number): number => Math.round(100 * ratio * 1e9) / 1e9

export function decide (results: readonly StreamResult[], costRatio: Readonly<Record<Exclude<L1PolicyName, 'lru'>, number>>): Decision {
  const zipf = rowAt(results, RULE.zipfStream)
  const scan = rowAt(results, RULE.scanStream)
  const candidates = Object.keys(costRatio) as Array<Exclude<L1PolicyName, 'lru'>>
  const checks = candidates.map((policy): CandidateCheck => {
    const zipfGain = points(zipf.policies[policy] - zipf.policies.lru)
    const zipfGapToMin = points(zipf.min - zipf.policies[policy])
    const scanGain = points(scan.policies[policy] - scan.policies.lru)
    const cost = costRatio[policy]
    return {
      policy,
      zipfGain,
      zipfGapToMin,
      scanGain,
      costRatio: cost,
      a: zipfGain >= RULE.minGainOverLru && zipfGapToMin <= RULE.maxGapToMin,
      b: scanGain >= RULE.minScanGainOverLru,
      c: cost <= RULE.maxCostRatio
    }
  })
  const passing = checks.filter((c) => c.a && c.b && c.c).sort((x, y) => zipf.policies[y.policy] - zipf.policies[x.policy])
  if (passing.length === 0) {
    return { checks, choice: 'lru', reason: 'no candidate meets all three conditions: LRU stays the default' }
  }
  const best = passing[0]!
  const among = passing.length > 1 ? ' with the highest hit ratio on Zipf α=0.9 at 1% among those that do' : ''
  return { checks, choice: best.policy, reason: `${best.policy} meets all three conditions${among}` }
}
