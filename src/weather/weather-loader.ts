// A miss: ask the origin, build the answer, serialize it once into a cache entry.
import type { City } from '../cities/city.js'
import { createEntry, type CacheEntry } from '../cache/entry.js'
import type { Clock, WallClock } from '../cache/clock.js'
import type { OriginClient } from '../origin/client.js'
import type { OriginWeather } from '../origin/server.js'
import { OriginTimeoutError } from '../errors.js'

/** What GET /weather/:city answers. */
export interface WeatherReport {
  city: { id: number, name: string, country: string, population: number, lat: number, lon: number }
  weather: OriginWeather['observation']
  provider: string
}

export function buildReport (city: City, origin: OriginWeather): WeatherReport {
  return {
    city: { id: city.id, name: city.name, country: city.country, population: city.population, lat: city.lat, lon: city.lon },
    weather: origin.observation,
    provider: 'cachestack-simulated-weather'
  }
}

export interface WeatherLoaderOptions {
  origin: OriginClient
  clock: Clock
  wallClock: WallClock
  onOriginRequest?: (outcome: 'ok' | 'error' | 'timeout', seconds: number) => void
}

export class WeatherLoader {
  readonly #options: WeatherLoaderOptions

  constructor (options: WeatherLoaderOptions) {
    this.#options = options
  }

  async load (city: City): Promise<CacheEntry> {
    const { origin, clock, wallClock, onOriginRequest } = this.#options
    const started = clock.now()
    try {
      const weather = await origin.fetchWeather(city.id)
      onOriginRequest?.('ok', (clock.now() - started) / 1000)
      return this.toEntry(city, weather, wallClock())
    } catch (err) {
      onOriginRequest?.(err instanceof OriginTimeoutError ? 'timeout' : 'error', (clock.now() - started) / 1000)
      throw err
    }
  }

  /** The answer as a cache entry: serialized once, here. The naive ladder rung overrides it. */
  protected toEntry (city: City, weather: OriginWeather, storedAt: number): CacheEntry {
    return createEntry(JSON.stringify(buildReport(city, weather)), storedAt)
  }
}
