// The naive first version of city lookup, kept for the optimization ladder's rung 0: every
// request scans all 135k cities and canonicalizes each candidate's name on the way, which is
// what the CPU profile of that rung names as the hot spot. Same answers as CityIndex, whose
// rules it restates as a scan (test/naive/ holds the two to the same answers).
import type { CityResolver, IndexableCity } from '../cities/city-index.js'
import type { City } from '../cities/city.js'
import { canonicalName } from '../cities/normalize.js'

export interface LinearCityResolverOptions {
  /** Canonical form of a data-set name. @default canonicalName (the one CityIndex uses) */
  canonicalize?: (name: string) => string
}

const CITY_SUFFIX = /^(.+) City$/
const SPACES = /\s+/g

// CityIndex's order: most populous first, then the lowest id.
const preferred = (best: IndexableCity | undefined, city: IndexableCity): IndexableCity =>
  best === undefined || city.population > best.population || (city.population === best.population && city.id < best.id) ? city : best

export class LinearCityResolver implements CityResolver {
  readonly #cities: readonly IndexableCity[]
  readonly #canonicalize: (name: string) => string

  constructor (cities: readonly IndexableCity[], { canonicalize = canonicalName }: LinearCityResolverOptions = {}) {
    this.#cities = cities
    this.#canonicalize = canonicalize
    this.#inline = canonicalize === canonicalName
  }

  readonly #inline: boolean

  resolve (name: string, country?: string): City | undefined {
    return this.linearScan(name, country)
  }

  // Only a refresh reaches it (a key back to its city): naive like the rest of this rung.
  byId (id: number): City | undefined {
    return this.#cities.find((city) => city.id === id)
  }

  // A method of its own so that profiles name it: the whole cost of this rung is here.
  linearScan (name: string, country: string | undefined): City | undefined {
    let named = false
    let best: IndexableCity | undefined
    let bestAlias: IndexableCity | undefined
    for (const city of this.#cities) {
      const inCountry = country === undefined || city.country === country
      // The naive first version canonicalizes in the loop itself (canonicalName's rules, written
      // out), so the profile charges the work to the scan that does it.
      const cityName = this.#inline ? city.name.trim().normalize('NFC').toLowerCase().replace(SPACES, ' ') : this.#canonicalize(city.name)
      const altName = !city.altName
        ? ''
        : this.#inline ? city.altName.trim().normalize('NFC').toLowerCase().replace(SPACES, ' ') : this.#canonicalize(city.altName)
      if (cityName === name || (altName !== '' && altName === name)) {
        named = true
        if (inCountry) best = preferred(best, city)
      } else if (!named && inCountry) {
        // "New York City" answers to "new york", but only when no city has that name itself.
        const alias = city.name.endsWith(' City') ? CITY_SUFFIX.exec(city.name) : null
        if (alias !== null && this.#canonicalize(alias[1]!) === name) bestAlias = preferred(bestAlias, city)
      }
    }
    return named ? best : bestAlias
  }
}
