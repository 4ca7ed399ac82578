import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CityIndex } from '../../src/cities/city-index.js'
import { cityIndex } from '../helpers/fixtures.js'

const city = (id: number, name: string, country: string, population: number, altName = '') =>
  ({ id, name, altName, country, population, lat: 0, lon: 0, key: String(id) })

test('a shared name resolves to the most populous city; country disambiguates', () => {
  const index = new CityIndex([city(1, 'Paris', 'US', 25_000), city(2, 'Paris', 'FR', 2_000_000), city(3, 'Paris', 'CA', 12_000)])
  assert.equal(index.resolve('paris')?.id, 2)
  assert.equal(index.resolve('paris', 'US')?.id, 1)
  assert.equal(index.resolve('paris', 'DE'), undefined)
  assert.equal(index.resolve('lyon'), undefined)
})

test('the ASCII alternative name finds the same city', () => {
  const index = new CityIndex([city(7, 'São Paulo', 'BR', 10_000_000, 'Sao Paulo')])
  assert.equal(index.resolve('são paulo')?.id, 7)
  assert.equal(index.resolve('sao paulo')?.id, 7)
})

test('the real data set: London is GB, Paris is FR, ?country finds the others', () => {
  const index = cityIndex()
  assert.ok(index.size > 100_000)
  assert.equal(index.resolve('london')?.country, 'GB')
  assert.equal(index.resolve('paris')?.country, 'FR')
  assert.equal(index.resolve('paris', 'US')?.country, 'US')
  assert.equal(index.resolve('new york')?.country, 'US')
})
