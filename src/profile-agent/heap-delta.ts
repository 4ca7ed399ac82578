// `--heap-delta NAME`: what memory_profiler does per line, done per call of one function, since
// V8 has no per-line allocation record. The function (a top-level function or a class method or
// getter of one of our modules) is wrapped from inside its own module (heap-delta-target.ts); each
// outermost call while a session records reads V8's used heap size before and after and keeps the
// difference. It perturbs the run, which is why it is an explicit flag: two heap-statistics reads
// per call (each allocates a result object; their bytes are measured at start and subtracted), a
// module-loader thread for the hooks, and one more frame on every call of the function.
import { register } from 'node:module'
import { getHeapStatistics } from 'node:v8'
import { HEAP_DELTA_GLOBAL_KEY, heapDeltaName, type HeapDeltaTarget } from './heap-delta-target.js'

export interface HeapDeltaStats {
  /** `resolveCity`, `CityIndex.resolve`. */
  name: string
  /** The module's file: URL. */
  url: string
  /** Whether the module loaded and the wrapper replaced the function. */
  installed: boolean
  /** Why it was not (a const binding, no such method), or null. */
  problem: string | null
  /** Outermost calls measured while recording. */
  calls: number
  /** Of them, calls that returned a promise: only their synchronous part (to the first await) is measured. */
  returnedPromise: number
  /** Calls whose heap used went down: a GC (or concurrent sweeping) freed more than the call allocated. */
  negative: number
  /** Bytes one empty before/after pair reads (its own result objects): subtracted from every delta. */
  overheadBytes: number
  /** Wall time one before/after pair adds to a call, µs. */
  overheadUs: number
  /** Net bytes per call (after the subtraction). */
  meanBytes: number
  /** Of at most MEDIAN_RESERVOIR calls drawn uniformly. */
  medianBytes: number
  maxBytes: number
  minBytes: number
  totalBytes: number
}

/** Calls kept for the median (reservoir sampling beyond it): a bounded record of an unbounded run. */
export const MEDIAN_RESERVOIR = 65_536

const usedHeap = (): number => getHeapStatistics().used_heap_size

/** The object the rewritten module calls into; one per profiled worker, reused by every session. */
export class HeapDeltaRecorder {
  /** Read by the wrapper on every call: false outside a session, so an armed worker pays one branch. */
  active = false
  depth = 0
  readonly #target: HeapDeltaTarget
  #installed = false
  #problem: string | null = null
  #overheadBytes = 0
  #overheadUs = 0
  #calls = 0
  #promises = 0
  #negative = 0
  #sum = 0
  #min = Infinity
  #max = -Infinity
  readonly #reservoir = new Float64Array(MEDIAN_RESERVOIR)
  readonly #random: () => number

  constructor (target: HeapDeltaTarget, { random = Math.random }: { random?: () => number } = {}) {
    this.#target = target
    this.#random = random
  }

  enter (): number {
    this.depth++
    return usedHeap()
  }

  leave (before: number, result: unknown): void {
    const delta = usedHeap() - before - this.#overheadBytes
    this.depth--
    const n = this.#calls++
    this.#sum += delta
    if (delta < this.#min) this.#min = delta
    if (delta > this.#max) this.#max = delta
    if (delta < 0) this.#negative++
    if (typeof (result as { then?: unknown } | null)?.then === 'function') this.#promises++
    // Algorithm R: every call has the same chance to be among the kept ones.
    if (n < MEDIAN_RESERVOIR) {
      this.#reservoir[n] = delta
    } else {
      const slot = Math.floor(this.#random() * (n + 1))
      if (slot < MEDIAN_RESERVOIR) this.#reservoir[slot] = delta
    }
  }

  installed (): void {
    this.#installed = true
    this.#problem = null
  }

  failed (err: unknown): void {
    this.#installed = false
    this.#problem = err instanceof Error ? err.message : String(err)
  }

  /** Starts recording: clears the counts and measures the bytes one measurement reads as its own. */
  begin (): void {
    this.#calls = this.#promises = this.#negative = this.#sum = 0
    this.#min = Infinity
    this.#max = -Infinity
    const empty: number[] = []
    for (let i = 0; i < 65; i++) {
      const before = usedHeap()
      empty.push(usedHeap() - before)
    }
    this.#overheadBytes = median(empty)
    this.depth = 0
    this.active = true
  }

  end (): HeapDeltaStats {
    this.active = false
    // What a pair of reads costs, timed now that the code is warm (at the start it is not, and
    // the profilers have just started): what each measured call paid on top of its own work.
    const pairs = 2000
    const start = performance.now()
    // Calls into V8's C++ API: not something the compiler can drop.
    for (let i = 0; i < pairs; i++) {
      usedHeap()
      usedHeap()
    }
    this.#overheadUs = Math.round((performance.now() - start) * 1000 / pairs * 100) / 100
    const calls = this.#calls
    const kept = this.#reservoir.slice(0, Math.min(calls, MEDIAN_RESERVOIR))
    return {
      name: heapDeltaName(this.#target),
      url: this.#target.url,
      installed: this.#installed,
      problem: this.#installed ? null : this.#problem ?? 'the module was not loaded while the worker ran (is the function on the path the load takes?)',
      calls,
      returnedPromise: this.#promises,
      negative: this.#negative,
      overheadBytes: this.#overheadBytes,
      overheadUs: this.#overheadUs,
      meanBytes: calls === 0 ? 0 : Math.round(this.#sum / calls),
      medianBytes: calls === 0 ? 0 : median(Array.from(kept)),
      maxBytes: calls === 0 ? 0 : this.#max,
      minBytes: calls === 0 ? 0 : this.#min,
      totalBytes: this.#sum
    }
  }
}

function median (values: number[]): number {
  if (values.length === 0) return 0
  const sorted = values.slice().sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2)
}

/**
 * In the profiled worker, before the app's modules load (the preload): puts the recorder where the
 * rewritten module finds it and registers the load hook that rewrites that one module.
 */
export function installHeapDelta (target: HeapDeltaTarget): HeapDeltaRecorder {
  const recorder = new HeapDeltaRecorder(target)
  ;(globalThis as Record<symbol, unknown>)[Symbol.for(HEAP_DELTA_GLOBAL_KEY)] = recorder
  try {
    register(new URL('./heap-delta-hooks.js', import.meta.url), { data: target })
  } catch (err) {
    // The worker must start regardless: the report says why nothing was measured.
    recorder.failed(new Error(`module hooks unavailable: ${(err as Error).message}`))
  }
  return recorder
}
