// The edge tier on: a repeated request is answered by nginx alone.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { startStack, type Stack } from '../../stack/stack.js'
import { appWeatherRequests, get, originRequests } from '../helpers/stack-http.js'

let stack: Stack
before(async () => { stack = await startStack({ edgeCache: true, strategy: 'memory', redis: false, workers: 1 }) })
after(async () => { await stack?.stop() })

test('a repeated request is X-Cache-Edge: HIT, and neither the app nor the provider sees it', async () => {
  const first = await get(`${stack.urls.nginx}/weather/paris`)
  assert.equal(first.status, 200)
  assert.equal(first.headers['x-cache-edge'], 'MISS')
  assert.equal(first.headers['x-cache'], 'MISS')
  await sleep(200) // the app counts a request in onResponse, just after nginx has its answer
  const appBefore = await appWeatherRequests(stack.urls.metrics)
  const originBefore = await originRequests(stack.urls.origin)
  assert.equal(appBefore, 1, 'the app counted the first request (so the count can move)')
  assert.equal(originBefore, 1)

  for (let i = 0; i < 3; i++) {
    const again = await get(`${stack.urls.nginx}/weather/paris`)
    assert.equal(again.status, 200)
    assert.equal(again.headers['x-cache-edge'], 'HIT')
    assert.equal(again.body, first.body)
  }
  await sleep(200)
  assert.equal(await appWeatherRequests(stack.urls.metrics), appBefore, 'app metrics unchanged')
  assert.equal(await originRequests(stack.urls.origin), originBefore, 'provider /stats unchanged')
})

test('the edge tier keys on the URI: another city still reaches the app', async () => {
  const appBefore = await appWeatherRequests(stack.urls.metrics)
  const other = await get(`${stack.urls.nginx}/weather/berlin`)
  assert.equal(other.headers['x-cache-edge'], 'MISS')
  await sleep(200)
  assert.equal(await appWeatherRequests(stack.urls.metrics), appBefore + 1)
})

test('answers the app does not mark cacheable (404) are not kept at the edge', async () => {
  for (let i = 0; i < 2; i++) {
    const unknown = await get(`${stack.urls.nginx}/weather/qwertyuiopville`)
    assert.equal(unknown.status, 404)
    assert.equal(unknown.headers['x-cache-edge'], 'MISS')
  }
})
