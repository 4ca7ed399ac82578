// The fault catalogue: every fault of the matrix, what it means, what the service is expected to
// do, why, and the checks that hold it to that. The order is the run order: the faults of one
// topology together (it is started once), the ones that leave it changed last.
import { execFile } from 'node:child_process'
import { dirname } from 'node:path'
import { promisify } from 'node:util'
import { request } from 'undici'
import { childPids, isAlive } from '../stack/process-group.js'
import { requireBinary } from '../stack/binaries.js'
import {
  coldKeysGet, factAtLeast, factIs, latencyBound, noFailedRequests, onlyKeepAliveRaces, originBounded, warmKeysServed
} from './checks.js'
import { hangUp, slowClients, targetOf, type HangUpOutcome, type SlowClients } from './client-faults.js'
import type { FaultContext, FaultDefinition, Measured } from './fault.js'
import { appConnections, appReady, l2Serves, untilWorkers, workerPids, workerSockets } from './probes.js'
import { redisAnswers } from '../stack/redis-once.js'
import { pauseRedis, slowRedis, type SlowRedis } from './redis-faults.js'
import type { Check } from './row.js'

const run = promisify(execFile)

export interface CatalogueSettings {
  /** The app's ORIGIN_TIMEOUT_MS. */
  originTimeoutMs: number
  /** The app's REDIS_COMMAND_TIMEOUT_MS. */
  redisCommandTimeoutMs: number
  /** Workers per app instance. */
  workers: number
}

/** Slack on every bound on a wait: a loaded two-core machine delays a timer by hundreds of ms. */
export const WAIT_SLACK_MS = 1000
/** How long CLIENT PAUSE lasts, as the issue sets it. */
export const REDIS_PAUSE_MS = 3000
/** Misbehaving clients per fault, half through nginx, half straight at the app's port. */
const SLOW_CLIENTS = 40
const HANG_UPS_PER_SECOND = 16

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Fresh keys for an L2 probe: cities never asked before. */
function freshSegments (ctx: FaultContext, count: number): string[] {
  return Array.from({ length: count }, () => ctx.workload.takeCold().segment)
}

/** Records whether L2 serves again (a key one worker filled is HIT-L2 on the other). */
async function probeL2 (ctx: FaultContext, timeoutMs = 20_000): Promise<void> {
  const probe = await l2Serves(ctx.bed.stack.urls.app, freshSegments(ctx, 12), timeoutMs)
  ctx.facts.l2Serves = probe.serves
  if (!probe.serves) ctx.note(`L2 probe: ${probe.seen.join('; ')}`)
}

/** The status of one GET on a fresh connection; 0 when it failed. */
async function statusOf (url: string): Promise<number> {
  try {
    const res = await request(url, { headers: { connection: 'close' }, reset: true, headersTimeout: 10_000, bodyTimeout: 10_000 })
    await res.body.dump()
    return res.statusCode
  } catch {
    return 0
  }
}

function staleServed (m: Measured): Check {
  const stale = m.during.sources.STALE ?? 0
  return { name: 'stale answers in the window', expected: '≥ 1 (served within grace)', actual: String(stale), pass: stale >= 1 }
}

function breakerOpened (m: Measured): Check {
  const state = m.facts.breakerMax
  const skipped = m.facts.l2Skipped
  return {
    name: 'L2 breaker',
    expected: 'opened (state 2 seen, L2 operations skipped)',
    actual: `max state ${String(state)}, ${String(skipped)} skipped`,
    pass: state === 2 && typeof skipped === 'number' && skipped >= 1
  }
}

function redisUrl (ctx: FaultContext): string {
  const url = ctx.bed.stack.urls.redis
  if (url === undefined) throw new Error(`fault needs the single redis-server, the bed is '${ctx.bed.kind}'`)
  return url
}

function nginxPids (ctx: FaultContext): number[] {
  return [ctx.bed.stack.pids.nginx, ...childPids(ctx.bed.stack.pids.nginx)]
}

/** Connections straight at the workers, not from nginx: the misbehaving clients' (or leaks). */
function directConnections (ctx: FaultContext): number {
  const port = Number(new URL(ctx.bed.stack.urls.app).port)
  return appConnections(port, workerPids(ctx.bed.stack.pids.app), nginxPids(ctx)).other
}

/** How long the connections the clients held may take to close once they went: a closing socket
 * passes through CLOSE_WAIT (and one nginx has just closed no longer shows nginx as its peer), so
 * the count is read until it is 0 — a connection a worker keeps is still there at the bound. */
const CLOSING_BOUND_MS = 10_000

/** The workers, their open sockets and the connections held by others than nginx, at rest:
 * before the load, and after it (once the clients are gone and their sockets have closed). */
async function atRest (ctx: FaultContext, prefix: 'before' | 'after'): Promise<void> {
  let direct = directConnections(ctx)
  if (prefix === 'after') {
    const deadline = Date.now() + CLOSING_BOUND_MS
    while (direct > 0 && Date.now() < deadline) {
      await sleep(250)
      direct = directConnections(ctx)
    }
  }
  ctx.facts[`${prefix}Workers`] = workerPids(ctx.bed.stack.pids.app).join(' ')
  ctx.facts[`${prefix}Sockets`] = workerSockets(ctx.bed.stack.pids.app)
  ctx.facts[`${prefix}Direct`] = direct
}

function clientFaultChecks (m: Measured, heldAtLeast: number): Check[] {
  const { beforeWorkers, afterWorkers } = m.facts
  return [
    noFailedRequests(m),
    {
      name: 'workers',
      expected: 'the same pids (none crashed)',
      actual: beforeWorkers === afterWorkers ? 'the same' : `${String(beforeWorkers)} → ${String(afterWorkers)}`,
      pass: beforeWorkers === afterWorkers
    },
    factIs(m.facts, 'ready', true, 'app /ready after'),
    factAtLeast(m.facts, 'heldDirect', heldAtLeast, 'worker connections the clients held'),
    factIs(m.facts, 'afterDirect', 0, 'worker connections left after they went')
  ]
}

export function faultCatalogue (settings: CatalogueSettings): FaultDefinition[] {
  const { originTimeoutMs, redisCommandTimeoutMs, workers } = settings
  // A request's longest legitimate wait: its L2 reads and lock time out (each bounded by the
  // command timeout), then one origin call bounded by its deadline.
  const redisThenOrigin = 2 * redisCommandTimeoutMs + originTimeoutMs + WAIT_SLACK_MS
  const redisThenOriginWhy = `2 × command timeout ${redisCommandTimeoutMs} + origin timeout ${originTimeoutMs} + ${WAIT_SLACK_MS} slack`
  // Failed refreshes are retried at most once a second per key in each worker.
  const perKeyBound = 2 * workers
  const perKeyWhy = `a failed refresh is retried ≤ 1/s per key per worker; ${workers} workers, 2 for unaligned seconds`
  let slow: SlowRedis | undefined
  let clients: SlowClients[] = []
  let hangUps: Promise<void> | undefined
  const hangUpCounts: HangUpOutcome = { beforeAnswer: 0, midAnswer: 0, completed: 0 }
  let rolling: Promise<void> | undefined

  return [
    {
      id: 'worker-kill',
      title: 'a worker SIGKILLed',
      bed: 'single',
      meaning: 'One of the two cluster workers is killed with SIGKILL under load: no drain, its open connections die with it.',
      expected: '0 failed requests; the primary respawns a worker in its place',
      why: 'nginx retries an idempotent GET whose upstream connection died (proxy_next_upstream error) on a new connection, which the primary ' +
        'hands to the live worker; the primary forks a replacement (src/cluster.ts, back-off from 100 ms).',
      async prepare (ctx) { ctx.facts.workersBefore = workerPids(ctx.bed.stack.pids.app).length },
      async inject (ctx) {
        const victim = workerPids(ctx.bed.stack.pids.app)[0]!
        ctx.facts.victim = victim
        process.kill(victim, 'SIGKILL')
      },
      async settle (ctx) {
        const victim = ctx.facts.victim as number
        ctx.facts.respawned = await untilWorkers(ctx.bed.stack.pids.app, workers, 20_000, [victim]) && !isAlive(victim)
      },
      checks: (m, facts) => [noFailedRequests(m), factIs(facts, 'respawned', true, 'worker respawned')]
    },
    {
      id: 'rolling-restart',
      title: 'rolling restart of the workers (SIGHUP)',
      bed: 'single',
      meaning: 'SIGHUP to the cluster primary: it replaces its workers one at a time — forks the new one, waits until it listens, ' +
        'takes the old one out of the round-robin, then drains it.',
      expected: '0 failed requests; every worker pid new, still 2 workers',
      why: 'the shared port always has a listening worker; a replaced worker finishes what it was handed before it drains, and what still ' +
        'arrives on its kept-alive connections is answered 503, which nginx retries on another connection.',
      async prepare (ctx) { ctx.facts.workersBefore = workerPids(ctx.bed.stack.pids.app).join(' ') },
      async inject (ctx) {
        rolling = ctx.bed.stack.rollingRestart(60_000)
        rolling.catch(() => {}) // awaited in settle
      },
      async settle (ctx) {
        try {
          await rolling
        } catch (err) {
          ctx.note((err as Error).message)
        }
        const before = String(ctx.facts.workersBefore).split(' ').map(Number)
        const now = workerPids(ctx.bed.stack.pids.app)
        ctx.facts.workersAfter = now.join(' ')
        ctx.facts.workerCount = now.length
        ctx.facts.allReplaced = now.length === before.length && now.every((pid) => !before.includes(pid))
      },
      checks: (m, facts) => [
        noFailedRequests(m), factIs(facts, 'allReplaced', true, 'every worker replaced'), factIs(facts, 'workerCount', workers, 'workers after')
      ]
    },
    {
      id: 'nginx-reload',
      title: 'nginx -s reload',
      bed: 'single',
      meaning: '`nginx -s reload` under load: nginx starts new worker processes with the (re-read) configuration and retires the old ones gracefully.',
      expected: '0 non-2xx; at most one request per client connection lost (or reset) in the keep-alive race; ' +
        'the master stays, its workers are replaced',
      why: 'the master keeps the listening socket, so new connections go to the new workers, and a retiring worker answers every request ' +
        'it has read. But while exiting, nginx closes each kept-alive client connection right after its answer — sent without ' +
        'Connection: close — so a request the client had already written on it is never read: at most one per connection, which a ' +
        'client that retries idempotent requests on a closed kept-alive connection (RFC 9112 §9.3.1) sends again. autocannon does not ' +
        'retry (nor count them): the matrix counts them.',
      async prepare (ctx) { ctx.facts.nginxWorkersBefore = childPids(ctx.bed.stack.pids.nginx).sort().join(' ') },
      async inject (ctx) {
        const config = ctx.bed.stack.nginxConfigPath
        await run(requireBinary('nginx'), ['-s', 'reload', '-p', dirname(config) + '/', '-c', config, '-e', ctx.bed.stack.logs.nginxError], { timeout: 15_000 })
      },
      async settle (ctx) {
        const before = String(ctx.facts.nginxWorkersBefore).split(' ').map(Number)
        const deadline = Date.now() + 15_000
        let now = childPids(ctx.bed.stack.pids.nginx)
        while (now.some((pid) => before.includes(pid)) && Date.now() < deadline) {
          await sleep(100)
          now = childPids(ctx.bed.stack.pids.nginx)
        }
        ctx.facts.nginxWorkersReplaced = now.length > 0 && now.every((pid) => !before.includes(pid))
        ctx.facts.nginxMasterAlive = isAlive(ctx.bed.stack.pids.nginx)
      },
      checks: (m, facts) => [
        ...onlyKeepAliveRaces(m), factIs(facts, 'nginxMasterAlive', true, 'nginx master'), factIs(facts, 'nginxWorkersReplaced', true, 'nginx workers replaced')
      ]
    },
    {
      id: 'slow-clients',
      title: 'slow clients',
      bed: 'single',
      meaning: `${SLOW_CLIENTS} connections that trickle a request head in one byte every 200 ms and never finish it (slowloris), or send a ` +
        'request and never read the answer — half through nginx, half straight at the app\'s port — held for the window, then dropped.',
      expected: '0 failed requests for everyone else; workers unchanged and ready; no connection left in the workers once the clients go',
      why: 'nginx reads a request head in full before passing the request on (client_header_timeout bounds the wait) and buffers the ' +
        'answer, so through it a slow client never holds a worker\'s connection; straight at a worker, each holds one socket until it ' +
        'goes — nothing else: no request in flight, no timer left behind.',
      prepare: (ctx) => atRest(ctx, 'before'),
      async inject (ctx) {
        const path = `/weather/${ctx.workload.hot[0]!.segment}`
        const quarter = SLOW_CLIENTS / 4
        clients = [ctx.bed.stack.urls.nginx, ctx.bed.stack.urls.app].flatMap((url) => [
          slowClients(targetOf(url), { count: quarter, path, byteIntervalMs: 200, complete: false }),
          slowClients(targetOf(url), { count: quarter, path, byteIntervalMs: 200, complete: true })
        ])
      },
      async lift (ctx) {
        ctx.facts.heldDirect = directConnections(ctx)
        ctx.facts.slowStillOpen = clients.reduce((n, c) => n + c.open(), 0)
        ctx.facts.slowClosedByServer = clients.reduce((n, c) => n + c.closedByServer(), 0)
        for (const c of clients) c.close()
        clients = []
      },
      async settle (ctx) {
        await atRest(ctx, 'after')
        ctx.facts.ready = await appReady(ctx.bed.stack.urls.app)
      },
      checks: (m) => clientFaultChecks(m, SLOW_CLIENTS / 2)
    },
    {
      id: 'client-hang-ups',
      title: 'clients hanging up mid-exchange',
      bed: 'single',
      meaning: `${HANG_UPS_PER_SECOND} requests a second through the window that hang up: for a cold key 15 ms after sending (the worker is still ` +
        'fetching it from the provider), or for a warm key at the first byte of the answer — half through nginx, half straight at the app.',
      expected: '0 failed requests for everyone else; workers unchanged and ready; no connection left in the workers; ' +
        'an abandoned fill still lands in the cache',
      why: 'a fill runs on its own (single-flight, not tied to the request that started it), so the provider\'s answer is stored even when ' +
        'nobody waits for it; a closed socket is released by Node, and nginx drops its upstream connection without retrying.',
      prepare: (ctx) => atRest(ctx, 'before'),
      async inject (ctx) {
        const targets = [targetOf(ctx.bed.stack.urls.nginx), targetOf(ctx.bed.stack.urls.app)]
        const abandoned: string[] = []
        const end = Date.now() + ctx.windowMs
        const pending: Array<Promise<void>> = []
        hangUps = (async () => {
          for (let i = 0; Date.now() < end; i++) {
            const direct = i % 2 === 1
            const cold = Math.floor(i / 2) % 2 === 0
            const segment = cold ? ctx.workload.takeCold().segment : ctx.workload.hot[i % ctx.workload.hot.length]!.segment
            if (cold && direct) abandoned.push(segment)
            const how = cold ? { afterMs: 15, atFirstByte: false } : { afterMs: 1000, atFirstByte: true }
            const hangs = hangUp(targets[direct ? 1 : 0]!, `/weather/${segment}`, how)
            pending.push(hangs.then((outcome) => { hangUpCounts[outcome]++ }))
            if (i === 8) ctx.facts.heldDirect = directConnections(ctx) // while some are in flight
            await sleep(1000 / HANG_UPS_PER_SECOND)
          }
          await Promise.all(pending)
          ctx.facts.abandonedFill = abandoned[0] ?? null
        })()
      },
      async lift (ctx) {
        await hangUps
        ctx.facts.hungUpBeforeAnswer = hangUpCounts.beforeAnswer
        ctx.facts.hungUpMidAnswer = hangUpCounts.midAnswer
        ctx.facts.answeredBeforeHangUp = hangUpCounts.completed
      },
      async settle (ctx) {
        await atRest(ctx, 'after')
        ctx.facts.ready = await appReady(ctx.bed.stack.urls.app)
        // A cold key whose asker hung up straight at the app: its fill completed all the same.
        const segment = ctx.facts.abandonedFill
        if (typeof segment === 'string') {
          const probe = await l2Serves(ctx.bed.stack.urls.app, [segment], 5000)
          const first = probe.seen[0]?.split(': ')[1]?.split(' → ')[0] ?? ''
          ctx.facts.abandonedFillCached = /^200 (HIT-L1|HIT-L2|STALE)$/.test(first)
          if (ctx.facts.abandonedFillCached !== true) ctx.note(`abandoned fill: ${probe.seen.join('; ')}`)
        }
      },
      checks: (m, facts) => [
        ...clientFaultChecks(m, 0),
        factAtLeast(facts, 'hungUpBeforeAnswer', 1, 'hung up before the answer'),
        factAtLeast(facts, 'hungUpMidAnswer', 1, 'hung up mid-answer'),
        factIs(facts, 'abandonedFillCached', true, 'abandoned fill cached')
      ]
    },
    {
      id: 'redis-kill',
      title: 'Redis SIGKILLed, then restarted',
      bed: 'single',
      meaning: 'redis-server killed with SIGKILL under load; the stack restarts it on the same port a second later ' +
        '(as `restart: unless-stopped` would), empty.',
      expected: '0 non-2xx; answers from L1 and the provider meanwhile; redis-server back; HIT-L2 again',
      why: 'every Redis command is bounded (REDIS_COMMAND_TIMEOUT_MS) with no offline queue, and the breaker stops paying the timeout after ' +
        '5 failures; L2 is a cache, so its loss only costs provider calls. The breaker\'s half-open probe finds the new server.',
      async inject (ctx) {
        const pid = ctx.bed.stack.pids.redis
        if (pid === undefined) throw new Error('no redis-server on this bed')
        ctx.facts.killedPid = pid
        process.kill(pid, 'SIGKILL')
      },
      async settle (ctx) {
        const deadline = Date.now() + 15_000
        while (ctx.bed.stack.pids.redis === ctx.facts.killedPid && Date.now() < deadline) await sleep(100)
        ctx.facts.redisBack = ctx.bed.stack.pids.redis !== ctx.facts.killedPid && await redisAnswers(redisUrl(ctx))
        await probeL2(ctx)
      },
      checks: (m, facts) => [noFailedRequests(m), factIs(facts, 'redisBack', true, 'redis-server restarted'), factIs(facts, 'l2Serves', true, 'HIT-L2 again')]
    },
    {
      id: 'redis-pause',
      title: `Redis paused (CLIENT PAUSE ${REDIS_PAUSE_MS})`,
      bed: 'single',
      meaning: `CLIENT PAUSE ${REDIS_PAUSE_MS} ALL: redis-server accepts commands but answers none for ${REDIS_PAUSE_MS / 1000} s — ` +
        'a stalled server, not a dead one.',
      expected: `0 non-2xx; no request waits longer than the Redis command timeout + the origin timeout (${redisThenOrigin} ms with slack)`,
      why: 'each L2 read and lock attempt gives up at the command timeout; the request then goes to the provider (bounded by its own ' +
        'deadline), and the breaker opens so that later requests skip L2 without waiting at all.',
      inject: (ctx) => pauseRedis(redisUrl(ctx), REDIS_PAUSE_MS),
      settle: (ctx) => probeL2(ctx),
      checks: (m, facts) => [
        noFailedRequests(m), latencyBound(m, redisThenOrigin, redisThenOriginWhy), factIs(facts, 'l2Serves', true, 'HIT-L2 again')
      ]
    },
    {
      id: 'redis-slow',
      title: 'Redis slow (DEBUG SLEEP)',
      bed: 'single',
      // Cold keys through the window: each is an L2 read, a lock and a write in some worker, so
      // every worker meets the slow Redis five times in a row whatever share of the load L1 answers.
      coldProbes: true,
      meaning: `DEBUG SLEEP ${(redisCommandTimeoutMs * 10) / 1000} over and over for the whole window (a 20 ms gap between): redis-server's ` +
        'command thread sleeps, and every command waits behind it, longer than the command timeout.',
      expected: 'the L2 breaker opens; 0 non-2xx; latency bounded by the command timeout + the origin timeout',
      why: 'commands time out (REDIS_COMMAND_TIMEOUT_MS), five in a row open the breaker (cachestack_circuit_breaker_state = 2), and ' +
        'while it is open L2 is skipped: the workers answer from L1 and the provider without waiting for Redis.',
      // Sleeps of ten command timeouts: with sleeps of two, a command sent in a sleep's second half
      // got its answer in time, so failures and successes alternated and five in a row — what
      // opens the breaker — came only by luck (measured: the breaker stayed closed on 2 of 3 runs).
      inject: async (ctx) => { slow = await slowRedis(redisUrl(ctx), redisCommandTimeoutMs * 10, 20) },
      async lift (ctx) {
        await slow?.stop()
        ctx.facts.slowedBy = slow?.how ?? null
        ctx.facts.blocks = slow?.blocks ?? 0
      },
      settle: (ctx) => probeL2(ctx),
      checks: (m, facts) => [
        noFailedRequests(m), breakerOpened(m), latencyBound(m, redisThenOrigin, redisThenOriginWhy),
        factAtLeast(facts, 'blocks', 1, 'Redis blocked'), factIs(facts, 'l2Serves', true, 'HIT-L2 again')
      ]
    },
    {
      id: 'provider-5xx',
      title: 'provider answers 503 to everything',
      bed: 'single',
      coldProbes: true,
      meaning: 'The fault proxy answers every weather call 503 for the window, as a provider in trouble does.',
      expected: 'cached keys served (stale within grace); cold keys 502 CS_ERR_ORIGIN_UNAVAILABLE JSON; no retry storm',
      why: 'grace is stale-if-error (RFC 5861): past freshness the stored answer keeps being served; a failed refresh is retried at most ' +
        'once a second per key; a key with nothing stored has nothing to serve but a clear error.',
      inject: (ctx) => ctx.bed.proxy.setMode({ kind: 'status', status: 503 }),
      lift: (ctx) => ctx.bed.proxy.setMode({ kind: 'pass' }),
      checks: (m) => [
        warmKeysServed(m), staleServed(m), coldKeysGet(m, 502, 'CS_ERR_ORIGIN_UNAVAILABLE'), originBounded(m, perKeyBound, perKeyWhy)
      ]
    },
    {
      id: 'provider-slow',
      title: `provider slower than ORIGIN_TIMEOUT_MS (${originTimeoutMs} ms)`,
      bed: 'single',
      coldProbes: true,
      meaning: `The fault proxy holds every weather call ${originTimeoutMs + 500} ms before passing it on, for the window: past the app's origin deadline.`,
      expected: 'cached keys served; cold keys 504 CS_ERR_ORIGIN_TIMEOUT JSON; ' +
        `no wait beyond the origin timeout (${originTimeoutMs + 2 * redisCommandTimeoutMs + WAIT_SLACK_MS} ms with slack)`,
      why: 'one deadline bounds each origin call (connect to last byte, queueing included); a stale answer goes out at once while its refresh ' +
        'runs in the background, so only a key with nothing stored waits — and only until the deadline.',
      inject: (ctx) => ctx.bed.proxy.setMode({ kind: 'delay', ms: originTimeoutMs + 500 }),
      lift: (ctx) => ctx.bed.proxy.setMode({ kind: 'pass' }),
      checks: (m) => [
        warmKeysServed(m), coldKeysGet(m, 504, 'CS_ERR_ORIGIN_TIMEOUT'),
        latencyBound(m, originTimeoutMs + 2 * redisCommandTimeoutMs + WAIT_SLACK_MS,
          `origin timeout ${originTimeoutMs} + L2 read and lock ${2 * redisCommandTimeoutMs} + ${WAIT_SLACK_MS} slack`),
        originBounded(m, perKeyBound, perKeyWhy)
      ]
    },
    {
      id: 'provider-kill',
      title: 'provider killed, then restarted',
      bed: 'single',
      coldProbes: true,
      meaning: 'The provider process is killed with SIGKILL; a new one starts on the same port when the window closes.',
      expected: 'cached keys served (stale within grace); cold keys 502 CS_ERR_ORIGIN_UNAVAILABLE JSON; no retry storm; cold keys 200 again after',
      why: 'as for the 503s: a connection refused or reset is an origin failure (502), the stale answer is served meanwhile, and failed ' +
        'refreshes are retried at most once a second per key.',
      inject: async (ctx) => { ctx.bed.killProvider() },
      async lift (ctx) {
        await ctx.bed.restartProvider()
        ctx.facts.providerBack = true
      },
      async settle (ctx) {
        // Cold keys once the provider is back: answered, by the new process.
        const answers = await Promise.all(freshSegments(ctx, 3).map((segment) => statusOf(`${ctx.bed.stack.urls.nginx}/weather/${segment}`)))
        ctx.facts.coldAfterRestart = answers.join(' ')
      },
      checks: (m, facts) => [
        warmKeysServed(m), staleServed(m), coldKeysGet(m, 502, 'CS_ERR_ORIGIN_UNAVAILABLE'), originBounded(m, perKeyBound, perKeyWhy),
        factIs(facts, 'providerBack', true, 'provider restarted'), factIs(facts, 'coldAfterRestart', '200 200 200', 'cold keys once it is back')
      ]
    },
    {
      id: 'redis-cluster-master-kill',
      title: 'Redis Cluster: a master SIGKILLed',
      bed: 'cluster',
      meaning: 'The app on a Redis Cluster (3 masters, 3 replicas, cluster-node-timeout 1 s); one master killed with SIGKILL under load.',
      expected: '0 non-2xx; a replica takes over its slots (3 masters again); HIT-L2 again',
      why: 'commands to the dead master\'s slots time out or fail fast and the breaker opens; the cluster promotes the replica, ioredis ' +
        'refreshes its slot map, and the half-open probe closes the breaker.',
      leavesBedUsable: false,
      async inject (ctx) {
        const cluster = ctx.bed.stack.redisCluster!
        const master = (await cluster.describe()).find((node) => node.role === 'master')!
        ctx.facts.killedPort = master.port
        await cluster.nodes.find((node) => node.port === master.port)!.kill()
      },
      async settle (ctx) {
        const cluster = ctx.bed.stack.redisCluster!
        await cluster.waitUntilHealthy(30_000).catch((err: Error) => ctx.note(err.message))
        ctx.facts.masters = (await cluster.describe()).filter((node) => node.role === 'master').length
        await probeL2(ctx, 30_000)
      },
      checks: (m, facts) => [noFailedRequests(m), factIs(facts, 'masters', 3, 'masters after failover'), factIs(facts, 'l2Serves', true, 'HIT-L2 again')]
    },
    {
      id: 'sentinel-failover',
      title: 'Sentinel failover (primary SIGKILLed)',
      bed: 'sentinel',
      meaning: 'The app on REDIS_SENTINELS in front of Debian\'s redis-sentinel (one primary, one replica, three sentinels, quorum 2, ' +
        'down-after 1 s); the primary killed with SIGKILL under load.',
      expected: '0 non-2xx; the sentinels promote the replica; the client follows it; HIT-L2 again',
      why: 'the sentinels agree the primary is down and promote the replica; ioredis asks them for the new primary on reconnect; meanwhile ' +
        'L2 commands fail fast or time out, the breaker opens, and the answers come from L1 and the provider.',
      leavesBedUsable: false,
      async inject (ctx) {
        const group = ctx.bed.sentinel!
        const port = await group.primaryPort()
        ctx.facts.oldPrimary = port
        await group.nodes.find((node) => node.port === port)!.kill()
      },
      async settle (ctx) {
        const group = ctx.bed.sentinel!
        try {
          ctx.facts.newPrimary = await group.waitForFailover(ctx.facts.oldPrimary as number, 30_000)
        } catch (err) {
          ctx.note((err as Error).message)
        }
        ctx.facts.failedOver = typeof ctx.facts.newPrimary === 'number' && ctx.facts.newPrimary !== ctx.facts.oldPrimary
        await probeL2(ctx, 30_000)
      },
      checks: (m, facts) => [noFailedRequests(m), factIs(facts, 'failedOver', true, 'replica promoted'), factIs(facts, 'l2Serves', true, 'HIT-L2 again')]
    }
  ]
}
