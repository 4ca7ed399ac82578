// The results file's schema, version 3: the one source of truth for its shape (TypeScript
// types derive from it; the JSON writer and `compare` validate against it). SCHEMA.md says
// what every field means. Bump SCHEMA_VERSION on any change that breaks a reader.
import Type, { type Static } from 'typebox'
import { Int, LatencySchema, NonNeg, Nullable, Num, schemaProblems, Strict } from './schema-parts.js'

export { LatencySchema }

export const SCHEMA_VERSION = 3

export const SpreadSchema = Type.Object({ median: Num, min: Num, max: Num, relative: NonNeg }, Strict('Spread'))

export const UsageSchema = Type.Object({
  cpuSeconds: NonNeg,
  cpuCores: NonNeg,
  cpuMicrosPerRequest: Nullable(NonNeg),
  rssBytes: Int,
  peakRssBytes: Int,
  processes: Int
}, Strict('Usage'))

export const HitRatioSchema = Type.Object({
  edge: Nullable(NonNeg),
  l1: Nullable(NonNeg),
  l2: Nullable(NonNeg),
  overall: Nullable(NonNeg),
  miss: Nullable(NonNeg)
}, Strict('HitRatio'))

export const CacheCountsSchema = Type.Object({
  appRequests: Nullable(Int),
  edgeHits: Nullable(Int),
  l1Hits: Nullable(Int),
  l2Hits: Nullable(Int),
  misses: Nullable(Int),
  appOriginRequests: Nullable(Int)
}, Strict('CacheCounts'))

export const ResourcesSchema = Type.Object({
  app: Nullable(UsageSchema),
  nginx: Nullable(UsageSchema),
  redis: Nullable(UsageSchema),
  origin: Nullable(UsageSchema),
  loadgen: Type.Object({ cpuSeconds: NonNeg, cpuCores: NonNeg }, Strict('LoadgenUsage'))
}, Strict('Resources'))

export const TimelineBucketSchema = Type.Object({
  second: Int,
  responses: Int,
  failures: Int,
  p50Ms: Nullable(NonNeg),
  p99Ms: Nullable(NonNeg),
  maxMs: Nullable(NonNeg),
  originCalls: Nullable(Int),
  /** Version 3: stale answers in it (with the provider proxy's stamps). */
  staleAnswers: Type.Optional(Nullable(Int))
}, Strict('TimelineBucket'))

export const ExpiryWindowSchema = Type.Object({
  firstExpirySeconds: Num,
  lastExpirySeconds: Num,
  fromSeconds: NonNeg,
  toSeconds: NonNeg,
  responses: Int,
  failures: Int,
  latencyMs: LatencySchema,
  originCalls: Nullable(Int)
}, Strict('ExpiryWindow'))

export const StampedeWaveSchema = Type.Object({
  path: Type.String(),
  requests: Int,
  responses: Int,
  failures: Int,
  firstAnswerMs: Nullable(NonNeg),
  lastAnswerMs: Nullable(NonNeg),
  originCalls: Nullable(Int)
}, Strict('StampedeWave'))

export const StampedeSchema = Type.Object({
  connections: Int,
  waves: Type.Array(StampedeWaveSchema)
}, Strict('Stampede'))

/** origin-outage: the provider answered 503 from `fromSeconds` to `toSeconds` of the run. */
export const OutageSchema = Type.Object({
  fromSeconds: NonNeg,
  toSeconds: NonNeg,
  responses: Int,
  failures: Int,
  staleAnswers: Nullable(Int),
  latencyMs: LatencySchema,
  originCalls: Nullable(Int),
  responsesAfter: Int,
  failuresAfter: Int,
  staleAnswersAfter: Nullable(Int),
  originCallsAfter: Nullable(Int)
}, Strict('Outage'))

/** purge: one key purged under load, at `purgedAtSeconds`; its answers before and after. */
export const PurgeSchema = Type.Object({
  path: Type.String(),
  method: Nullable(Type.String()),
  status: Nullable(Int),
  requestMs: Nullable(NonNeg),
  purgedAtSeconds: NonNeg,
  answersAfter: Int,
  oldAnswersAfter: Int,
  firstNewMs: Nullable(NonNeg),
  lastOldMs: Nullable(NonNeg),
  timeToFreshMs: Nullable(NonNeg)
}, Strict('Purge'))

/** One Redis Cluster node after a run (--redis cluster|both). */
export const ShardSchema = Type.Object({
  port: Int,
  role: Type.Union([Type.Literal('master'), Type.Literal('replica')]),
  keys: Int
}, Strict('Shard'))

export const MeasurementSchema = Type.Object({
  repetition: Int,
  seed: Int,
  startedAt: Type.String(),
  durationSeconds: NonNeg,
  requests: Int,
  requestsPerSecond: NonNeg,
  bytes: Int,
  bytesPerSecond: NonNeg,
  non2xx: Int,
  errors: Int,
  timeouts: Int,
  statusCodes: Type.Record(Type.String(), Int),
  latencyMs: LatencySchema,
  correctedLatencyMs: Nullable(LatencySchema),
  originCalls: Nullable(Int),
  cache: CacheCountsSchema,
  hitRatio: HitRatioSchema,
  resources: ResourcesSchema,
  // Only the storms fill these; optional, so that a Measurement built elsewhere (the ladder) stays valid.
  timeline: Type.Optional(Nullable(Type.Array(TimelineBucketSchema))),
  expiryWindow: Type.Optional(Nullable(ExpiryWindowSchema)),
  stampede: Type.Optional(Nullable(StampedeSchema)),
  /** Only on a Redis Cluster: absent on one Redis, so older documents stay valid. */
  redisShards: Type.Optional(Type.Array(ShardSchema)),
  // Version 3, all optional: documents of version 2 are version 3 documents as they are.
  staleAnswers: Type.Optional(Nullable(Int)),
  outage: Type.Optional(Nullable(OutageSchema)),
  purge: Type.Optional(Nullable(PurgeSchema))
}, Strict('Measurement'))

export const SummarySchema = Type.Object({
  requestsPerSecond: SpreadSchema,
  p99Ms: SpreadSchema,
  latencyMs: LatencySchema,
  correctedLatencyMs: Nullable(LatencySchema),
  bytesPerSecond: NonNeg,
  non2xx: Int,
  errors: Int,
  timeouts: Int,
  originCalls: Nullable(NonNeg),
  originCallsPer1kRequests: Nullable(NonNeg),
  hitRatio: HitRatioSchema,
  appCpuCores: Nullable(NonNeg),
  appCpuMicrosPerRequest: Nullable(NonNeg),
  appRssBytes: Nullable(NonNeg),
  ratioToNone: Nullable(NonNeg),
  fractionOfLimit: Nullable(NonNeg),
  /** Only for `<target>@cluster` results. */
  ratioToSingleRedis: Type.Optional(Nullable(NonNeg)),
  expiryP99Ms: Nullable(NonNeg),
  expiryOriginCalls: Nullable(NonNeg),
  expiryFailures: Nullable(Int),
  firstAnswerMs: Nullable(NonNeg),
  lastAnswerMs: Nullable(NonNeg),
  maxOriginCallsPerWave: Nullable(Int),
  servingCpuMicrosPerRequest: Type.Optional(Nullable(NonNeg)),
  staleAnswers: Type.Optional(Nullable(NonNeg)),
  outageAvailability: Type.Optional(Nullable(NonNeg)),
  outageStaleAnswers: Type.Optional(Nullable(NonNeg)),
  outageOriginCalls: Type.Optional(Nullable(NonNeg)),
  recoveryOriginCalls: Type.Optional(Nullable(NonNeg)),
  purgeSupported: Type.Optional(Nullable(Type.Boolean())),
  timeToFreshMs: Type.Optional(Nullable(NonNeg))
}, Strict('Summary'))

export const TARGET_KINDS = ['limit', 'strategy', 'edge', 'peer'] as const
const KindSchema = Type.Union([Type.Literal('limit'), Type.Literal('strategy'), Type.Literal('edge'), Type.Literal('peer')])

export const ResultSchema = Type.Object({
  target: Type.String(),
  kind: KindSchema,
  scenario: Type.String(),
  measurements: Type.Array(MeasurementSchema, { minItems: 1 }),
  summary: SummarySchema
}, Strict('Result'))

export const TargetSchema = Type.Object({
  name: Type.String(),
  kind: KindSchema,
  /** The app's CACHE_STRATEGY behind this target, when known. */
  strategy: Nullable(Type.String()),
  edgeCache: Type.Boolean(),
  pathPrefix: Type.String(),
  /** The L2 topology, in --redis cluster|both runs only. */
  redis: Type.Optional(Type.Union([Type.Literal('single'), Type.Literal('cluster')])),
  /** The L1 policy it ran with (L1_POLICY), in --l1-policy runs only. */
  l1Policy: Type.Optional(Type.String())
}, Strict('Target'))

export const ScenarioSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  kind: Type.Union([Type.Literal('steady'), Type.Literal('stampede'), Type.Literal('expiry'), Type.Literal('outage'), Type.Literal('purge')]),
  coldStart: Type.Boolean(),
  appEnv: Type.Record(Type.String(), Type.String()),
  distinctPaths: Int,
  topPathShare: NonNeg,
  top10PercentShare: NonNeg
}, Strict('Scenario'))

export const ResultsSchema = Type.Object({
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  tool: Type.Literal('cachestack-loadtest'),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  wallSeconds: NonNeg,
  command: Type.String(),
  machine: Type.Object({
    node: Type.String(),
    platform: Type.String(),
    arch: Type.String(),
    cpus: Int,
    cpuModel: Type.String(),
    totalMemoryBytes: Int
  }, Strict('Machine')),
  topology: Type.Object({
    mode: Type.Union([Type.Literal('native'), Type.Literal('external')]),
    workers: Nullable(Int),
    loadUrl: Type.String(),
    metricsUrl: Nullable(Type.String()),
    originStatsUrl: Nullable(Type.String())
  }, Strict('Topology')),
  options: Type.Object({
    quick: Type.Boolean(),
    durationSeconds: NonNeg,
    warmupSeconds: NonNeg,
    connections: Int,
    pipelining: Int,
    repetitions: Int,
    rate: Nullable(NonNeg),
    timeoutSeconds: NonNeg,
    maxRequestsPerRun: Int,
    cities: Int,
    zipfLaw: Type.String(),
    zipfExponent: NonNeg,
    seed: Int,
    stormCities: Nullable(Int),
    stormTtlSeconds: Nullable(NonNeg),
    stampedeConnections: Nullable(Int),
    stampedeWaves: Nullable(Int),
    outageSeconds: Type.Optional(Nullable(NonNeg))
  }, Strict('Options')),
  latency: Type.Object({
    resolution: Type.String(),
    correctedForCoordinatedOmission: Type.Boolean(),
    method: Type.String()
  }, Strict('LatencyMethod')),
  scenarios: Type.Array(ScenarioSchema),
  targets: Type.Array(TargetSchema),
  results: Type.Array(ResultSchema),
  warnings: Type.Array(Type.String())
}, Strict('Results'))

export type LatencyStats = Static<typeof LatencySchema>
export type TimelineBucketInfo = Static<typeof TimelineBucketSchema>
export type ExpiryWindowInfo = Static<typeof ExpiryWindowSchema>
export type StampedeInfo = Static<typeof StampedeSchema>
export type OutageInfo = Static<typeof OutageSchema>
export type PurgeInfo = Static<typeof PurgeSchema>
export type SpreadStats = Static<typeof SpreadSchema>
export type Usage = Static<typeof UsageSchema>
export type HitRatio = Static<typeof HitRatioSchema>
export type CacheCounts = Static<typeof CacheCountsSchema>
export type Resources = Static<typeof ResourcesSchema>
export type Measurement = Static<typeof MeasurementSchema>
export type Summary = Static<typeof SummarySchema>
export type TargetKind = typeof TARGET_KINDS[number]
export type TargetInfo = Static<typeof TargetSchema>
export type ScenarioInfo = Static<typeof ScenarioSchema>
export type Result = Static<typeof ResultSchema>
export type Results = Static<typeof ResultsSchema>

/** Problems with a parsed results file, as `path: message` lines; empty when it is valid. */
export function validateResults (value: unknown): string[] {
  return schemaProblems(ResultsSchema, value)
}

type Json = Record<string, unknown>

/**
 * A version 1 document in version 2's shape: v2 only added fields, each of which a v1 run did
 * not measure, so they become null (and `{}`, `steady` for a scenario's environment and kind).
 * A v1 file can then be compared with a v2 one.
 */
export function upgradeFromV1 (value: Json): Json {
  const v = structuredClone(value)
  v.schemaVersion = 2
  const options = v.options as Json | undefined
  if (options !== undefined) Object.assign(options, { stormCities: null, stormTtlSeconds: null, stampedeConnections: null, stampedeWaves: null })
  for (const scenario of (v.scenarios as Json[] | undefined) ?? []) {
    Object.assign(scenario, { kind: 'steady', appEnv: {} })
  }
  for (const result of (v.results as Json[] | undefined) ?? []) {
    for (const m of (result.measurements as Json[] | undefined) ?? []) Object.assign(m, { timeline: null, expiryWindow: null, stampede: null })
    const summary = result.summary as Json | undefined
    if (summary !== undefined) {
      Object.assign(summary, {
        expiryP99Ms: null,
        expiryOriginCalls: null,
        expiryFailures: null,
        firstAnswerMs: null,
        lastAnswerMs: null,
        maxOriginCallsPerWave: null
      })
    }
  }
  return v
}

/** Version 3 only added optional fields (peers, outage, purge): a version 2 document is one as it is. */
export function upgradeFromV2 (value: Json): Json {
  return { ...value, schemaVersion: 3 }
}

/** Parses and validates a results file's text (version 1 and 2 files are upgraded); throws naming the file and each problem. */
export function parseResults (text: string, source: string): Results {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new Error(`${source}: not JSON: ${(err as Error).message}`)
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion
  if (version === 1) value = upgradeFromV2(upgradeFromV1(value as Json))
  else if (version === 2) value = upgradeFromV2(value as Json)
  else if (version !== SCHEMA_VERSION) throw new Error(`${source}: schemaVersion ${JSON.stringify(version)}, this tool reads 1 to ${SCHEMA_VERSION}`)
  const problems = validateResults(value)
  if (problems.length > 0) throw new Error(`${source}: not a valid results file:\n  ${problems.slice(0, 10).join('\n  ')}`)
  return value as Results
}
