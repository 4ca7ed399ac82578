/** One city of the data set, as the service and the provider see it. */
export interface City {
  /** GeoNames id: the stable identity behind every cache key. */
  readonly id: number
  readonly name: string
  readonly country: string
  readonly population: number
  readonly lat: number
  readonly lon: number
  /** Cache key, computed once: every spelling of this city maps here. */
  readonly key: string
}
