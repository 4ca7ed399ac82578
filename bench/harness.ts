// A thin layer over tinybench: a task may run a batch of operations per call (a ~50 ns
// operation timed one call at a time measures the timer), and every result prints as ops/s
// with its spread: ± relative margin of error (95%) and the standard deviation.
import { Bench } from 'tinybench'

export interface BenchTask {
  name: string
  /** Runs `batch` operations. */
  fn: () => void
  /** Operations per call. @default 1 */
  batch?: number
}

export interface SuiteOptions {
  /** Time per task, ms. @default 1000 */
  timeMs?: number
  /** Warm-up time per task, ms. @default 200 */
  warmupMs?: number
}

export interface TaskResult {
  suite: string
  task: string
  opsPerSecond: number
  /** ± % of the mean at 95% confidence. */
  rmePercent: number
  /** Standard deviation of ops/s across samples. */
  sdOpsPerSecond: number
  samples: number
}

export async function runSuite (suite: string, tasks: readonly BenchTask[], { timeMs = 1000, warmupMs = 200 }: SuiteOptions = {}): Promise<TaskResult[]> {
  const bench = new Bench({ name: suite, time: timeMs, warmupTime: warmupMs, iterations: 10 })
  for (const task of tasks) bench.add(task.name, task.fn)
  await bench.run()
  return bench.tasks.map((task, i) => {
    const batch = tasks[i]!.batch ?? 1
    const result = task.result
    if (result.state !== 'completed') throw new Error(`${suite} / ${task.name}: ${result.state}${'error' in result ? `: ${String(result.error)}` : ''}`)
    return {
      suite,
      task: task.name,
      opsPerSecond: result.throughput.mean * batch,
      rmePercent: result.throughput.rme,
      sdOpsPerSecond: result.throughput.sd * batch,
      samples: result.throughput.samplesCount
    }
  })
}

const fmt = (n: number): string => n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3)

export function formatResults (results: readonly TaskResult[]): string {
  const rows = results.map((r) => [r.task, fmt(r.opsPerSecond), `± ${r.rmePercent.toFixed(2)}%`, fmt(r.sdOpsPerSecond), String(r.samples)])
  const header = ['task', 'ops/s', 'rme', 'sd (ops/s)', 'samples']
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)))
  const line = (cells: string[]): string => cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Keeps results alive so the optimizer cannot drop the work being measured. */
export class Sink {
  value = 0
  take (n: number): void { this.value = (this.value + n) | 0 }
}
