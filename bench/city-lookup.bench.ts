// City lookup: the naive linear scan of 135k cities (rung 0) against the Map index (rung 1).
import { CityIndex } from '../src/cities/city-index.js'
import type { DatasetCity } from '../src/cities/dataset.js'
import { LinearCityResolver } from '../src/naive/linear-city-resolver.js'
import { runSuite, Sink, type TaskResult } from './harness.js'

const NAMES = ['london', 'paris', 'springfield', 'new york', 'são paulo', 'tokyo', 'lagos', 'nowhere at all']

export async function cityLookupBench (dataset: readonly DatasetCity[], index: CityIndex): Promise<TaskResult[]> {
  const linear = new LinearCityResolver(dataset)
  const sink = new Sink()
  let i = 0
  const BATCH = 1000
  return await runSuite('city lookup', [
    { name: 'LinearCityResolver.resolve (scan + canonicalize each)', fn: () => { sink.take(linear.resolve(NAMES[i++ % NAMES.length]!)?.id ?? 0) } },
    {
      name: 'CityIndex.resolve (Map by canonical name)',
      batch: BATCH,
      fn: () => { for (let k = 0; k < BATCH; k++) sink.take(index.resolve(NAMES[i++ % NAMES.length]!)?.id ?? 0) }
    }
  ], { timeMs: 2000 })
}
