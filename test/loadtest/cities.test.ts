import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { selectCities } from '../../loadtest/drive/cities.js'
import { CityIndex } from '../../src/cities/city-index.js'
import { loadCities, type DatasetCity } from '../../src/cities/dataset.js'
import { normalizeCityName } from '../../src/cities/normalize.js'

const city = (id: number, name: string, population: number, altName = ''): DatasetCity =>
  ({ id, name, altName, country: 'ZZ', population, lat: 0, lon: 0, key: String(id) })

test('selectCities: by descending population, skipping a name a bigger city already answers to', () => {
  const dataset = [
    city(1, 'Springfield', 100),
    city(2, 'Springfield', 500), // the bigger Springfield owns the name
    city(3, 'São Paulo', 900, 'Sao Paulo'),
    city(4, 'Paris', 50),
    city(5, 'Bad<Name>', 800) // the route would answer 400
  ]
  const selected = selectCities(dataset, 3)
  assert.deepEqual(selected.map((c) => c.id), [3, 2, 4])
  assert.equal(selected[0]!.name, 'Sao Paulo') // the ASCII spelling is preferred
  assert.equal(selected[0]!.segment, 'sao%20paulo')
  assert.throws(() => selectCities(dataset, 4), /only 3 cities/)
  assert.throws(() => selectCities(dataset, 0), RangeError)
})

test('selectCities on the real data set: every selected path resolves, through the route\'s own code, to that very city', () => {
  const dataset = loadCities()
  const index = new CityIndex(dataset)
  const selected = selectCities(dataset, 2000)
  assert.equal(selected.length, 2000)
  assert.equal(new Set(selected.map((c) => c.id)).size, 2000)
  for (let i = 1; i < selected.length; i++) assert.ok(selected[i - 1]!.population >= selected[i]!.population)
  for (const c of selected) {
    const resolved = index.resolve(normalizeCityName(decodeURIComponent(c.segment)))
    assert.equal(resolved?.id, c.id, `${c.name} (${c.segment}) resolved to ${resolved?.name}`)
  }
})
