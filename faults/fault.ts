// The shape of one fault of the matrix: what it does to the topology (inject, and lift at the
// end of its window), what it looks at besides the load (prepare, settle), and the checks that
// state its expected outcome. The catalogue (catalogue.ts) lists them; the runner drives them.
import type { FaultBed, BedKind } from './beds.js'
import type { Check, FaultRow } from './row.js'
import type { MetricsSample } from './probes.js'
import type { Workload } from './workload.js'

export type Fact = string | number | boolean | null

export interface FaultContext {
  readonly bed: FaultBed
  readonly workload: Workload
  /** The window's length, ms: a fault that lasts is lifted after it. */
  readonly windowMs: number
  /** What the fault's probes saw; reported with the row and read by its checks. */
  readonly facts: Record<string, Fact>
  /** Free text for the report (what happened, in words). */
  note (message: string): void
}

/** What the checks read: the row's figures, and the metrics polled through the load. */
export type Measured = Omit<FaultRow, 'checks' | 'pass' | 'elapsedSeconds'> & { metrics: readonly MetricsSample[], injectAtMs: number, liftAtMs: number }

export interface FaultDefinition {
  /** Stable id, for --only and the JSON ('redis-kill'). */
  id: string
  title: string
  bed: BedKind
  /** What the fault is, for docs/reliability.md. */
  meaning: string
  /** The expected outcome, one sentence (the table's column). */
  expected: string
  /** Why that outcome is expected: which mechanism of the service gives it. */
  why: string
  /** Ask a cold key through nginx twice a second through the window (besides the load's own
   * trickle), so that a check on cold keys always has answers from inside the window. @default false */
  coldProbes?: boolean
  /** false: the bed is not reused after this row (a replaced process the stack does not know). @default true */
  leavesBedUsable?: boolean
  /** Before the load starts (snapshot pids, sockets). */
  prepare?: (ctx: FaultContext) => Promise<void>
  /** At the start of the window, under load. */
  inject: (ctx: FaultContext) => Promise<void>
  /** At the end of the window, under load (a lasting fault ends here). */
  lift?: (ctx: FaultContext) => Promise<void>
  /** After the load: probes of the end state (L2 serves again, worker count, sockets). */
  settle?: (ctx: FaultContext) => Promise<void>
  checks: (measured: Measured, facts: Readonly<Record<string, Fact>>) => Check[]
}
