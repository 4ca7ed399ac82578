// The whole topology on loopback, as a function: redis-server → simulated provider → app cluster
// → nginx (rendered from nginx/nginx.conf.template). `npm run stack`, the integration tests and
// the load-test suite all start and stop stacks through startStack().
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { CACHE_STRATEGIES, usesRedis, type CacheStrategyName } from '../config.js'
import { requireBinary } from './binaries.js'
import { freePort } from './free-port.js'
import { spawnManaged, type ManagedProcess } from './managed-process.js'
import { nativeNginxOptions, type NginxConfigOptions, type RateLimitOptions } from './nginx-config.js'
import { startNginxServer, type NginxServer } from './nginx-server.js'
import { startRedisServer, type RedisServer } from './redis-server.js'
import { waitForHttp } from './wait-for-http.js'

const APP_SCRIPT = fileURLToPath(new URL('../main.js', import.meta.url))
const ORIGIN_SCRIPT = fileURLToPath(new URL('../origin/main.js', import.meta.url))

export interface StackOptions {
  /** The app's CACHE_STRATEGY. @default 'layered' */
  strategy?: CacheStrategyName
  /** The app's WORKERS. @default 2 */
  workers?: number
  /** nginx's proxy_cache tier. @default false */
  edgeCache?: boolean
  /** @default a free port (the CLI defaults to 8080) */
  nginxPort?: number
  /** @default a free port */
  appPort?: number
  /** @default a free port */
  originPort?: number
  /** @default a free port */
  redisPort?: number
  /** Start redis-server. @default true (restartApp may switch to a strategy that needs it) */
  redis?: boolean
  /** nginx's per-client limit_req; false turns it off. @default { ratePerSecond: 50, burst: 100 } */
  rateLimit?: RateLimitOptions | false
  /** nginx's JSON access log (in the work dir, or stdout from the CLI). @default true */
  accessLog?: boolean
  /** Extra environment for the app (CACHE_TTL_SECONDS, EXPOSE_BASELINE, LOG_LEVEL, …). */
  appEnv?: Record<string, string>
  /** Extra environment for the provider (ORIGIN_LATENCY_MS, ORIGIN_ERROR_RATE, …). */
  originEnv?: Record<string, string>
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
  /** Aborting it during startStack stops what has started and rejects. */
  signal?: AbortSignal
}

export interface Stack {
  readonly urls: { nginx: string, app: string, origin: string, redis?: string }
  /** app = the cluster primary's pid (its workers are its children). */
  readonly pids: { nginx: number, app: number, origin: number, redis?: number }
  readonly workDir: string
  /** The rendered nginx.conf. */
  readonly nginxConfigPath: string
  /** nginx's logs (inside workDir unless options.nginx says otherwise). */
  readonly logs: { nginxAccess: string, nginxError: string }
  /** Resolves, naming the part, if nginx, the app primary, the provider or redis-server exits on its own. */
  readonly crashed: Promise<string>
  /** Restart only the app cluster with other options (strategy, env), keeping nginx, redis, origin. */
  restartApp (options: { strategy?: CacheStrategyName, workers?: number, appEnv?: Record<string, string> }): Promise<void>
  /** Flush L2 (FLUSHDB on the stack's redis) — for cold runs between strategies. */
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
  if (usesRedis(settings.strategy) && !hasRedis) {
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
  return env
}

export async function startStack (options: StackOptions = {}): Promise<Stack> {
  const {
    strategy = 'layered',
    workers = 2,
    edgeCache = false,
    redis: withRedis = true,
    accessLog = true,
    appEnv = {},
    originEnv = {},
    logLevel = 'warn',
    forwardOutput = true,
    startTimeoutMs = 30_000,
    signal
  } = options
  const abortable = signal === undefined ? {} : { signal }
  let settings: AppSettings = { strategy, workers, appEnv }
  validateApp(settings, withRedis)
  // Before anything starts: a missing binary is named with how to install it.
  requireBinary('nginx')
  if (withRedis) requireBinary('redis-server')

  const ownsWorkDir = options.workDir === undefined
  const workDir = options.workDir ?? await mkdtemp(join(tmpdir(), 'cachestack-stack-'))
  const [nginxPort, appPort, originPort, redisPort] = await pickPorts([options.nginxPort, options.appPort, options.originPort, withRedis ? options.redisPort : -1]) as [number, number, number, number]
  const urls = {
    nginx: `http://127.0.0.1:${nginxPort}`,
    app: `http://127.0.0.1:${appPort}`,
    origin: `http://127.0.0.1:${originPort}`
  }

  let redis: RedisServer | undefined
  let origin: ManagedProcess | undefined
  let app: ManagedProcess | undefined
  let nginx: NginxServer | undefined
  // Last resort if this process exits without stop(): nothing may outlive it.
  const killAll = (): void => {
    for (const child of [nginx?.process, app, origin]) child?.killNow()
    redis?.process.kill('SIGKILL')
  }
  process.once('exit', killAll)
  let stopping = false
  let reportCrash: (message: string) => void = () => {}
  const crashed = new Promise<string>((resolve) => { reportCrash = resolve })
  const watch = (name: string, exited: Promise<void>, expected: () => boolean): void => {
    void exited.then(() => { if (!stopping && !expected()) reportCrash(`${name} exited unexpectedly`) })
  }

  const startApp = async (next: AppSettings): Promise<ManagedProcess> => {
    const child = spawnManaged({
      name: 'app',
      command: process.execPath,
      args: [APP_SCRIPT],
      env: {
        ...baseEnv(),
        LOG_LEVEL: logLevel,
        ...next.appEnv,
        PORT: String(appPort),
        HOST: '127.0.0.1',
        WORKERS: String(next.workers),
        CACHE_STRATEGY: next.strategy,
        ORIGIN_URL: urls.origin,
        ...(redis === undefined ? {} : { REDIS_URL: redis.url })
      },
      forwardOutput
    })
    watch('the app cluster primary', child.exited, () => app !== child)
    try {
      await waitForHttp(`${urls.app}/ready`, { timeoutMs: startTimeoutMs, process: child, ...abortable })
    } catch (err) {
      await child.stop().catch(() => {})
      throw new Error(`the app cluster failed to start on ${urls.app}: ${(err as Error).message}`)
    }
    return child
  }

  const stopAll = async (): Promise<void> => {
    stopping = true
    const errors: unknown[] = []
    // Front to back: stop taking requests, drain the app, then what it depends on.
    for (const part of [nginx, app, origin, redis]) {
      try {
        await part?.stop()
      } catch (err) {
        errors.push(err)
      }
    }
    process.removeListener('exit', killAll)
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true })
    if (errors.length > 0) throw new AggregateError(errors, `stopping the stack: ${errors.map((e) => (e as Error).message).join('; ')}`)
  }

  try {
    signal?.throwIfAborted()
    if (withRedis) {
      redis = await startRedisServer({ port: redisPort })
      const redisProcess = redis.process
      watch('redis-server', new Promise((resolve) => redisProcess.once('exit', () => resolve())), () => false)
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
    app = await startApp(settings)
    signal?.throwIfAborted()
    const keepAlive = appEnv.KEEP_ALIVE_TIMEOUT_MS === undefined ? {} : { appKeepAliveTimeoutMs: Number(appEnv.KEEP_ALIVE_TIMEOUT_MS) }
    nginx = await startNginxServer({
      config: nativeNginxOptions({
        ...options.nginx,
        ...keepAlive,
        workDir: join(workDir, 'nginx'),
        port: nginxPort,
        appPort,
        edgeCache,
        accessLog,
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit })
      }),
      healthUrl: `${urls.nginx}/health`,
      forwardOutput,
      startTimeoutMs,
      ...abortable
    })
    watch('nginx', nginx.process.exited, () => false)
    // nginx's own /health proves nginx; /ready through it proves the proxy path to the app.
    await waitForHttp(`${urls.nginx}/ready`, { timeoutMs: startTimeoutMs, process: nginx.process, ...abortable })
  } catch (err) {
    await stopAll().catch(() => {})
    throw err
  }

  const redisServer = redis
  const nginxServer = nginx
  const originProcess = origin
  let stopped: Promise<void> | undefined
  return {
    urls: { ...urls, ...(redisServer === undefined ? {} : { redis: redisServer.url }) },
    get pids () {
      return {
        nginx: nginxServer.process.pid,
        app: app!.pid,
        origin: originProcess.pid,
        ...(redisServer?.process.pid === undefined ? {} : { redis: redisServer.process.pid })
      }
    },
    workDir,
    nginxConfigPath: nginxServer.configPath,
    logs: { nginxAccess: nginxServer.accessLogPath, nginxError: nginxServer.errorLogPath },
    crashed,
    async restartApp (next) {
      const candidate: AppSettings = {
        strategy: next.strategy ?? settings.strategy,
        workers: next.workers ?? settings.workers,
        appEnv: next.appEnv ?? settings.appEnv
      }
      validateApp(candidate, redisServer !== undefined)
      const previous = app
      app = undefined // from here its exit is intended
      await previous?.stop()
      app = await startApp(candidate)
      settings = candidate
    },
    async flushRedis () {
      if (redisServer === undefined) throw new Error('this stack runs without Redis: start it with redis: true to flush L2')
      const client = new Redis(redisServer.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 })
      client.on('error', () => {})
      try {
        await client.connect()
        await client.flushdb()
      } finally {
        client.disconnect()
      }
    },
    stop () {
      stopped ??= stopAll()
      return stopped
    }
  }
}
