// The fixed-rate client against a local server: the rate held whatever the answers do, each
// answer checked against its kind, requests skipped (not queued) once too many wait.
import { strict as assert } from 'node:assert'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import type { PlannedRequest } from '../../soak/mix.js'
import { startPacedLoad } from '../../soak/paced-client.js'

let server: Server
let url: string
before(async () => {
  server = createServer((request, response) => {
    if (request.url === '/hang') return // never answered
    if (request.url === '/slow') {
      setTimeout(() => response.end('late'), 200)
      return
    }
    if (request.url === '/bad') {
      response.writeHead(400, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ code: 'CS_ERR_CITY_INVALID' }))
      return
    }
    response.writeHead(200, { etag: '"e1"' })
    response.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const plan = (path: string, expect: number[], expectCode: string | null = null): PlannedRequest =>
  ({ kind: 'hit', variant: 'test', method: 'GET', path, headers: {}, expect, expectCode, hotIndex: 0 })

test('open loop: the rate is held while answers take 200 ms; ETags reach onAnswer', async () => {
  const etags: string[] = []
  const onAnswer = (_p: PlannedRequest, _s: number, etag: string | undefined): void => { etags.push(etag ?? 'none') }
  const load = startPacedLoad({ url, rate: 100, durationSeconds: 1.5, next: () => plan('/slow', [200]), onAnswer })
  const outcome = await load.done
  assert.equal(outcome.sent, 150)
  assert.equal(outcome.byKind.hit.sent, 150)
  assert.equal(outcome.byKind.hit.statuses['200'], 150)
  assert.equal(outcome.skipped, 0)
  assert.deepEqual(new Set(etags), new Set(['none']), 'every answer reported (this server sends no ETag on /slow)')
  assert.equal(etags.length, 150)
  assert.ok(outcome.elapsedSeconds < 2.2, `${outcome.elapsedSeconds} s: requests went out on time, not after the previous answers`)
})

test('a ramp sends fewer requests: the rate rises from 0 over the ramp', async () => {
  const outcome = await startPacedLoad({ url, rate: 100, durationSeconds: 1, rampSeconds: 0.5, next: () => plan('/ok', [200]) }).done
  assert.equal(outcome.sent, 75)
})

test('ETags are passed on', async () => {
  const etags: Array<string | undefined> = []
  await startPacedLoad({ url, rate: 50, durationSeconds: 0.2, next: () => plan('/ok', [200]), onAnswer: (_p, _s, etag) => { etags.push(etag) } }).done
  assert.deepEqual(etags, Array(10).fill('"e1"'))
})

test('answers are checked: a status or error code the kind does not expect is an anomaly', async () => {
  let n = 0
  const next = (): PlannedRequest => (n++ % 2 === 0 ? plan('/bad', [400], 'CS_ERR_CITY_INVALID') : plan('/bad', [400], 'CS_ERR_OTHER'))
  const outcome = await startPacedLoad({ url, rate: 50, durationSeconds: 0.4, next }).done
  assert.equal(outcome.sent, 20)
  assert.equal(outcome.byKind.hit.unexpected, 10)
  assert.equal(outcome.anomalyCount, 10)
  assert.equal(outcome.anomalies[0]!.got, '400 CS_ERR_CITY_INVALID')
  assert.equal(outcome.anomalies[0]!.expected, '400 CS_ERR_OTHER')
})

test('a service that stops answering: requests beyond maxInFlight are skipped, the rest time out as errors', async () => {
  const outcome = await startPacedLoad({ url, rate: 50, durationSeconds: 0.4, maxInFlight: 5, timeoutMs: 300, next: () => plan('/hang', [200]) }).done
  assert.equal(outcome.sent, 20)
  assert.equal(outcome.skipped, 15)
  assert.equal(outcome.byKind.hit.errors, 5)
})

test('an abort ends the load early', async () => {
  const stop = new AbortController()
  setTimeout(() => stop.abort(), 300)
  const outcome = await startPacedLoad({ url, rate: 100, durationSeconds: 10, next: () => plan('/ok', [200]), signal: stop.signal }).done
  assert.ok(outcome.sent >= 20 && outcome.sent <= 45, `${outcome.sent} sent`)
})
