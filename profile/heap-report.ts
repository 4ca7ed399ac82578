// The terminal view of a sampling heap profile: the top allocation sites, our own by their
// TypeScript file:line.
import type { AllocationSite, HeapSummary } from './heap-profile.js'
import { percent, renderTable } from './table.js'

const kib = (bytes: number): string => (bytes / 1024).toFixed(1)

/** Said wherever allocation sites are shown: the reason there is no per-line memory view. */
export const FUNCTIONS_NOT_LINES = 'V8\'s sampling heap profiler attributes allocations to functions, not lines: ' +
  'each site is a function (where it starts), with the bytes sampled while it was on top of the stack (self) or anywhere on it (total).'

export function formatHeapReport (summary: HeapSummary, { limit = 15 }: { limit?: number } = {}): string {
  return [
    `Sampling heap profile: ${kib(summary.totalBytes)} KiB sampled. Top ${limit} allocation sites by bytes allocated by the function itself.`,
    FUNCTIONS_NOT_LINES,
    renderTable<AllocationSite>(summary.sites.slice(0, limit), [
      { header: 'self KiB', value: (s) => kib(s.selfBytes), align: 'right' },
      { header: 'self %', value: (s) => percent(s.selfShare), align: 'right' },
      { header: 'total KiB', value: (s) => kib(s.totalBytes), align: 'right' },
      { header: 'function', value: (s) => s.name, maxWidth: 40 },
      { header: 'where', value: (s) => s.source ?? s.location, maxWidth: 64 },
      { header: 'code', value: (s) => s.origin }
    ])
  ].join('\n')
}
