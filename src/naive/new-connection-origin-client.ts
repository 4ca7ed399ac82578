// The naive origin client of the ladder's rung 0: a fresh TCP connection per request (connect,
// one exchange, close), which is what the keep-alive pool of PooledOriginClient saves.
// Same deadline and error mapping as the pooled client.
import { Client } from 'undici'
import { requestWeather, type OriginClient } from '../origin/client.js'
import type { OriginWeather } from '../origin/server.js'

export interface NewConnectionOriginClientOptions {
  /** Base URL of the provider. */
  url: string
  /** Bound on one request, connect to last byte, ms. */
  timeoutMs: number
}

export class NewConnectionOriginClient implements OriginClient {
  readonly #url: string
  readonly #timeoutMs: number
  readonly #open = new Set<Client>()

  constructor ({ url, timeoutMs }: NewConnectionOriginClientOptions) {
    if (!(timeoutMs > 0)) throw new TypeError(`expected timeoutMs > 0, got ${timeoutMs}`)
    this.#url = url
    this.#timeoutMs = timeoutMs
  }

  async fetchWeather (cityId: number): Promise<OriginWeather> {
    const client = new Client(this.#url, {
      connectTimeout: this.#timeoutMs,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      pipelining: 1
    })
    this.#open.add(client)
    try {
      return await requestWeather(client, cityId, this.#timeoutMs)
    } finally {
      this.#open.delete(client)
      // destroy, not close: the exchange is over either way, and a failed one must not linger.
      await client.destroy()
    }
  }

  /** Ends the connections of requests still in flight. */
  async close (): Promise<void> {
    await Promise.all([...this.#open].map(client => client.destroy()))
  }
}
