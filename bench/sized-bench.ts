// Runs tinybench tasks at one input size with a time budget that fits the size, and with
// statistics that survive a shared, noisy 2-core VM:
//  - budget: a call on 10² elements takes microseconds and needs many samples to beat the timer's
//    noise; a call on 10⁶ takes milliseconds, and 64 of them (tinybench's default minimum) would
//    blow the tips suite's ~3-minute budget.
//  - twelve interleaved rounds (A B C, C B A, A B C, …) of ~60–80 ms per task, samples pooled: on
//    this VM the same loop runs at half speed for a few hundred ms at a time (in CPU time too: the
//    host's neighbours), and short rounds spread those spells over all variants rather than onto
//    whichever ran at the time.
//  - the median per-call throughput, with the 95% confidence interval of the median: one
//    preempted call in 20 moves a mean by its whole delay, a median not at all.
// Results come back as the harness's TaskResult rows (ops/s with their spread).
import { Bench } from 'tinybench'
import type { BenchTask, TaskResult } from './harness.js'

interface Budget {
  /** Time per task over all rounds, ms. */
  time: number
  /** Minimum calls per task over all rounds (tinybench runs until both time and iterations are met). */
  iterations: number
  warmupTime: number
  warmupIterations: number
}

const ROUNDS = 12

/** Bigger sizes get fewer calls; the time budget dominates except for the slowest calls. */
export function budgetFor (size: number): Budget {
  if (size <= 1000) return { time: 700, iterations: 32, warmupTime: 150, warmupIterations: 16 }
  if (size <= 100_000) return { time: 700, iterations: 16, warmupTime: 150, warmupIterations: 8 }
  return { time: 1000, iterations: 6, warmupTime: 0, warmupIterations: 2 }
}

export async function runAtSize (suite: string, size: number, tasks: readonly BenchTask[]): Promise<TaskResult[]> {
  const budget = budgetFor(size)
  const latencies = tasks.map((): number[] => [])
  for (let round = 0; round < ROUNDS; round++) {
    const order = tasks.map((_, i) => round % 2 === 0 ? i : tasks.length - 1 - i)
    const bench = new Bench({
      name: suite,
      time: budget.time / ROUNDS,
      iterations: Math.ceil(budget.iterations / ROUNDS),
      // Warm up in the first round only: the later ones find the code optimized already.
      warmup: round === 0,
      warmupTime: budget.warmupTime,
      warmupIterations: budget.warmupIterations,
      retainSamples: true
    })
    for (const i of order) bench.add(tasks[i]!.name, tasks[i]!.fn)
    await bench.run()
    bench.tasks.forEach((task, k) => {
      const result = task.result
      if (result.state !== 'completed') throw new Error(`${suite} / ${task.name}: ${result.state}${'error' in result ? `: ${String(result.error)}` : ''}`)
      latencies[order[k]!]!.push(...(result.latency.samples ?? []))
    })
  }
  return tasks.map((task, i) => summarize(suite, task, latencies[i]!))
}

/** Per-call latencies (ms) → ops/s: the median, ± the relative half-width of its 95% confidence interval. */
export function summarize (suite: string, task: BenchTask, latenciesMs: readonly number[]): TaskResult {
  const batch = task.batch ?? 1
  const throughputs = latenciesMs.filter((ms) => ms > 0).map((ms) => batch * 1000 / ms).sort((a, b) => a - b)
  const n = throughputs.length
  if (n === 0) throw new Error(`${suite} / ${task.name}: no samples`)
  const at = (rank: number): number => throughputs[Math.min(n - 1, Math.max(0, rank))]!
  const median = n % 2 === 1 ? at(n >> 1) : (at(n / 2 - 1) + at(n / 2)) / 2
  // Distribution-free CI of the median: order statistics n/2 ∓ 1.96·√n/2 (normal approximation of the binomial).
  const half = 0.98 * Math.sqrt(n)
  const low = at(Math.floor(n / 2 - half))
  const high = at(Math.ceil(n / 2 + half) - 1)
  const mean = throughputs.reduce((sum, t) => sum + t, 0) / n
  const sd = Math.sqrt(throughputs.reduce((sum, t) => sum + (t - mean) ** 2, 0) / Math.max(1, n - 1))
  return { suite, task: task.name, opsPerSecond: median, rmePercent: 100 * (high - low) / 2 / median, sdOpsPerSecond: sd, samples: n }
}

const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹'

/** 100 → 10², 1000000 → 10⁶; other numbers as they are. */
export function sizeLabel (size: number): string {
  const exponent = Math.log10(size)
  if (!Number.isInteger(exponent) || exponent < 1) return size.toLocaleString('en-US')
  return '10' + [...String(exponent)].map((digit) => SUPERSCRIPTS[Number(digit)]).join('')
}
