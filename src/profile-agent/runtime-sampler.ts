// What a CPU profile does not show: memory over the run (RSS, heap used and total, external,
// array buffers: what `mprof run` records, at a fixed interval), each GC pause with its time,
// event-loop delay (p50/p99) and utilization. Everything here runs on timers and observers,
// never on the request path, and only between start() and stop().
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks'

export interface RuntimeSamplerOptions {
  /** Interval of memory/ELU samples, ms (mprof's default is 100 too). @default 100 */
  intervalMs?: number
  /** Resolution of the event-loop delay histogram, ms. @default 10 */
  delayResolutionMs?: number
}

export interface MemorySample {
  /** ms since start. */
  t: number
  heapUsed: number
  heapTotal: number
  rss: number
  /** C++ objects bound to JavaScript objects, array buffers' backing stores included. */
  external: number
  /** ArrayBuffer and SharedArrayBuffer backing stores (Buffers among them); part of external. */
  arrayBuffers: number
  /** Event-loop utilization over the interval before this sample, 0..1. */
  elu: number
}

/** One GC pause, as the 'gc' performance entry reports it. */
export interface GcPause {
  /** ms since start, when the pause began. */
  t: number
  /** Pause length, ms. */
  ms: number
  kind: string
}

export interface RuntimeStats {
  durationMs: number
  /** The sampling interval asked for, ms. */
  intervalMs: number
  samples: MemorySample[]
  gc: {
    count: number
    totalMs: number
    maxMs: number
    byKind: Record<string, { count: number, totalMs: number }>
    /** Each pause, in order; the first MAX_GC_PAUSES of them (the counts above include all). */
    pauses: GcPause[]
  }
  /** ms; from a histogram of the loop's lateness in noticing a timer. */
  eventLoopDelay: { min: number, p50: number, p99: number, max: number, mean: number }
  /** Share of the run the loop was busy, 0..1. */
  eventLoopUtilization: number
}

// perf_hooks constants.NODE_PERFORMANCE_GC_* → a name people read.
const GC_KINDS: Record<number, string> = { 1: 'major', 2: 'minor', 4: 'incremental', 8: 'weakcb' }

/** Pauses kept one by one: a bounded record (a long run under allocation pressure has many minor GCs). */
export const MAX_GC_PAUSES = 10_000

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits

export class RuntimeSampler {
  readonly #intervalMs: number
  readonly #histogram
  readonly #samples: MemorySample[] = []
  readonly #gc: RuntimeStats['gc'] = { count: 0, totalMs: 0, maxMs: 0, byKind: {}, pauses: [] }
  #observer: PerformanceObserver | undefined
  #timer: NodeJS.Timeout | undefined
  #startedAt = 0
  #eluStart: EventLoopUtilization | undefined
  #eluLast: EventLoopUtilization | undefined

  constructor ({ intervalMs = 100, delayResolutionMs = 10 }: RuntimeSamplerOptions = {}) {
    if (!(intervalMs >= 10)) throw new TypeError(`expected intervalMs >= 10, got ${intervalMs}`)
    this.#intervalMs = intervalMs
    this.#histogram = monitorEventLoopDelay({ resolution: delayResolutionMs })
  }

  start (): void {
    if (this.#timer !== undefined) throw new Error('the runtime sampler is already running')
    this.#startedAt = performance.now()
    this.#eluStart = this.#eluLast = performance.eventLoopUtilization()
    this.#histogram.enable()
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other'
        const slot = (this.#gc.byKind[kind] ??= { count: 0, totalMs: 0 })
        slot.count++
        slot.totalMs += entry.duration
        this.#gc.count++
        this.#gc.totalMs += entry.duration
        if (entry.duration > this.#gc.maxMs) this.#gc.maxMs = entry.duration
        if (this.#gc.pauses.length < MAX_GC_PAUSES) {
          this.#gc.pauses.push({ t: round(entry.startTime - this.#startedAt, 1), ms: round(entry.duration, 2), kind })
        }
      }
    })
    this.#observer.observe({ entryTypes: ['gc'] })
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs)
    // A sampler must never be what keeps a draining worker alive.
    this.#timer.unref()
  }

  #sample (): void {
    const { heapUsed, heapTotal, rss, external, arrayBuffers } = process.memoryUsage()
    const now = performance.eventLoopUtilization()
    const elu = performance.eventLoopUtilization(now, this.#eluLast).utilization
    this.#eluLast = now
    const t = Math.round(performance.now() - this.#startedAt)
    this.#samples.push({ t, heapUsed, heapTotal, rss, external, arrayBuffers, elu: Number.isFinite(elu) ? elu : 0 })
  }

  stop (): RuntimeStats {
    if (this.#timer === undefined) throw new Error('the runtime sampler is not running')
    this.#sample()
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#observer?.disconnect()
    this.#histogram.disable()
    const h = this.#histogram
    const ns = (value: number): number => Math.round(value / 1e4) / 100
    return {
      durationMs: Math.round(performance.now() - this.#startedAt),
      intervalMs: this.#intervalMs,
      samples: this.#samples.slice(),
      gc: structuredClone(this.#gc),
      eventLoopDelay: h.count === 0
        ? { min: 0, p50: 0, p99: 0, max: 0, mean: 0 }
        : { min: ns(h.min), p50: ns(h.percentile(50)), p99: ns(h.percentile(99)), max: ns(h.max), mean: ns(h.mean) },
      eventLoopUtilization: performance.eventLoopUtilization(this.#eluStart).utilization
    }
  }
}
