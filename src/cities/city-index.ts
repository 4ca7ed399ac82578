// Name → cities, indexed once: resolving a name is a Map lookup, not a scan of 135k cities.
import type { City } from './city.js'
import { canonicalName } from './canonical-name.js'

/** Resolves a canonical name (and optional country) to one city, and an id (a cache key) back to it. */
export interface CityResolver {
  resolve (name: string, country?: string): City | undefined
  byId (id: number): City | undefined
}

export interface IndexableCity extends City {
  readonly altName?: string
}

const CITY_SUFFIX = /^(.+) City$/

export class CityIndex implements CityResolver {
  readonly #byName = new Map<string, City[]>()
  readonly #byId = new Map<number, City>()
  // "New York City" answers to "new york": consulted only when no city has the shorter name.
  readonly #aliases = new Map<string, City[]>()

  constructor (cities: readonly IndexableCity[]) {
    for (const city of cities) {
      this.#byId.set(city.id, city)
      this.#add(canonicalName(city.name), city)
      if (city.altName) this.#add(canonicalName(city.altName), city)
      const alias = CITY_SUFFIX.exec(city.name)
      if (alias !== null) this.#add(canonicalName(alias[1]!), city, this.#aliases)
    }
    for (const name of this.#byName.keys()) this.#aliases.delete(name)
    // A name shared by several cities resolves to the most populous.
    for (const map of [this.#byName, this.#aliases]) {
      for (const list of map.values()) list.sort((a, b) => b.population - a.population || a.id - b.id)
    }
  }

  #add (name: string, city: City, map = this.#byName): void {
    const list = map.get(name)
    if (list === undefined) map.set(name, [city])
    else if (!list.includes(city)) list.push(city)
  }

  resolve (name: string, country?: string): City | undefined {
    const list = this.#byName.get(name) ?? this.#aliases.get(name)
    if (list === undefined) return undefined
    if (country === undefined) return list[0]
    for (const city of list) if (city.country === country) return city
    return undefined
  }

  byId (id: number): City | undefined {
    return this.#byId.get(id)
  }

  get size (): number {
    return this.#byId.size
  }
}
