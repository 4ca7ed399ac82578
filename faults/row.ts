// One row of the fault matrix, as the reports and the JSON file carry it.
import type { Recovery, PhaseFigures, SecondFigures } from './timeline.js'

/** One stated expectation of a row and what the run showed. */
export interface Check {
  /** What is checked ("non-2xx", "breaker opened", …). */
  name: string
  expected: string
  actual: string
  pass: boolean
}

export interface OriginFigures {
  /** Calls the app made toward the provider over the whole load (fault proxy log). */
  calls: number
  /** The provider's own /stats delta over the load; null when it could not be read at both ends
   * (the provider killed, or answered for by the proxy). */
  providerCounted: number | null
  /** Calls per second: mean before the fault, highest single second in the window. */
  perSecondBefore: number
  maxPerSecondDuring: number
  /** Most calls for one key within one second of the window: a retry storm shows here. */
  maxPerKeyPerSecondDuring: number
}

export interface FaultRow {
  id: string
  title: string
  bed: string
  /** The expected outcome, one sentence. */
  expected: string
  /** Phase lengths, seconds. */
  phases: { before: number, window: number, after: number }
  /** The load's client connections (a kept-alive connection can lose at most its one request in flight). */
  connections: number
  /** Whole load. */
  requests: number
  non2xx: number
  /** Non-2xx answers for keys of the hot set (cached before the fault). */
  warmNon2xx: number
  /** …by status and error code. */
  warmFailures: Record<string, number>
  /** Requests that got no answer: connection errors, timeouts, and requests lost on a kept-alive
   * connection the server closed as they were sent. */
  errors: number
  /** Of those, the ones autocannon does not count as errors (lost on a closing connection). */
  lostSilently: number
  /** Requests autocannon wrote after an answer said Connection: close (so never read): the load
   * generator's fault (RFC 9112 §9.6), kept out of `errors`. */
  sentAfterClose: number
  before: PhaseFigures
  during: PhaseFigures
  after: PhaseFigures
  /** Answers for cold keys: status (and error code) → count. */
  coldAnswers: Record<string, number>
  /** Slowest answer of the whole load, ms. */
  maxLatencyMs: number | null
  origin: OriginFigures
  recovery: Recovery
  seconds: SecondFigures[]
  /** What the fault's own probes saw (breaker state, pids, sockets, failover…). */
  facts: Record<string, string | number | boolean | null>
  notes: string[]
  checks: Check[]
  pass: boolean
  /** Wall-clock length of the row, setup included, seconds. */
  elapsedSeconds: number
}

export interface MatrixResult {
  startedAt: string
  command: string
  quick: boolean
  /** The load, the same for every row. */
  load: { rate: number, connections: number, hotCities: number, coldShare: number, timeoutSeconds: number }
  /** The app environment every bed ran with. */
  appEnv: Record<string, string>
  originEnv: Record<string, string>
  host: { cpus: number, node: string }
  rows: FaultRow[]
  elapsedSeconds: number
  pass: boolean
}
