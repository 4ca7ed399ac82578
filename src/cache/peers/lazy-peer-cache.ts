// A peer adapter that is still being imported: the peer libraries are devDependencies, loaded with
// a dynamic import() only when a peer strategy is chosen, so the default path never loads them.
// The import starts at construction; start(), get() and delete() wait for it (a local module
// load: it settles quickly, either way), then delegate.
import type { WeatherCache } from '../cache.js'
import type { CacheResult, Loader } from '../engine.js'
import type { MemoryRecord } from '../memory-store.js'

export class LazyPeerCache implements WeatherCache {
  readonly #loading: Promise<WeatherCache>
  #cache: WeatherCache | undefined

  constructor (load: () => Promise<WeatherCache>) {
    this.#loading = load().then((cache) => {
      this.#cache = cache
      return cache
    })
    // Whoever calls start() or get() sees the failure; an unused cache must not crash the process.
    this.#loading.catch(() => {})
  }

  async start (): Promise<void> {
    await (await this.#loading).start?.()
  }

  async close (): Promise<void> {
    const cache = await this.#loading.catch(() => undefined)
    await cache?.close?.()
  }

  peek (key: string, load?: Loader): MemoryRecord | undefined {
    return this.#cache?.peek(key, load)
  }

  remainingMs (record: MemoryRecord): number {
    return this.#cache?.remainingMs(record) ?? 0
  }

  get (key: string, load: Loader): Promise<CacheResult> {
    if (this.#cache !== undefined) return this.#cache.get(key, load)
    return this.#loading.then((cache) => cache.get(key, load))
  }

  async delete (key: string): Promise<void> {
    await (await this.#loading).delete(key)
  }
}
