// The naive first version of city lookup, kept for the optimization ladder's rung 0: every
// request scans all 135k cities and canonicalizes each candidate's name on the way, which is
// what the CPU profile of that rung names as the hot spot. Same answers as CityIndex.
import type { CityResolver, IndexableCity } from '../cities/city-index.js'
import type { City } from '../cities/city.js'
import { canonicalName } from '../cities/normalize.js'

export interface LinearCityResolverOptions {
  /** Canonical form of a data-set name. @default canonicalName (the one CityIndex uses) */
  canonicalize?: (name: string) => string
}

export class LinearCityResolver implements CityResolver {
  readonly #cities: readonly IndexableCity[]
  readonly #canonicalize: (name: string) => string

  constructor (cities: readonly IndexableCity[], { canonicalize = canonicalName }: LinearCityResolverOptions = {}) {
    this.#cities = cities
    this.#canonicalize = canonicalize
  }

  resolve (name: string, country?: string): City | undefined {
    return this.linearScan(name, country)
  }

  // A method of its own so that profiles name it: the whole cost of this rung is here.
  linearScan (name: string, country: string | undefined): City | undefined {
    let best: IndexableCity | undefined
    for (const city of this.#cities) {
      if (country !== undefined && city.country !== country) continue
      const matches = this.#canonicalize(city.name) === name ||
        (city.altName !== undefined && city.altName !== '' && this.#canonicalize(city.altName) === name)
      // Same tie-break as CityIndex: most populous, then lowest id.
      if (matches && (best === undefined || city.population > best.population || (city.population === best.population && city.id < best.id))) best = city
    }
    return best
  }
}
