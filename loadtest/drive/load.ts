// One autocannon run: varied paths drawn per request, every 2xx latency kept at microsecond
// resolution (autocannon's own histogram truncates to whole milliseconds), bounded in time
// and in count, and stopped by itself.
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string
  /** The path of the next request (called once per request). */
  nextPath: () => string
  durationSeconds: number
  connections: number
  pipelining: number
  /** Fixed-rate mode: requests per second over all connections; null = closed loop, as fast as possible. */
  rate: number | null
  timeoutSeconds: number
  /** Stop at this many responses, even before the duration ends. */
  maxResponses: number
  /**
   * Send exactly this many requests, then end (autocannon's `amount`: spread over the
   * connections, so amount = connections sends one request per connection at once); the
   * duration is then only a bound. @default unset: run for the duration
   */
  amount?: number
  /** Keep the latency of every 2xx response (off for warm-ups). */
  recordLatencies: boolean
  /** Also keep when each response (and each failure) arrived, for time series. @default false */
  recordArrivals?: boolean
  /** Called about once a second with the seconds elapsed and the responses so far. */
  onTick?: (elapsedSeconds: number, responses: number) => void
  /**
   * Called with every response's status and body, and when it arrived (ms after the load
   * started), before it is counted: the scenarios that judge what was answered (a stale or an
   * old copy) read it here. autocannon keeps the body of every response anyway; this only hands
   * it over. @default unset
   */
  inspect?: (status: number, body: string, atMs: number) => void
}

export interface LoadOutcome {
  startedAt: Date
  /** performance.now() when the load started: the origin of `arrivals` (other probes align on it). */
  startedAtMs: number
  durationSeconds: number
  /** 2xx responses. */
  ok: number
  non2xx: number
  /** Connection errors, timeouts included (autocannon counts them so). */
  errors: number
  timeouts: number
  /** Body and header bytes of 2xx responses. */
  bytes: number
  statusCodes: Record<string, number>
  /** ms, one per 2xx response, in arrival order (empty unless recordLatencies). */
  latencies: Float64Array
  /** ms after startedAtMs each 2xx response arrived, parallel to `latencies` (empty unless recordArrivals). */
  arrivals: Float64Array
  /** ms after startedAtMs of each non-2xx answer and connection error (empty unless recordArrivals). */
  failureArrivals: Float64Array
}

/** A growable Float64Array with a hard cap (the run stops at maxResponses anyway). */
class SampleBuffer {
  #data: Float64Array
  #length = 0
  constructor (initial: number, readonly cap: number) {
    this.#data = new Float64Array(Math.max(16, Math.min(initial, cap)))
  }

  push (value: number): void {
    if (this.#length === this.#data.length) {
      if (this.#length >= this.cap) return
      const next = new Float64Array(Math.min(this.cap, this.#data.length * 2))
      next.set(this.#data)
      this.#data = next
    }
    this.#data[this.#length++] = value
  }

  values (): Float64Array {
    return this.#data.subarray(0, this.#length)
  }
}

export function runLoad (options: LoadOptions): Promise<LoadOutcome> {
  const {
    url,
    nextPath,
    durationSeconds,
    connections,
    pipelining,
    rate,
    timeoutSeconds,
    maxResponses,
    amount,
    recordLatencies,
    recordArrivals = false,
    onTick,
    inspect
  } = options
  const latencies = new SampleBuffer(recordLatencies ? 65_536 : 0, recordLatencies ? maxResponses : 0)
  const keepArrivals = recordLatencies && recordArrivals
  const arrivals = new SampleBuffer(keepArrivals ? 65_536 : 0, keepArrivals ? maxResponses : 0)
  const failureArrivals = new SampleBuffer(keepArrivals ? 1024 : 0, keepArrivals ? maxResponses : 0)
  const statusCodes: Record<string, number> = {}
  let ok = 0
  let non2xx = 0
  let bytes = 0
  let stopped = false
  const startedAt = new Date()
  const startedAtMs = performance.now()

  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url,
      connections,
      pipelining,
      duration: durationSeconds,
      timeout: timeoutSeconds,
      ...(amount === undefined ? {} : { amount }),
      // Every request gets its own path; autocannon rebuilds the request bytes when setupRequest is set.
      requests: [{
        method: 'GET',
        setupRequest: (request) => { request.path = nextPath(); return request },
        ...(inspect === undefined ? {} : { onResponse: (status: number, body: string) => inspect(status, body, performance.now() - startedAtMs) })
      }],
      ...(rate === null
        ? {}
        // We correct for coordinated omission ourselves from the raw latencies (see loadtest/measure/stats.ts):
        // autocannon 9's built-in correction passes ceil(1/rate) = 1 ms as the interval.
        : { overallRate: rate, ignoreCoordinatedOmission: true }),
      // autocannon only notices the end (duration, or stop()) at its next sample tick: 100 ms
      // instead of the default 1 s keeps a primed 500-path run under a second. Its per-sample
      // histograms are unused (our counters and latencies come from 'response' events).
      sampleInt: 100
    }, (err: unknown, result: autocannon.Result) => {
      clearTimeout(deadline)
      if (err !== null && err !== undefined) {
        reject(err instanceof Error ? err : new Error(String(err)))
        return
      }
      resolve({
        startedAt,
        startedAtMs,
        durationSeconds: result.duration,
        ok,
        non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        bytes,
        statusCodes,
        latencies: latencies.values(),
        arrivals: arrivals.values(),
        failureArrivals: failureArrivals.values()
      })
    })

    instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
      const key = String(statusCode)
      statusCodes[key] = (statusCodes[key] ?? 0) + 1
      if (statusCode >= 200 && statusCode < 300) {
        ok++
        bytes += resBytes
        if (recordLatencies) latencies.push(responseTime)
        if (keepArrivals) arrivals.push(performance.now() - startedAtMs)
      } else {
        non2xx++
        if (keepArrivals) failureArrivals.push(performance.now() - startedAtMs)
      }
      if (!stopped && ok + non2xx >= maxResponses) {
        stopped = true
        instance.stop()
      }
    })

    if (keepArrivals) instance.on('reqError', () => { failureArrivals.push(performance.now() - startedAtMs) })

    if (onTick !== undefined) {
      const began = Date.now()
      instance.on('tick', () => onTick((Date.now() - began) / 1000, ok + non2xx))
    }

    // autocannon ends on its own after `duration`; this is the bound if it ever does not.
    const deadline = setTimeout(() => {
      stopped = true
      instance.stop()
    }, (durationSeconds + timeoutSeconds + 10) * 1000)
    deadline.unref()
  })
}
