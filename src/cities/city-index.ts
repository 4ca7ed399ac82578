// Name → cities, indexed once: resolving a name is a Map lookup, not a scan of 135k cities.
import type { City } from './city.js'
import { canonicalName } from './normalize.js'

/** Resolves a canonical name (and optional country) to one city. */
export interface CityResolver {
  resolve (name: string, country?: string): City | undefined
}

export interface IndexableCity extends City {
  readonly altName?: string
}

export class CityIndex implements CityResolver {
  readonly #byName = new Map<string, City[]>()
  readonly #byId = new Map<number, City>()

  constructor (cities: readonly IndexableCity[]) {
    for (const city of cities) {
      this.#byId.set(city.id, city)
      this.#add(canonicalName(city.name), city)
      if (city.altName) this.#add(canonicalName(city.altName), city)
    }
    // A name shared by several cities resolves to the most populous.
    for (const list of this.#byName.values()) list.sort((a, b) => b.population - a.population || a.id - b.id)
  }

  #add (name: string, city: City): void {
    const list = this.#byName.get(name)
    if (list === undefined) this.#byName.set(name, [city])
    else if (!list.includes(city)) list.push(city)
  }

  resolve (name: string, country?: string): City | undefined {
    const list = this.#byName.get(name)
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
