// Concurrent callers for one key share one in-flight promise: N misses, one origin call.
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>()

  run (key: string, fn: () => Promise<T>): Promise<T> {
    const pending = this.#inflight.get(key)
    if (pending !== undefined) return pending
    const started = fn().finally(() => this.#inflight.delete(key))
    this.#inflight.set(key, started)
    return started
  }

  get size (): number {
    return this.#inflight.size
  }
}
