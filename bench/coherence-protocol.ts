// The messages between bench/coherence.bench.ts and its worker processes (bench/coherence-worker.ts).

export type WorkerCommand =
  /** Reads each key once, in turn; answers the sources (MISS, HIT-L2, …). */
  | { op: 'get', keys: string[] }
  /** Purges the key (DELETE /weather/:city); answers when the purge was issued (wall clock, ms). */
  | { op: 'purge', key: string }
  /** The ETag of each key's fresh L1 copy, or null. */
  | { op: 'held', keys: string[] }
  /** L1 entries. */
  | { op: 'usage' }
  /** Starts reading every key once per ~1 ms, logging each answer. */
  | { op: 'readStart', keys: string[] }
  /** Stops the read loop; answers the number of reads. */
  | { op: 'readStop' }
  /** Per write (key, wall-clock time, ETag written): stale reads logged after it. */
  | { op: 'stale', writes: Array<{ key: string, t: number, etag: string }> }
  | { op: 'close' }

export type WorkerRequest = WorkerCommand & { id: number }

export type WorkerReply =
  | { type: 'ready', worker: number }
  | { type: 'reply', id: number, result?: unknown, error?: string }
  /** This worker dropped its L1 copy of `key` on a message or report from elsewhere. */
  | { type: 'drop', worker: number, key: string, t: number }
  /** This worker forgot its whole L1 (the bus came back). */
  | { type: 'flush', worker: number, t: number }

export interface StaleCount {
  stale: number
  /** When the last stale read was served, ms after the write; null without any. */
  lastStaleMs: number | null
}
