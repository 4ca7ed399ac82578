// Shared test fixtures: the data set loaded once per test process, a silent logger, configs.
import { pino, type Logger } from 'pino'
import { CityIndex } from '../../src/cities/city-index.js'
import { loadCities, type DatasetCity } from '../../src/cities/dataset.js'
import { loadConfig, type Config, type Env } from '../../src/config.js'

let dataset: readonly DatasetCity[] | undefined
let index: CityIndex | undefined

export function cities (): readonly DatasetCity[] {
  dataset ??= loadCities()
  return dataset
}

export function cityIndex (): CityIndex {
  index ??= new CityIndex(cities())
  return index
}

export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}

/** A config from defaults plus the given environment (never the real process.env). */
export function testConfig (env: Env = {}): Readonly<Config> {
  return loadConfig({ WORKERS: '1', ...env })
}

/** A controllable monotonic clock. */
export class ManualClock {
  constructor (public time = 1_000) {}
  now (): number { return this.time }
  advance (ms: number): void { this.time += ms }
}
