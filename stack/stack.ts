// The whole topology on loopback, as a function: redis-server (or a Redis Cluster) → simulated
// provider → one or more app clusters → nginx (rendered from nginx/nginx.conf.template).
// `npm run stack`, the integration tests and the load-test suite all start and stop stacks
// through startStack().
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { CACHE_STRATEGIES, usesRedis, type CacheStrategyName } from '../src/config.js'
import { requireBinary } from './binaries.js'
import { freePort } from './free-port.js'
import { spawnManaged, type ManagedProcess } from './managed-process.js'
import { childPids } from './process-group.js'
import { nativeNginxOptions, type NginxConfigOptions, type RateLimitOptions } from '../src/nginx/nginx-config.js'
import { startNginxServer, type NginxServer } from './nginx-server.js'
import { startRedisCluster, type RedisCluster, type RedisClusterOptions } from './redis-cluster.js'
import { startRedisServer, type RedisServer } from './redis-server.js'
import { startPrometheus, type PrometheusServer, type ScrapeJob } from './prometheus-server.js'
import { startNginxExporter, startRedisExporter, type Exporter } from './exporters.js'
import { waitForHttp } from './wait-for-http.js'

const APP_SCRIPT = fileURLToPath(new URL('../src/main.js', import.meta.url))
const ORIGIN_SCRIPT = fileURLToPath(new URL('../src/origin/main.js', import.meta.url))

export interface StackOptions {
  /** The app's CACHE_STRATEGY. @default 'layered' */
  strategy?: CacheStrategyName
  /** The app's WORKERS. @default 2 */
  workers?: number
  /** nginx's proxy_cache tier. @default false */
  edgeCache?: boolean
  /** @default a free port (the CLI defaults to 8080) */
  nginxPort?: number
  /** The first app instance's port. @default a free port */
  appPort?: number
  /** Every app instance's port (overrides appPort; its length is appInstances). @default free ports */
  appPorts?: readonly number[]
  /** App instances behind nginx, each a cluster primary with `workers` workers on its own port.
   * @default 1, or 2 with redis: 'cluster' */
  appInstances?: number
  /** @default a free port */
  originPort?: number
  /** @default a free port */
  redisPort?: number
  /** L2: 'single' = one redis-server (REDIS_URL), 'cluster' = a Redis Cluster, 3 masters + 3
   * replicas (REDIS_CLUSTER_NODES), false = none; true means 'single'.
   * @default 'single' (restartApp may switch to a strategy that needs it) */
  redis?: RedisTopology | boolean
  /** Extra `--option value` arguments for the single redis-server (and its restarts), e.g.
   * ['--enable-debug-command', 'local'] for the fault matrix's DEBUG SLEEP. @default [] */
  redisArgs?: readonly string[]
  /** The Redis Cluster's shape, with redis: 'cluster'. @default 3 masters, 1 replica each, node timeout 1000 ms */
  redisCluster?: RedisClusterOptions
  /** nginx's per-client limit_req; false turns it off. @default { ratePerSecond: 50, burst: 100 } */
  rateLimit?: RateLimitOptions | false
  /** nginx's JSON access log (in the work dir, or stdout from the CLI). @default true */
  accessLog?: boolean
  /** Extra environment for the app (CACHE_TTL_SECONDS, EXPOSE_BASELINE, LOG_LEVEL, …). */
  appEnv?: Record<string, string>
  /** Extra environment for the provider (ORIGIN_LATENCY_MS, ORIGIN_ERROR_RATE, …). */
  originEnv?: Record<string, string>
  /** The ORIGIN_URL the app is given, when something stands between it and the provider (the
   * fault matrix's fault proxy, faults/fault-proxy.ts). @default the provider's URL */
  appOriginUrl?: string
  /** nginx's prefix (pid, temp paths, cache, logs). @default a fresh mkdtemp dir, removed on stop */
  workDir?: string
  /** LOG_LEVEL of the app and the provider. @default 'warn' */
  logLevel?: string
  /** Copy the children's output to this process's stdout/stderr. @default true */
  forwardOutput?: boolean
  /** Further nginx options (workerProcesses, accessLogPath, trustedProxies, …). */
  nginx?: Partial<Omit<NginxConfigOptions, 'target' | 'app' | 'listen' | 'workDir'>>
  /** Bound on each component's readiness, ms. @default 30_000 */
  startTimeoutMs?: number
  /** A redis-server (redis: 'single') that dies is a cache outage, not the stack's end: it is
   * restarted on the same port after this delay (retried with a doubling delay, up to 10 s, while
   * it fails to start), and the app answers from L1 and the origin meanwhile — as
   * `restart: unless-stopped` does in Docker. false leaves it down. @default 1000 */
  redisRestartDelayMs?: number | false
  /** A Prometheus (Debian's) scraping each second every instance's metrics listener (job
   * cachestack), the provider's /metrics (job provider), nginx's stub_status through
   * prometheus-nginx-exporter (job nginx) and the single redis-server through
   * prometheus-redis-exporter (job redis), with the project's rules
   * (observability/prometheus/rules.yml). @default false */
  observability?: boolean
  /** What the stack has to say while it runs (redis-server died, restarted).
   * @default stderr when forwardOutput, else nothing */
  onNote?: (message: string) => void
  /** Aborting it during startStack stops what has started and rejects. */
  signal?: AbortSignal
}

export type RedisTopology = 'single' | 'cluster'

export interface Stack {
  /** app = the first instance; apps = every instance (nginx balances over them); metrics = the
   * first instance's internal metrics listener (`…/metrics`, aggregated over its workers),
   * metricsAll = every instance's; redis = the single redis-server's URL; redisCluster = the
   * cluster's seeds (REDIS_CLUSTER_NODES). */
  readonly urls: {
    nginx: string
    app: string
    apps: readonly string[]
    metrics: string
    metricsAll: readonly string[]
    origin: string
    redis?: string
    redisCluster?: string
  }
  /** app = the first instance's cluster primary (its workers are its children); apps = every
   * instance's primary; redisNodes = every cluster node's redis-server, killed ones included. */
  readonly pids: { nginx: number, app: number, apps: readonly number[], origin: number, redis?: number, redisNodes?: readonly number[] }
  /** What L2 runs on. */
  readonly redisTopology: RedisTopology | 'none'
  /** The Redis Cluster (describe(), per-shard key counts; nodes to kill), with redis: 'cluster'. */
  readonly redisCluster?: RedisCluster
  /** With observability: true, the Prometheus that scrapes the app instances. */
  readonly prometheus?: PrometheusServer
  readonly workDir: string
  /** The rendered nginx.conf. */
  readonly nginxConfigPath: string
  /** nginx's logs (inside workDir unless options.nginx says otherwise). */
  readonly logs: { nginxAccess: string, nginxError: string }
  /** Resolves, naming the part, if nginx, the app primary or the provider exits on its own (a
   * redis-server that dies is restarted instead, unless redisRestartDelayMs is false). */
  readonly crashed: Promise<string>
  /** SIGHUP to every app cluster primary, which replaces its workers one at a time (src/cluster.ts);
   * resolves once each has as many workers as before and none of the old ones. @default timeoutMs 60_000 */
  rollingRestart (timeoutMs?: number): Promise<void>
  /** Restart only the app clusters (every instance) with other options, keeping nginx, redis, origin. */
  restartApp (options: { strategy?: CacheStrategyName, workers?: number, appEnv?: Record<string, string> }): Promise<void>
  /** Flush L2 (FLUSHDB on the stack's redis, or on every cluster master) — for cold runs between strategies. */
  flushRedis (): Promise<void>
  stop (): Promise<void>
}

interface AppSettings {
  strategy: CacheStrategyName
  workers: number
  appEnv: Record<string, string>
}

function validateApp (settings: AppSettings, hasRedis: boolean): void {
  if (!CACHE_STRATEGIES.includes(settings.strategy)) {
    throw new TypeError(`expected stack option strategy to be one of ${CACHE_STRATEGIES.join(', ')}, got ${JSON.stringify(settings.strategy)}`)
  }
  if (!Number.isInteger(settings.workers) || settings.workers < 1 || settings.workers > 256) {
    throw new TypeError(`expected stack option workers to be an integer from 1 to 256, got ${JSON.stringify(settings.workers)}`)
  }
  // An L2 the caller runs itself (a Sentinel group, say) is named in appEnv, with redis: false.
  const ownRedis = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].some((name) => settings.appEnv[name] !== undefined)
  if (usesRedis(settings.strategy) && !hasRedis && !ownRedis) {
    throw new TypeError(`strategy '${settings.strategy}' needs Redis, but the stack runs without it: drop redis: false`)
  }
}

/** Distinct free loopback ports for everything not given. */
async function pickPorts (given: Array<number | undefined>): Promise<number[]> {
  const taken = new Set(given.filter((port): port is number => port !== undefined))
  const ports: number[] = []
  for (const port of given) {
    if (port !== undefined) {
      ports.push(port)
      continue
    }
    let candidate = await freePort()
    while (taken.has(candidate)) candidate = await freePort()
    taken.add(candidate)
    ports.push(candidate)
  }
  return ports
}

/** The parent's environment without what would leak into a child by accident. */
function baseEnv (): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT // the test runner's marker; a child is not a test file
  delete env.REDIS_URL
  delete env.REDIS_CLUSTER_NODES
  delete env.REDIS_SENTINELS
  return env
}

function topologyOf (redis: RedisTopology | boolean): RedisTopology | 'none' {
  if (redis === true || redis === 'single') return 'single'
  if (redis === 'cluster') return 'cluster'
  if (redis === false) return 'none'
  throw new TypeError(`expected stack option redis to be 'single', 'cluster', true or false, got ${JSON.stringify(redis)}`)
}

/** FLUSHDB on one node. */
async function flushNode (url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.flushdb()
  } finally {
    client.disconnect()
  }
}

export async function startStack (options: StackOptions = {}): Promise<Stack> {
  const {
    strategy = 'layered',
    workers = 2,
    edgeCache = false,
    redis: redisOption = 'single',
    accessLog = true,
    appEnv = {},
    originEnv = {},
    logLevel = 'warn',
    forwardOutput = true,
    startTimeoutMs = 30_000,
    redisRestartDelayMs = 1000,
    observability = false,
    onNote = forwardOutput ? (message: string) => { process.stderr.write(`stack: ${message}\n`) } : () => {},
    signal
  } = options
  const abortable = signal === undefined ? {} : { signal }
  const topology = topologyOf(redisOption)
  const withRedis = topology !== 'none'
  const { appInstances = options.appPorts?.length ?? (topology === 'cluster' ? 2 : 1) } = options
  if (!Number.isInteger(appInstances) || appInstances < 1 || appInstances > 16) {
    throw new TypeError(`expected stack option appInstances to be an integer from 1 to 16, got ${JSON.stringify(appInstances)}`)
  }
  if (options.appPorts !== undefined && options.appPorts.length !== appInstances) {
    throw new TypeError(`expected stack option appPorts to list ${appInstances} ports (one per instance), got ${JSON.stringify(options.appPorts)}`)
  }
  let settings: AppSettings = { strategy, workers, appEnv }
  validateApp(settings, withRedis)
  // Before anything starts: a missing binary is named with how to install it.
  requireBinary('nginx')
  if (withRedis) requireBinary('redis-server')
  if (topology === 'cluster') requireBinary('redis-cli')
  if (observability) {
    requireBinary('prometheus')
    requireBinary('prometheus-nginx-exporter')
    if (topology === 'single') requireBinary('prometheus-redis-exporter')
  }

  const ownsWorkDir = options.workDir === undefined
  const workDir = options.workDir ?? await mkdtemp(join(tmpdir(), 'cachestack-stack-'))
  const givenAppPorts = options.appPorts ?? Array.from({ length: appInstances }, (_, i) => (i === 0 ? options.appPort : undefined))
  const [nginxPort, originPort, redisPort, nginxStatusPort, ...instancePorts] = await pickPorts([
    options.nginxPort, options.originPort, topology === 'single' ? options.redisPort : -1, observability ? undefined : -1,
    ...givenAppPorts, ...givenAppPorts.map(() => undefined)
  ]) as [number, number, number, ...number[]]
  const appPorts = instancePorts.slice(0, appInstances)
  const metricsPorts = instancePorts.slice(appInstances)
  const appUrls = appPorts.map((port) => `http://127.0.0.1:${port}`)
  const metricsUrls = metricsPorts.map((port) => `http://127.0.0.1:${port}/metrics`)
  const urls = {
    nginx: `http://127.0.0.1:${nginxPort}`,
    app: appUrls[0]!,
    apps: appUrls,
    metrics: metricsUrls[0]!,
    metricsAll: metricsUrls,
    origin: `http://127.0.0.1:${originPort}`
  }

  let redis: RedisServer | undefined
  let redisCluster: RedisCluster | undefined
  let origin: ManagedProcess | undefined
  // One cluster primary per instance, in appPorts' order; empty while (re)starting.
  let apps: ManagedProcess[] = []
  let nginx: NginxServer | undefined
  let prometheus: PrometheusServer | undefined
  const exporters: Exporter[] = []
  // Last resort if this process exits without stop(): nothing may outlive it.
  const killAll = (): void => {
    for (const child of [nginx?.process, ...apps, origin]) child?.killNow()
    redis?.process.kill('SIGKILL')
    for (const node of redisCluster?.nodes ?? []) node.process.kill('SIGKILL')
  }
  process.once('exit', killAll)
  let stopping = false
  let reportCrash: (message: string) => void = () => {}
  const crashed = new Promise<string>((resolve) => { reportCrash = resolve })
  const watch = (name: string, exited: Promise<void>, expected: () => boolean): void => {
    void exited.then(() => { if (!stopping && !expected()) reportCrash(`${name} exited unexpectedly`) })
  }

  /** Restarts a redis-server that dies (a cache outage must not become a full one). */
  const superviseRedis = (server: RedisServer): void => {
    let delayMs = redisRestartDelayMs === false ? 0 : redisRestartDelayMs
    server.process.once('exit', (code, exitSignal) => {
      if (stopping || redis !== server) return
      const how = exitSignal ?? `code ${code}`
      if (redisRestartDelayMs === false) {
        onNote(`redis-server exited (${how}); left down: the app answers from L1 and the origin`)
        return
      }
      onNote(`redis-server exited (${how}); the app answers from L1 and the origin meanwhile; restarting it in ${delayMs} ms`)
      const attempt = (): void => {
        if (stopping || redis !== server) return
        server.restart().then((restarted) => {
          if (stopping) {
            void restarted.stop()
            return
          }
          redis = restarted
          onNote(`redis-server restarted on ${restarted.url} (pid ${restarted.process.pid})`)
          superviseRedis(restarted)
        }, (err: Error) => {
          delayMs = Math.min(delayMs * 2, 10_000)
          onNote(`redis-server did not restart (${err.message}); trying again in ${delayMs} ms`)
          setTimeout(attempt, delayMs).unref()
        })
      }
      setTimeout(attempt, delayMs).unref()
    })
  }

  const startInstance = async (next: AppSettings, index: number): Promise<ManagedProcess> => {
    const appPort = appPorts[index]!
    const appUrl = appUrls[index]!
    const child = spawnManaged({
      name: appPorts.length === 1 ? 'app' : `app ${index + 1}`,
      command: process.execPath,
      args: [APP_SCRIPT],
      env: {
        ...baseEnv(),
        LOG_LEVEL: logLevel,
        ...next.appEnv,
        PORT: String(appPort),
        HOST: '127.0.0.1',
        METRICS_PORT: String(metricsPorts[index]!),
        METRICS_HOST: '127.0.0.1',
        WORKERS: String(next.workers),
        CACHE_STRATEGY: next.strategy,
        ORIGIN_URL: options.appOriginUrl ?? urls.origin,
        ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
        ...(redisCluster === undefined ? {} : { REDIS_CLUSTER_NODES: redisCluster.seeds })
      },
      forwardOutput
    })
    watch(appPorts.length === 1 ? 'the app cluster primary' : `the app cluster primary of instance ${index + 1}`, child.exited, () => !apps.includes(child))
    try {
      await waitForHttp(`${appUrl}/ready`, { timeoutMs: startTimeoutMs, process: child, ...abortable })
      // /ready answers once one worker listens; a measurement right after a (re)start needs them all.
      await waitForHttp(`http://127.0.0.1:${metricsPorts[index]!}/metrics`, {
        timeoutMs: startTimeoutMs,
        process: child,
        ...abortable,
        acceptBody: (text) => Number(/^cachestack_workers_listening (\d+)$/m.exec(text)?.[1] ?? -1) >= next.workers
      })
    } catch (err) {
      await child.stop().catch(() => {})
      throw new Error(`the app cluster failed to start on ${appUrl}: ${(err as Error).message}`)
    }
    return child
  }

  /** Every instance at once; if one fails, the others are stopped before the error goes up. */
  const startApps = async (next: AppSettings): Promise<ManagedProcess[]> => {
    const outcomes = await Promise.allSettled(appPorts.map((_, index) => startInstance(next, index)))
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
    const started = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
    if (failed === undefined) return started
    await Promise.allSettled(started.map((child) => child.stop()))
    throw failed.reason
  }

  const stopAll = async (): Promise<void> => {
    stopping = true
    const errors: unknown[] = []
    // Front to back: stop taking requests, drain the apps, then what they depend on.
    const parts: Array<Array<{ stop (): Promise<void> } | undefined>> = [[prometheus, ...exporters, nginx], apps, [origin], [redis, redisCluster]]
    for (const group of parts) {
      for (const outcome of await Promise.allSettled(group.map((part) => part?.stop()))) {
        if (outcome.status === 'rejected') errors.push(outcome.reason)
      }
    }
    process.removeListener('exit', killAll)
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true })
    if (errors.length > 0) throw new AggregateError(errors, `stopping the stack: ${errors.map((e) => (e as Error).message).join('; ')}`)
  }

  try {
    signal?.throwIfAborted()
    if (topology === 'single') {
      redis = await startRedisServer({ port: redisPort, args: [...(options.redisArgs ?? [])] })
      superviseRedis(redis)
    } else if (topology === 'cluster') {
      // Not watched: a node that dies is what a cluster survives (a replica is promoted).
      redisCluster = await startRedisCluster(options.redisCluster)
    }
    signal?.throwIfAborted()
    origin = spawnManaged({
      name: 'origin',
      command: process.execPath,
      args: [ORIGIN_SCRIPT],
      env: { ...baseEnv(), LOG_LEVEL: logLevel, ...originEnv, ORIGIN_PORT: String(originPort), HOST: '127.0.0.1' },
      forwardOutput
    })
    watch('the weather provider', origin.exited, () => false)
    await waitForHttp(`${urls.origin}/health`, { timeoutMs: startTimeoutMs, process: origin, ...abortable })
    apps = await startApps(settings)
    signal?.throwIfAborted()
    const keepAlive = appEnv.KEEP_ALIVE_TIMEOUT_MS === undefined ? {} : { appKeepAliveTimeoutMs: Number(appEnv.KEEP_ALIVE_TIMEOUT_MS) }
    nginx = await startNginxServer({
      config: nativeNginxOptions({
        ...options.nginx,
        ...keepAlive,
        workDir: join(workDir, 'nginx'),
        port: nginxPort,
        appPort: appPorts[0]!,
        appPorts,
        edgeCache,
        accessLog,
        ...(observability ? { statusPort: nginxStatusPort } : {}),
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit })
      }),
      healthUrl: `${urls.nginx}/health`,
      forwardOutput,
      startTimeoutMs,
      ...abortable
    })
    watch('nginx', nginx.process.exited, () => false)
    if (observability) {
      const exporterOptions = { startTimeoutMs, ...abortable }
      exporters.push(await startNginxExporter(`http://127.0.0.1:${nginxStatusPort}/stub_status`, exporterOptions))
      const jobs: ScrapeJob[] = [
        { name: 'cachestack', targets: urls.metricsAll.map((url) => new URL(url).host) },
        { name: 'provider', targets: [new URL(urls.origin).host] },
        { name: 'nginx', targets: [exporters[0]!.target] }
      ]
      // A cluster would need one exporter per node (or -is-cluster); the single server is the default topology.
      if (redis !== undefined) {
        exporters.push(await startRedisExporter(redis.url, exporterOptions))
        jobs.push({ name: 'redis', targets: [exporters[1]!.target] })
      }
      prometheus = await startPrometheus({
        jobs,
        forwardOutput,
        startTimeoutMs,
        ...abortable
      })
    }
  } catch (err) {
    await stopAll().catch(() => {})
    throw err
  }

  const cluster = redisCluster
  const nginxServer = nginx
  const originProcess = origin
  let stopped: Promise<void> | undefined
  return {
    urls: {
      ...urls,
      ...(redis === undefined ? {} : { redis: redis.url }),
      ...(cluster === undefined ? {} : { redisCluster: cluster.seeds })
    },
    get pids () {
      const appPids = apps.map((child) => child.pid)
      return {
        nginx: nginxServer.process.pid,
        app: appPids[0]!,
        apps: appPids,
        origin: originProcess.pid,
        ...(redis?.process.pid === undefined ? {} : { redis: redis.process.pid }),
        ...(cluster === undefined ? {} : { redisNodes: cluster.nodes.map((node) => node.process.pid!) })
      }
    },
    redisTopology: topology,
    ...(cluster === undefined ? {} : { redisCluster: cluster }),
    ...(prometheus === undefined ? {} : { prometheus }),
    workDir,
    nginxConfigPath: nginxServer.configPath,
    logs: { nginxAccess: nginxServer.accessLogPath, nginxError: nginxServer.errorLogPath },
    crashed,
    async rollingRestart (timeoutMs = 60_000) {
      const before = apps.map((child) => ({ pid: child.pid, workers: childPids(child.pid) }))
      for (const { pid } of before) process.kill(pid, 'SIGHUP')
      const deadline = Date.now() + timeoutMs
      const replaced = (): boolean => before.every(({ pid, workers: old }) => {
        const now = childPids(pid)
        return now.length === old.length && now.every((worker) => !old.includes(worker))
      })
      while (!replaced()) {
        if (Date.now() > deadline) throw new Error(`the rolling restart did not replace every worker within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async restartApp (next) {
      const candidate: AppSettings = {
        strategy: next.strategy ?? settings.strategy,
        workers: next.workers ?? settings.workers,
        appEnv: next.appEnv ?? settings.appEnv
      }
      validateApp(candidate, withRedis)
      const previous = apps
      apps = [] // from here their exits are intended
      await Promise.all(previous.map((child) => child.stop()))
      apps = await startApps(candidate)
      settings = candidate
    },
    async flushRedis () {
      if (redis !== undefined) return flushNode(redis.url)
      if (cluster === undefined) throw new Error('this stack runs without Redis: start it with redis: \'single\' or \'cluster\' to flush L2')
      // FLUSHDB is per node: every master (replicas follow).
      const masters = (await cluster.describe()).filter((node) => node.role === 'master')
      await Promise.all(masters.map((node) => flushNode(`redis://127.0.0.1:${node.port}`)))
    },
    stop () {
      stopped ??= stopAll()
      return stopped
    }
  }
}
