// The fault matrix's load: one autocannon run at a fixed rate through nginx, every answer kept
// with what a fault row is judged by — when it arrived, its latency and status, which cache
// layer answered (X-Cache), whether its key was cold, and the error code of a non-2xx — and
// every request that got no answer at all. loadtest/drive/load.ts keeps 2xx latencies only; a fault
// row needs every answer, its headers, and the requests that vanished.
//
// Why the bookkeeping is per connection, not autocannon's own: when a server closes a kept-alive
// connection just as a request is written on it (nginx retiring a worker on reload), autocannon
// reconnects and sends the next request, but neither counts the lost one as an error nor drops
// it from its queue of requests awaiting an answer — every later latency on that connection is
// then measured from the lost request's start. With one request at a time per connection
// (pipelining 1), "a connection sends a request while its previous one is unanswered" is exactly
// "the previous one got no answer", and an answer belongs to the connection's last request.
// autocannon emits a client's 'request' right before it builds the next request (setupRequest),
// and calls onResponse right before the client's 'response': each pair runs synchronously, so
// the state one half leaves in `current` / `answered` is the other half's.
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'

/** X-Cache, as a small integer per answer. */
export const SOURCES = ['none', 'HIT-L1', 'HIT-L2', 'STALE', 'MISS'] as const
export type SourceName = typeof SOURCES[number]
const SOURCE_INDEX = new Map<string, number>(SOURCES.map((name, i) => [name, i]))

export interface NextRequest {
  path: string
  /** A key never requested before (a provider call is its only answer). */
  cold: boolean
}

export interface TrafficOptions {
  /** Base URL, e.g. nginx's. */
  url: string
  durationSeconds: number
  /** Requests per second over all connections (fixed rate: the timeline compares like with like). */
  rate: number
  connections: number
  /** A request unanswered this long counts as a timeout error. */
  timeoutSeconds: number
  next: () => NextRequest
  /** Answers kept, at most. @default 2_000_000 */
  maxResponses?: number
}

/** Every answer, column-wise (one index per answer, in arrival order). */
export interface TrafficRecord {
  /** performance.now() when the load started: `atMs` is relative to it. */
  startedAtMs: number
  durationSeconds: number
  atMs: Float64Array
  latencyMs: Float64Array
  status: Uint16Array
  /** Index into SOURCES. */
  source: Uint8Array
  cold: Uint8Array
  /** Error code of each non-2xx answer's JSON body (`code`), by answer index; '' when unreadable. */
  errorCodes: Map<number, string>
  /** ms after start at which each request that got no answer was found so (the connection's
   * next request): connection errors, timeouts, and requests lost on a closed connection. */
  unansweredAtMs: Float64Array
  /** Requests autocannon wrote on a connection whose last answer said Connection: close, and that
   * the server therefore never read: the load generator's fault (RFC 9112 §9.6), not the
   * service's — kept apart from `unansweredAtMs`. */
  sentAfterCloseAtMs: Float64Array
  /** What autocannon itself counted as errors (timeouts included); the unanswered beyond these were lost silently. */
  clientErrors: number
  timeouts: number
}

class Column<T extends Float64Array | Uint16Array | Uint8Array> {
  #data: T
  length = 0
  constructor (private readonly make: (n: number) => T) {
    this.#data = make(4096)
  }

  push (value: number): void {
    if (this.length === this.#data.length) {
      const next = this.make(this.#data.length * 2)
      next.set(this.#data)
      this.#data = next
    }
    this.#data[this.length++] = value
  }

  values (): T {
    return this.#data.subarray(0, this.length) as T
  }
}

function errorCodeOf (body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code
    return typeof code === 'string' ? code : ''
  } catch {
    return ''
  }
}

/** autocannon hands raw header names, as the server spelled them: looked up case-insensitively. */
function headerOf (headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined
  let value = headers[name]
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key]
        break
      }
    }
  }
  if (Array.isArray(value)) value = value[0]
  return typeof value === 'string' ? value : undefined
}

/** One connection's request in flight. */
interface Connection {
  cold: boolean
  sentAtMs: number
  outstanding: boolean
  requests: number
  /** The last answer said Connection: close (RFC 9112 §9.6: no further request may follow on it). */
  closeAnnounced: boolean
}

/** What onResponse read of an answer, for the client's 'response' that follows at once. */
interface Answered {
  status: number
  source: number
  code: string | undefined
  close: boolean
}

/** The parts of autocannon's Client used here (its setupClient hook hands it over). */
interface AutocannonClient {
  on (event: 'request' | 'response', listener: () => void): unknown
}

export function runTraffic (options: TrafficOptions): Promise<TrafficRecord> {
  const { url, durationSeconds, rate, connections, timeoutSeconds, next, maxResponses = 2_000_000 } = options
  if (!(rate > 0) || !(connections >= 1) || !(durationSeconds > 0)) {
    throw new RangeError(`expected a positive rate, connections and duration, got ${rate}, ${connections}, ${durationSeconds}`)
  }
  const atMs = new Column((n) => new Float64Array(n))
  const latencyMs = new Column((n) => new Float64Array(n))
  const status = new Column((n) => new Uint16Array(n))
  const source = new Column((n) => new Uint8Array(n))
  const cold = new Column((n) => new Uint8Array(n))
  const unansweredAtMs = new Column((n) => new Float64Array(n))
  const afterCloseAtMs = new Column((n) => new Float64Array(n))
  const errorCodes = new Map<number, string>()
  let clientErrors = 0
  let timeouts = 0
  const startedAtMs = performance.now()

  // The connection whose request is being built now; the chosen key of a request built before
  // its connection exists (autocannon builds each connection's first request in its constructor).
  let current: Connection | undefined
  let built: NextRequest | undefined
  let answered: Answered | undefined

  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url,
      connections,
      pipelining: 1,
      duration: durationSeconds,
      timeout: timeoutSeconds,
      overallRate: rate,
      // Latencies come from our own records, not autocannon's histogram.
      ignoreCoordinatedOmission: true,
      sampleInt: 100,
      setupClient: (client: AutocannonClient) => {
        const connection: Connection = { cold: built?.cold === true, sentAtMs: performance.now(), outstanding: false, requests: 0, closeAnnounced: false }
        client.on('request', () => {
          const now = performance.now()
          if (connection.outstanding) {
            if (connection.closeAnnounced) afterCloseAtMs.push(now - startedAtMs)
            else unansweredAtMs.push(now - startedAtMs)
          }
          connection.closeAnnounced = false
          connection.outstanding = true
          connection.sentAtMs = now
          // From the second on, setupRequest runs next, for this connection's request (the first was built with the connection).
          if (++connection.requests > 1) current = connection
        })
        client.on('response', () => {
          const now = performance.now()
          const answer = answered
          answered = undefined
          connection.outstanding = false
          connection.closeAnnounced = answer?.close === true
          if (answer === undefined || atMs.length >= maxResponses) return
          if (answer.code !== undefined) errorCodes.set(atMs.length, answer.code)
          atMs.push(now - startedAtMs)
          latencyMs.push(now - connection.sentAtMs)
          status.push(answer.status)
          source.push(answer.source)
          cold.push(connection.cold ? 1 : 0)
        })
      },
      requests: [{
        method: 'GET',
        setupRequest: (request) => {
          built = next()
          if (current !== undefined) current.cold = built.cold
          current = undefined
          request.path = built.path
          return request
        },
        onResponse: (code, body, _context, headers) => {
          answered = {
            status: code,
            source: SOURCE_INDEX.get(headerOf(headers, 'x-cache') ?? 'none') ?? 0,
            code: code < 200 || code >= 300 ? errorCodeOf(body) : undefined,
            close: headerOf(headers, 'connection')?.toLowerCase() === 'close'
          }
        }
      }]
    }, (err: unknown) => {
      clearTimeout(deadline)
      if (err !== null && err !== undefined) {
        reject(err instanceof Error ? err : new Error(String(err)))
        return
      }
      resolve({
        startedAtMs,
        durationSeconds,
        atMs: atMs.values(),
        latencyMs: latencyMs.values(),
        status: status.values(),
        source: source.values(),
        cold: cold.values(),
        errorCodes,
        unansweredAtMs: unansweredAtMs.values(),
        sentAfterCloseAtMs: afterCloseAtMs.values(),
        clientErrors,
        timeouts
      })
    })
    instance.on('reqError', (err: Error) => {
      clientErrors++
      if (err.message === 'request timed out') timeouts++ // autocannon's own words for its timeout
    })
    // autocannon ends on its own after `duration`; this is the bound if it ever does not.
    const deadline = setTimeout(() => instance.stop(), (durationSeconds + timeoutSeconds + 10) * 1000)
    deadline.unref()
  })
}
