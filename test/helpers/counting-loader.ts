// The engine tests' loader: counts its calls, answers after a delay, and can fail like an origin.
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'

export interface CountingLoaderOptions {
  /** Each call answers (or fails) after this long, ms. @default 20 */
  delayMs?: number
  /** Every call fails, as an origin that is down. @default false */
  fail?: boolean
  /** The stored bytes for a key. @default `{"key":…,"n":<call number>}`: a new value on every load */
  body?: (key: string, call: number) => string
  /** The entries' storedAt. @default Date.now() */
  storedAt?: () => number
}

export interface CountingLoader {
  calls: number
  load (key: string): Promise<CacheEntry>
}

export function countingLoader (options: CountingLoaderOptions = {}): CountingLoader {
  const { delayMs = 20, fail = false, body = (key, n) => JSON.stringify({ key, n }), storedAt = Date.now } = options
  const loader: CountingLoader = {
    calls: 0,
    async load (key) {
      const call = ++loader.calls
      await new Promise(resolve => setTimeout(resolve, delayMs))
      if (fail) throw new Error('origin down')
      return createEntry(body(key, call), storedAt())
    }
  }
  return loader
}
