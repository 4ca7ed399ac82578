// The cache engine's operations on node:diagnostics_channel tracing channels, as undici and
// bentocache publish theirs: OpenTelemetry (or any subscriber) can follow one request across the
// layers without the engine knowing who listens. Each operation is one TracingChannel, so a
// subscriber gets start / end (and asyncStart / asyncEnd / error for asynchronous ones) with one
// context object that the engine completes before the operation's last event: the key, the layer
// that answered and the outcome.
//
// Zero cost when nobody listens: every call site checks `hasSubscribers` first and, when false,
// runs the bare operation — no context object, no closure, no promise wrapper.
import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel'

/** The channels' names: stable, part of the public surface (README, "Operating it"). */
export const TRACING_CHANNELS = Object.freeze({
  lookup: 'cachestack:cache:lookup',
  l2Get: 'cachestack:cache:l2-get',
  fillWait: 'cachestack:cache:fill-wait',
  originLoad: 'cachestack:cache:origin-load',
  refresh: 'cachestack:cache:refresh',
  invalidate: 'cachestack:cache:invalidate'
})

/** Who answered a lookup. */
export type AnsweringLayer = 'l1' | 'l2' | 'origin'

/** One request's lookup: L1, then L2, the fill lock and the origin. A synchronous L1 hit (the hit
 * fast path) publishes start and end only; any other lookup also asyncStart and asyncEnd, or error. */
export interface LookupTrace {
  readonly key: string
  /** Set before the last event; undefined when the lookup failed. */
  layer: AnsweringLayer | undefined
  /** hit | stale (served within grace) | miss (loaded from the origin) | negative (a remembered
   * "does not exist") | error. */
  outcome: 'hit' | 'stale' | 'miss' | 'negative' | 'error' | undefined
  /** Set by TracingChannel on a failed lookup. */
  error?: unknown
}

/** One read of the shared tier. */
export interface L2GetTrace {
  readonly key: string
  readonly layer: 'l2'
  outcome: 'hit' | 'stale' | 'miss' | 'skipped' | 'error' | undefined
}

/** A wait for another process's fill of the key (the cluster-wide single-flight). */
export interface FillWaitTrace {
  readonly key: string
  outcome: 'filled' | 'released' | 'timeout' | 'error' | undefined
}

/** One call of the loader (the origin). */
export interface OriginLoadTrace {
  readonly key: string
  readonly layer: 'origin'
  /** True for a refresh in the background (stale-while-revalidate, early refresh), false for a miss. */
  readonly background: boolean
  outcome: 'ok' | 'negative' | 'error' | undefined
  error?: unknown
}

/** A background refresh of a stale (or early-refreshed) key. */
export interface RefreshTrace {
  readonly key: string
  /** ok | skipped (another process holds the fill lock and refreshes) | error (stale-if-error). */
  outcome: 'ok' | 'skipped' | 'error' | undefined
}

/** A key dropped from this process's L1: a purge here, or a message from another process. */
export interface InvalidateTrace {
  /** The key, or '*' when the whole L1 is forgotten (the bus came back after an outage). */
  readonly key: string
  /** purge (DELETE here) | invalidate (a purge elsewhere) | filled (a new value elsewhere) | resync. */
  readonly reason: 'purge' | 'invalidate' | 'filled' | 'resync'
  /** Whether this process held a copy that was dropped (undefined for a purge until it ends). */
  dropped?: boolean
}

/** The channel objects, created once: a channel lookup per call would cost a Map read on the hot path. */
export const traces: {
  readonly lookup: TracingChannel<object, LookupTrace>
  readonly l2Get: TracingChannel<object, L2GetTrace>
  readonly fillWait: TracingChannel<object, FillWaitTrace>
  readonly originLoad: TracingChannel<object, OriginLoadTrace>
  readonly refresh: TracingChannel<object, RefreshTrace>
  readonly invalidate: TracingChannel<object, InvalidateTrace>
} = Object.freeze({
  lookup: tracingChannel<object, LookupTrace>(TRACING_CHANNELS.lookup),
  l2Get: tracingChannel<object, L2GetTrace>(TRACING_CHANNELS.l2Get),
  fillWait: tracingChannel<object, FillWaitTrace>(TRACING_CHANNELS.fillWait),
  originLoad: tracingChannel<object, OriginLoadTrace>(TRACING_CHANNELS.originLoad),
  refresh: tracingChannel<object, RefreshTrace>(TRACING_CHANNELS.refresh),
  invalidate: tracingChannel<object, InvalidateTrace>(TRACING_CHANNELS.invalidate)
})

/** Publishes a synchronous operation that already happened (start, then end, same context). */
export function publishSync<T extends object> (channel: TracingChannel<object, T>, context: T): void {
  channel.start.publish(context)
  channel.end.publish(context)
}
