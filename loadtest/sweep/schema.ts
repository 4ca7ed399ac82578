// sweep.json's schema (`npm run loadtest -- --sweep`), version 1: the latency-against-offered-load
// curves with their knees, and the cost-against-work curves. SCHEMA.md says what every field
// means (a test checks that each is listed there); the writer validates before writing.
import Type, { type Static } from 'typebox'
import { Int, LatencySchema, NonNeg, Nullable, schemaProblems, Strict } from '../report/schema-parts.js'

export const SWEEP_SCHEMA_VERSION = 1

export const SweepPointSchema = Type.Object({
  offeredRate: NonNeg,
  achievedRate: NonNeg,
  connections: Int,
  durationSeconds: NonNeg,
  latencyMs: LatencySchema,
  correctedLatencyMs: LatencySchema,
  non2xx: Int,
  errors: Int,
  timeouts: Int,
  appCpuCores: Nullable(NonNeg),
  servingCpuMicrosPerRequest: Nullable(NonNeg)
}, Strict('SweepPoint'))

export const KneeSchema = Type.Object({
  boundMs: NonNeg,
  rate: Nullable(NonNeg),
  p99Ms: Nullable(NonNeg),
  achievedRate: Nullable(NonNeg),
  firstFailedRate: Nullable(NonNeg),
  nonMonotone: Type.Boolean()
}, Strict('Knee'))

export const CurveSchema = Type.Object({
  target: Type.String(),
  closedLoopRate: NonNeg,
  closedLoopP99Ms: NonNeg,
  points: Type.Array(SweepPointSchema),
  knee: KneeSchema
}, Strict('Curve'))

export const CostPointSchema = Type.Object({
  label: Type.String(),
  cities: Int,
  workers: Int,
  instances: Int,
  bytesPerAnswer: Nullable(NonNeg),
  requestsPerSecond: NonNeg,
  latencyMs: LatencySchema,
  appCpuCores: Nullable(NonNeg),
  appCpuMicrosPerRequest: Nullable(NonNeg),
  servingCpuMicrosPerRequest: Nullable(NonNeg),
  l1Share: Nullable(NonNeg),
  l2Share: Nullable(NonNeg),
  missShare: Nullable(NonNeg),
  non2xx: Int,
  errors: Int
}, Strict('CostPoint'))

export const SweepResultsSchema = Type.Object({
  schemaVersion: Type.Literal(SWEEP_SCHEMA_VERSION),
  tool: Type.Literal('cachestack-loadtest-sweep'),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  wallSeconds: NonNeg,
  command: Type.String(),
  machine: Type.Object({
    node: Type.String(),
    cpus: Int,
    cpuModel: Type.String(),
    totalMemoryBytes: Int,
    loadAverage: Type.Array(NonNeg)
  }, Strict('SweepMachine')),
  settings: Type.Object({
    quick: Type.Boolean(),
    scenario: Type.String(),
    scenarioDescription: Type.String(),
    p99BoundMs: NonNeg,
    fractions: Type.Array(NonNeg),
    stepSeconds: NonNeg,
    costSeconds: NonNeg,
    probeSeconds: NonNeg,
    warmupSeconds: NonNeg,
    connections: Int,
    workers: Int,
    method: Type.String(),
    costMethod: Type.String()
  }, Strict('SweepSettings')),
  curves: Type.Array(CurveSchema),
  cost: Type.Object({
    target: Type.String(),
    cities: Type.Array(CostPointSchema),
    topology: Type.Array(CostPointSchema),
    size: Type.Array(CostPointSchema)
  }, Strict('Cost')),
  warnings: Type.Array(Type.String())
}, Strict('SweepResults'))

export type SweepPoint = Static<typeof SweepPointSchema>
export type CurveInfo = Static<typeof CurveSchema>
export type CostPoint = Static<typeof CostPointSchema>
export type SweepResults = Static<typeof SweepResultsSchema>

export function validateSweepResults (value: unknown): string[] {
  return schemaProblems(SweepResultsSchema, value)
}

/** JSON text of a sweep, refused when it does not match its schema. */
export function renderSweepJson (results: SweepResults): string {
  const problems = validateSweepResults(results)
  if (problems.length > 0) throw new Error(`the sweep's results do not match their schema:\n  ${problems.slice(0, 10).join('\n  ')}`)
  return JSON.stringify(results, null, 2) + '\n'
}
