// A request stream for the policy simulator: the keys asked for, in order, as dense ids, with
// the cache key (a city id, as the service keys its caches) of each id.

export interface Stream {
  readonly name: string
  readonly description: string
  /** Dense key ids, 0 … keys.length − 1, in request order. */
  readonly requests: Int32Array
  /** Dense id → the key the stores see (String(city.id), as src/cities does). */
  readonly keys: readonly string[]
}

/** Builds a stream from labels (e.g. city indices): each distinct label gets the next dense id. */
export class StreamBuilder {
  readonly #ids = new Map<number, number>()
  readonly #keys: string[] = []
  #requests: Int32Array
  #length = 0

  constructor (readonly keyOf: (label: number) => string, expected = 1024) {
    this.#requests = new Int32Array(Math.max(16, expected))
  }

  push (label: number): void {
    let id = this.#ids.get(label)
    if (id === undefined) {
      id = this.#keys.length
      this.#ids.set(label, id)
      this.#keys.push(this.keyOf(label))
    }
    if (this.#length === this.#requests.length) {
      const grown = new Int32Array(this.#requests.length * 2)
      grown.set(this.#requests)
      this.#requests = grown
    }
    this.#requests[this.#length++] = id
  }

  build (name: string, description: string): Stream {
    return { name, description, requests: this.#requests.slice(0, this.#length), keys: this.#keys }
  }
}
