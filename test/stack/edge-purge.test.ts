// A purge reaches every tier, the nginx edge included. nginx open source cannot purge one entry,
// so the edge keeps an answer only for the app's s-maxage (SHARED_MAX_AGE_SECONDS) and, with no
// background update, never answers from a copy older than that: after a purge, every answer
// given more than s-maxage + 1 s later (nginx counts expiry in whole seconds) is the new one.
// The provider's weather changes every second here (ORIGIN_BUCKET_SECONDS=1), so the refilled
// answer has new bytes and a new ETag. Through one nginx in front of one app instance, and in
// front of the two-instance Redis Cluster topology.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_SHARED_MAX_AGE_SECONDS } from '../../src/config.js'
import { startStack, type Stack, type StackOptions } from '../../stack/stack.js'
import { get, originRequests } from '../helpers/stack-http.js'

const TOKEN = 'edge-purge-test-token-0123456789'
/** The stated bound: s-maxage, plus a second for nginx's whole-second expiry. */
const BOUND_MS = (DEFAULT_SHARED_MAX_AGE_SECONDS + 1) * 1000

async function purge (stack: Stack, city: string, token = TOKEN): Promise<number> {
  const response = await fetch(`${stack.urls.nginx}/weather/${city}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })
  await response.arrayBuffer()
  return response.status
}

/** An edge HIT for `city`: its ETag and body. */
async function edgeHit (stack: Stack, city: string): Promise<{ etag: string, body: string }> {
  const first = await get(`${stack.urls.nginx}/weather/${city}`)
  assert.equal(first.status, 200)
  const again = await get(`${stack.urls.nginx}/weather/${city}`)
  assert.equal(again.headers['x-cache-edge'], 'HIT', 'the edge keeps the answer')
  assert.equal(again.headers.etag, first.headers.etag)
  assert.match(again.headers['cache-control'] ?? '', new RegExp(`\\bs-maxage=[0-${DEFAULT_SHARED_MAX_AGE_SECONDS}]\\b`), 'a shared lifetime of a few seconds')
  return { etag: again.headers.etag!, body: again.body }
}

function purgeReachesTheEdge (name: string, options: StackOptions): void {
  describe(name, () => {
    let stack: Stack
    before(async () => {
      stack = await startStack({
        ...options,
        edgeCache: true,
        rateLimit: false,
        appEnv: { PURGE_TOKEN: TOKEN },
        originEnv: { ORIGIN_BUCKET_SECONDS: '1' }
      })
    })
    after(async () => { await stack?.stop() })

    test('GET (edge HIT) → DELETE with the token → every answer after the bound has a new ETag', async () => {
      const old = await edgeHit(stack, 'oslo')
      // Into the provider's next one-second bucket: a refill now has new bytes.
      await sleep(1100)
      const originBefore = await originRequests(stack.urls.origin)
      assert.equal(await purge(stack, 'oslo'), 204)
      // L1 and L2 let go at once: the app itself, asked directly, misses.
      const direct = await get(`${stack.urls.app}/weather/oslo`)
      assert.equal(direct.headers['x-cache'], 'MISS', 'the purge reached L1 and L2')
      await sleep(BOUND_MS)
      for (let i = 0; i < 5; i++) {
        const answer = await get(`${stack.urls.nginx}/weather/oslo`)
        assert.equal(answer.status, 200)
        assert.notEqual(answer.headers.etag, old.etag, `answer ${i + 1}, ${BOUND_MS} ms after the purge, is not the purged one`)
        assert.notEqual(answer.body, old.body)
      }
      assert.ok(await originRequests(stack.urls.origin) > originBefore, 'the provider was asked again')
    })

    test('without the token: 401, and the edge keeps serving its copy', async () => {
      const kept = await edgeHit(stack, 'lima')
      assert.equal(await purge(stack, 'lima', 'not-the-token-at-all-0000000000'), 401)
      const answer = await get(`${stack.urls.nginx}/weather/lima`)
      assert.equal(answer.headers['x-cache-edge'], 'HIT')
      assert.equal(answer.headers.etag, kept.etag)
    })

    test('a client cannot bypass or refresh the edge: no-cache, Pragma, odd headers are served from the edge', async () => {
      const kept = await edgeHit(stack, 'quito')
      const attempts: Array<Record<string, string>> = [
        { 'cache-control': 'no-cache' },
        { 'cache-control': 'no-store, max-age=0' },
        { pragma: 'no-cache' },
        { 'x-cache-refresh': '1', 'x-purge': '1', 'x-bypass-cache': '1' },
        { authorization: `Bearer ${TOKEN}` }
      ]
      for (const headers of attempts) {
        const answer = await get(`${stack.urls.nginx}/weather/quito`, headers)
        assert.equal(answer.headers['x-cache-edge'], 'HIT', `served from the edge with ${JSON.stringify(headers)}`)
        assert.equal(answer.headers.etag, kept.etag)
      }
    })
  })
}

purgeReachesTheEdge('one nginx, one app instance (layered on one Redis)', { strategy: 'layered', workers: 2 })
purgeReachesTheEdge('one nginx, two app instances on a Redis Cluster', { strategy: 'layered', workers: 2, redis: 'cluster', appInstances: 2 })
