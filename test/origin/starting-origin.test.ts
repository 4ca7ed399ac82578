// The workers forked while the embedded provider starts: their origin calls wait for the
// primary's word, bounded by the origin timeout, then go straight through.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import type { OriginClient } from '../../src/origin/client.js'
import type { OriginWeather } from '../../src/origin/server.js'
import { ORIGIN_READY_MESSAGE, ORIGIN_READY_QUERY, StartingOriginClient, originReadySignal } from '../../src/origin/starting-origin.js'

function countingOrigin (): OriginClient & { calls: number } {
  const origin = {
    calls: 0,
    async fetchWeather (cityId: number): Promise<OriginWeather> {
      origin.calls++
      return { cityId } as unknown as OriginWeather
    },
    async close () {}
  }
  return origin
}

test('calls wait for the provider, then all go through; none reaches it before', async () => {
  const inner = countingOrigin()
  let start!: () => void
  const ready = new Promise<void>((resolve) => { start = resolve })
  const client = new StartingOriginClient(inner, ready, 60_000)
  const pending = [client.fetchWeather(1), client.fetchWeather(2)]
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(inner.calls, 0, 'nothing sent to a provider that is not listening yet')
  start()
  assert.deepEqual(await Promise.all(pending), [{ cityId: 1 }, { cityId: 2 }])
  await client.fetchWeather(3)
  assert.equal(inner.calls, 3)
})

test('a provider that never starts: the call fails with CS_ERR_ORIGIN_UNAVAILABLE at the bound, not never', async () => {
  const inner = countingOrigin()
  const client = new StartingOriginClient(inner, new Promise<void>(() => {}), 20)
  await assert.rejects(client.fetchWeather(1), (err: Error & { code?: string, statusCode?: number }) => {
    assert.equal(err.code, 'CS_ERR_ORIGIN_UNAVAILABLE')
    assert.equal(err.statusCode, 502)
    assert.match(err.message, /has not started within 20 ms/)
    return true
  })
  assert.equal(inner.calls, 0)
})

test('the worker asks the primary once, and the ready message (only it) resolves the signal', async () => {
  const port = Object.assign(new EventEmitter(), { sent: [] as unknown[], send (message: unknown) { port.sent.push(message) } })
  let resolved = false
  const signal = originReadySignal(port).then(() => { resolved = true })
  assert.deepEqual(port.sent, [{ type: ORIGIN_READY_QUERY }])
  port.emit('message', { type: 'cachestack:shutdown' })
  port.emit('message', null)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(resolved, false)
  port.emit('message', { type: ORIGIN_READY_MESSAGE })
  await signal
  assert.equal(port.listenerCount('message'), 0, 'the listener is removed once resolved')
})
