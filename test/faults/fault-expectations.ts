// The fault matrix's expected outcomes, as the tests assert them: each fault's row must pass its
// own checks, and the figures those checks stand on are read here again, so that a check
// dropped from the catalogue is noticed. The matrix runs in groups, one test file each: the test
// runner gives a file 120 s (scripts/run-tests.mjs), and the whole short matrix takes longer.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { matrixCatalogue, runMatrix } from '../../faults/matrix.js'
import { parseMatrixOptions } from '../../faults/options.js'
import type { FaultRow, MatrixResult } from '../../faults/row.js'

/** Every fault of the catalogue, in exactly one group (test/faults/fault-matrix-<group>.test.ts). */
export const FAULT_GROUPS = {
  app: ['worker-kill', 'rolling-restart', 'nginx-reload'],
  clients: ['slow-clients', 'client-hang-ups'],
  redis: ['redis-kill', 'redis-pause', 'redis-slow'],
  provider: ['provider-5xx', 'provider-slow', 'provider-kill'],
  failover: ['redis-cluster-master-kill', 'sentinel-failover']
} as const

/** The app's REDIS_COMMAND_TIMEOUT_MS and ORIGIN_TIMEOUT_MS on the matrix's beds, and the slack on a wait. */
const COMMAND_TIMEOUT_MS = 150
const ORIGIN_TIMEOUT_MS = 2000
const SLACK_MS = 1000

/** 0 non-2xx and no request without an answer, over the whole load. */
function noFailures (row: FaultRow): void {
  assert.equal(row.non2xx, 0, `${row.id}: non-2xx, warm ${JSON.stringify(row.warmFailures)}, cold ${JSON.stringify(row.coldAnswers)}`)
  assert.equal(row.errors, 0, `${row.id}: requests without an answer`)
}

/** Cold keys got exactly this error (or 2xx, asked before the fault took hold); warm keys 2xx throughout. */
function coldGet (row: FaultRow, answer: string): void {
  assert.equal(row.warmNon2xx, 0, `${row.id}: warm keys failed ${JSON.stringify(row.warmFailures)}`)
  assert.equal(row.errors, 0, `${row.id}: requests without an answer`)
  assert.ok((row.coldAnswers[answer] ?? 0) >= 1, `${row.id}: cold keys ${JSON.stringify(row.coldAnswers)}`)
  for (const key of Object.keys(row.coldAnswers)) assert.ok(key === answer || key.startsWith('2'), `${row.id}: cold answer ${key}`)
}

function boundedWait (row: FaultRow, boundMs: number): void {
  assert.ok(row.maxLatencyMs !== null && row.maxLatencyMs <= boundMs, `${row.id}: slowest answer ${row.maxLatencyMs} ms, bound ${boundMs}`)
}

/** Each fault's expected outcome, in counts and states. */
export const EXPECTED: Readonly<Record<string, { title: string, holds: (row: FaultRow) => void }>> = {
  'worker-kill': {
    title: 'a worker SIGKILLed: 0 failed requests; a worker respawned in its place',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.respawned, true)
    }
  },
  'rolling-restart': {
    title: 'rolling restart (SIGHUP): 0 failed requests; every worker new, still 2',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.allReplaced, true)
      assert.equal(row.facts.workerCount, 2)
    }
  },
  'nginx-reload': {
    title: 'nginx -s reload: 0 non-2xx; at most one keep-alive race (lost or reset) per client connection; new nginx workers',
    holds (row) {
      assert.equal(row.non2xx, 0)
      // The keep-alive race, lost silently or reset (faults/checks.ts): at most once per connection.
      assert.ok(row.errors <= row.connections, `${row.errors} without an answer (${row.lostSilently} lost silently), ${row.connections} connections`)
      assert.equal(row.facts.nginxWorkersReplaced, true)
      assert.equal(row.facts.nginxMasterAlive, true)
    }
  },
  'slow-clients': {
    title: 'slow clients: nobody else fails; the workers live on, ready, and keep none of their connections',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.beforeWorkers, row.facts.afterWorkers, 'no worker crashed')
      assert.ok(Number(row.facts.heldDirect) >= 20, `the direct slow clients held worker connections (${String(row.facts.heldDirect)})`)
      assert.equal(row.facts.afterDirect, 0)
      assert.equal(row.facts.ready, true)
    }
  },
  'client-hang-ups': {
    title: 'clients hanging up mid-exchange: nobody else fails; no connection left; the abandoned fill is cached',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.beforeWorkers, row.facts.afterWorkers, 'no worker crashed')
      assert.ok(Number(row.facts.hungUpBeforeAnswer) >= 1 && Number(row.facts.hungUpMidAnswer) >= 1, 'both kinds of hang-up happened')
      assert.equal(row.facts.afterDirect, 0)
      assert.equal(row.facts.abandonedFillCached, true)
    }
  },
  'redis-kill': {
    title: 'Redis SIGKILLed: 0 failed requests; redis-server back; HIT-L2 again',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.redisBack, true)
      assert.equal(row.facts.l2Serves, true)
    }
  },
  'redis-pause': {
    title: 'Redis paused: 0 failed requests; no wait beyond 2 × command timeout + origin timeout (+ 1 s slack)',
    holds (row) {
      noFailures(row)
      boundedWait(row, 2 * COMMAND_TIMEOUT_MS + ORIGIN_TIMEOUT_MS + SLACK_MS)
      assert.equal(row.facts.l2Serves, true)
    }
  },
  'redis-slow': {
    title: 'Redis slow: the breaker opens; 0 failed requests; latency bounded',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.breakerMax, 2, 'the breaker was seen open')
      assert.ok(Number(row.facts.l2Skipped) >= 1, 'L2 operations skipped while it was open')
      boundedWait(row, 2 * COMMAND_TIMEOUT_MS + ORIGIN_TIMEOUT_MS + SLACK_MS)
    }
  },
  'provider-5xx': {
    title: 'provider 503 for everything: warm keys served stale; cold keys 502 JSON; ≤ 2 origin calls per key per second per worker',
    holds (row) {
      coldGet(row, '502 CS_ERR_ORIGIN_UNAVAILABLE')
      assert.ok((row.during.sources.STALE ?? 0) >= 1, 'stale answers in the window')
      assert.ok(row.origin.maxPerKeyPerSecondDuring <= 4, `${row.origin.maxPerKeyPerSecondDuring} calls for one key in one second`)
    }
  },
  'provider-slow': {
    title: 'provider slower than ORIGIN_TIMEOUT_MS: cold keys 504 JSON; no wait beyond the origin timeout (+ slack)',
    holds (row) {
      coldGet(row, '504 CS_ERR_ORIGIN_TIMEOUT')
      boundedWait(row, ORIGIN_TIMEOUT_MS + 2 * COMMAND_TIMEOUT_MS + SLACK_MS)
    }
  },
  'provider-kill': {
    title: 'provider killed: warm keys served stale; cold keys 502 JSON; no retry storm; cold keys answered once it is back',
    holds (row) {
      coldGet(row, '502 CS_ERR_ORIGIN_UNAVAILABLE')
      assert.ok((row.during.sources.STALE ?? 0) >= 1, 'stale answers in the window')
      assert.ok(row.origin.maxPerKeyPerSecondDuring <= 4, `${row.origin.maxPerKeyPerSecondDuring} calls for one key in one second`)
      assert.equal(row.facts.coldAfterRestart, '200 200 200')
    }
  },
  'redis-cluster-master-kill': {
    title: 'Redis Cluster master SIGKILLed: 0 failed requests; 3 masters again; HIT-L2 again',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.masters, 3)
      assert.equal(row.facts.l2Serves, true)
    }
  },
  'sentinel-failover': {
    title: 'Sentinel failover: 0 failed requests; the replica promoted; HIT-L2 again',
    holds (row) {
      noFailures(row)
      assert.equal(row.facts.failedOver, true)
      assert.equal(row.facts.l2Serves, true)
    }
  }
}

/**
 * One group of the short matrix (`--quick --only …`) run once for the file, then one test per
 * fault: the row ran to its end, every check of its own holds, and its expected outcome.
 */
export function faultMatrixGroup (ids: readonly string[]): void {
  const known = matrixCatalogue().map((fault) => fault.id)
  let result: MatrixResult | undefined
  before(async () => {
    result = await runMatrix(parseMatrixOptions(['--quick', '--only', ids.join(',')], known))
  })
  after(() => {
    // A failed row says everything it knows: every check, fact and note.
    for (const row of result?.rows ?? []) {
      if (!row.pass) process.stderr.write(`${row.id}: ${JSON.stringify({ checks: row.checks, facts: row.facts, notes: row.notes })}\n`)
    }
  })
  for (const id of ids) {
    const expected = EXPECTED[id]
    if (expected === undefined) throw new Error(`no expected outcome written for fault ${id}`)
    test(expected.title, () => {
      const row = result?.rows.find((r) => r.id === id)
      assert.ok(row !== undefined, `a row for ${id}`)
      assert.notEqual(row.checks[0]?.name, 'ran', `${id} did not run to its end: ${row.notes.join('; ')}`)
      assert.ok(row.requests > 500, `${id}: a real load (${row.requests} requests)`)
      for (const check of row.checks) assert.ok(check.pass, `${id} — ${check.name}: expected ${check.expected}, got ${check.actual}`)
      expected.holds(row)
    })
  }
}
