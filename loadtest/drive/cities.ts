// The cities the scenarios request: the most populous ones whose URL name the service resolves
// back to that very city (a name shared by a bigger city elsewhere would silently hit the other).
import type { DatasetCity } from '../../src/cities/dataset.js'
import { canonicalName, normalizeCityName } from '../../src/cities/normalize.js'

export interface RequestCity {
  readonly id: number
  readonly name: string
  readonly country: string
  readonly population: number
  /** The URL path segment, percent-encoded. */
  readonly segment: string
}

function routeName (name: string): string | undefined {
  try {
    const normalized = normalizeCityName(name)
    // The route's normalization must land on the data set's spelling of the key.
    return normalized === canonicalName(name) ? normalized : undefined
  } catch {
    return undefined // a name the route would reject with 400
  }
}

/**
 * The `count` most populous cities, by descending population, each addressable by its name
 * alone. CityIndex resolves a shared name (or ASCII alt name) to the most populous city
 * carrying it (ties: lowest id); walking the cities in that same order, a name is ours
 * exactly when no city before carried it. This avoids building the 135k-city index here.
 */
export function selectCities (dataset: readonly DatasetCity[], count: number): RequestCity[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`expected a positive city count, got ${count}`)
  const selected = addressable(dataset, count)
  if (selected.length < count) throw new RangeError(`only ${selected.length} cities are addressable by name, asked for ${count}`)
  return selected
}

/** Every city addressable by its name alone, by descending population (the whole data set's worth). */
export function selectAllCities (dataset: readonly DatasetCity[]): RequestCity[] {
  return addressable(dataset, Infinity)
}

function addressable (dataset: readonly DatasetCity[], count: number): RequestCity[] {
  const byPopulation = [...dataset].sort((a, b) => b.population - a.population || a.id - b.id)
  const taken = new Set<string>()
  const selected: RequestCity[] = []
  for (const city of byPopulation) {
    if (selected.length === count) break
    const names = [city.name, city.altName].filter((n): n is string => typeof n === 'string' && n !== '')
    const keys = names.map((n) => canonicalName(n))
    // Prefer the ASCII spelling: shorter request lines, no dependence on percent-decoding.
    const candidates = [...names].reverse()
    let chosen: { name: string, key: string } | undefined
    for (const name of candidates) {
      const key = routeName(name)
      if (key !== undefined && !taken.has(key)) {
        chosen = { name, key }
        break
      }
    }
    for (const key of keys) taken.add(key)
    if (chosen === undefined) continue
    selected.push({ id: city.id, name: chosen.name, country: city.country, population: city.population, segment: encodeURIComponent(chosen.key) })
  }
  return selected
}
