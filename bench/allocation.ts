// Bytes allocated by tip 2's sum variants, measured in a child process: `npm run bench` runs
// without --expose-gc and with the default young generation (16 MB semi-spaces), where a 10⁶
// call would be interrupted by scavenges that free part of what it allocated and the heapUsed
// delta would undercount. The child (bench/allocation-probe.ts) has gc() and 64 MB semi-spaces.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { AllocationRow } from './allocation-probe.js'

export type { AllocationRow }

const PROBE = fileURLToPath(new URL('./allocation-probe.js', import.meta.url))
export const PROBE_FLAGS = ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'] as const

export async function measureSumAllocation (sizes: readonly number[]): Promise<AllocationRow[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [...PROBE_FLAGS, PROBE, ...sizes.map(String)], { maxBuffer: 1024 * 1024 })
  return JSON.parse(stdout) as AllocationRow[]
}
