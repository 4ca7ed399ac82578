// The naive answer of the ladder's rungs before "serialize once": the cache keeps the city and
// the provider's observation as objects, and every read of the body rebuilds the report object
// and stringifies it again — what a first version that `return`s an object from the handler
// pays on every hit. The route is unchanged: it reads `entry.body`, and here that is a getter.
// NAIVE=serialize pairs it with framework-answer.ts: the answer also goes through Fastify's reply.
import { etagOf, type CacheEntry } from '../cache/entry.js'
import type { City } from '../cities/city.js'
import type { OriginWeather } from '../origin/server.js'
import { buildReport, WeatherLoader } from '../weather/weather-loader.js'

/** A cache entry that holds objects, not bytes; its body is rebuilt on every read. */
export class PerRequestReportEntry implements CacheEntry {
  readonly etag: string
  readonly storedAt: number
  readonly #city: City
  readonly #weather: OriginWeather

  constructor (city: City, weather: OriginWeather, storedAt: number) {
    this.#city = city
    this.#weather = weather
    this.storedAt = storedAt
    // The validator names the answer, so it is computed when the answer is made; the body is not kept.
    this.etag = etagOf(this.body)
  }

  get body (): string {
    return JSON.stringify(buildReport(this.#city, this.#weather))
  }
}

/**
 * A WeatherLoader whose entries are PerRequestReportEntry: nothing is stored serialized.
 * Same origin call and metrics as WeatherLoader.load; only the entry differs.
 */
export class PerRequestReportLoader extends WeatherLoader {
  protected override toEntry (city: City, weather: OriginWeather, storedAt: number): CacheEntry {
    return new PerRequestReportEntry(city, weather, storedAt)
  }
}
