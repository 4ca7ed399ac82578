// warmUpUntilSettled against a real HTTP server, with the app's CPU time scripted: the process
// listing is the one thing faked (the CPU a scripted "app" used per answer, window by window).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ProcFs, ProcessSample } from '../../loadtest/measure/process-usage.js'
import { buildScenario } from '../../loadtest/drive/scenarios.js'
import { DEFAULTS } from '../../loadtest/options.js'
import { warmUpUntilSettled, type DriveTarget } from '../../profile/drive-load.js'

const APP_PID = 4242
const TICKS_PER_SECOND = 100
let server: Server
let served = 0
let delayMs = 0
let target: DriveTarget

before(async () => {
  server = createServer((_req, res) => {
    served++
    if (delayMs === 0) res.end('{}')
    else setTimeout(() => res.end('{}'), delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  target = { loadUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, metricsUrl: null, originStatsUrl: null, pids: { app: APP_PID, nginx: null, redis: null, origin: null } }
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** A listing whose app CPU grows by `costUs(window)` per answer served since the last listing. */
function scriptedProcFs (costUs: (window: number) => number): ProcFs {
  let ticks = 0
  let lastServed = served
  let listings = 0
  return {
    ticksPerSecond: TICKS_PER_SECOND,
    list (): ProcessSample[] {
      // Listings come in pairs around each window: the second one of a pair closes window n.
      const window = Math.floor(listings++ / 2)
      ticks += ((served - lastServed) * costUs(window) * TICKS_PER_SECOND) / 1e6
      lastServed = served
      return [{ pid: APP_PID, ppid: 1, cpuTicks: Math.round(ticks), rssBytes: 1 }]
    }
  }
}

const scenario = buildScenario('uniform', [{ id: 1, name: 'London', country: 'GB', segment: 'london', population: 1 }], { ...DEFAULTS, cities: 1 })
const drive = { connections: 4, timeoutSeconds: 5, maxResponses: 1_000_000, seed: 1 }

test('warm-up goes on while the CPU per request falls, and stops once two windows agree', async () => {
  delayMs = 0
  const costs = [900, 600, 400, 300, 300, 300, 300, 300]
  const outcome = await warmUpUntilSettled(target, scenario, '/weather/', {
    ...drive,
    procfs: scriptedProcFs((w) => costs[Math.min(w, costs.length - 1)]!),
    appPid: APP_PID,
    minSeconds: 0,
    maxSeconds: 10
  })
  assert.equal(outcome.settled, true)
  assert.equal(outcome.cpuMicrosPerRequest.length, 5, `windows: ${outcome.cpuMicrosPerRequest.map(Math.round).join(', ')}`)
  assert.ok(Math.abs(outcome.cpuMicrosPerRequest.at(-1)! - 300) < 30)
})

test('bounded: a cost that never settles stops at maxSeconds, not settled', async () => {
  delayMs = 0
  const outcome = await warmUpUntilSettled(target, scenario, '/weather/', {
    ...drive,
    procfs: scriptedProcFs((w) => (w % 2 === 0 ? 200 : 400)),
    appPid: APP_PID,
    minSeconds: 0,
    maxSeconds: 2
  })
  assert.equal(outcome.settled, false)
  assert.ok(outcome.seconds >= 2 && outcome.seconds < 4, `${outcome.seconds} s`)
})

test('a slow app (under 100 answers a window) is settled once the minimum warm-up is done', async () => {
  delayMs = 200
  try {
    const outcome = await warmUpUntilSettled(target, scenario, '/weather/', {
      ...drive,
      procfs: scriptedProcFs((w) => 10_000 * (w + 1)),
      appPid: APP_PID,
      minSeconds: 1,
      maxSeconds: 10
    })
    assert.equal(outcome.settled, true)
    assert.ok(outcome.seconds >= 1 && outcome.seconds < 2.5, `${outcome.seconds} s`)
  } finally {
    delayMs = 0
  }
})
