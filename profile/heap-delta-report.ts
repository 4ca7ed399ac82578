// The terminal view of `--heap-delta NAME`: the heap used around each call of one function.
import type { HeapDeltaStats } from '../src/profile-agent/heap-delta.js'

const bytes = (n: number): string => Math.round(n).toLocaleString('en-US')
const mib = (n: number): string => (n / 1048576).toFixed(2)

/** `where`: the function's TypeScript file:line, when the driver resolved it. */
export function formatHeapDelta (stats: HeapDeltaStats, { where }: { where?: string } = {}): string {
  const head = `Heap delta around ${stats.name}${where === undefined ? '' : ` (${where})`}, from --heap-delta: the function was wrapped in the ` +
    'profiled worker, so this run is perturbed (two heap reads and one more frame per call); the profiles above are of the perturbed run.'
  if (!stats.installed) return `${head}\nNot measured: ${stats.problem ?? 'the wrapper was not installed'}`
  if (stats.calls === 0) return `${head}\nNo calls while the profile recorded: is ${stats.name} on the path this load takes?`
  return [
    head,
    `calls ${stats.calls.toLocaleString('en-US')} (outermost only: a nested or recursive call is part of its caller's)` +
      (stats.returnedPromise > 0
        ? `; ${stats.returnedPromise.toLocaleString('en-US')} returned a promise: only their part before the first await is measured`
        : ''),
    `bytes per call: mean ${bytes(stats.meanBytes)}, median ${bytes(stats.medianBytes)}, max ${bytes(stats.maxBytes)}; total ${mib(stats.totalBytes)} MiB`,
    `heap used read before and after each call (v8.getHeapStatistics()); the reads' own ${bytes(stats.overheadBytes)} bytes per call are subtracted; ` +
      `they add ${stats.overheadUs} µs per call. ${stats.negative.toLocaleString('en-US')} call${stats.negative === 1 ? '' : 's'} saw the heap shrink ` +
      '(a GC ran inside it): the median is the robust figure.'
  ].join('\n')
}
