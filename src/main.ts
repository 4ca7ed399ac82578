// Entry point: `npm start`. The primary forks the workers (and the embedded provider when
// ORIGIN_URL is unset); each worker serves HTTP.
import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import { ensureCityFile } from './cities/compact-city-file.js'
import { runPrimary } from './cluster.js'
import { loadConfig, type Config } from './config.js'
import { createLogger } from './logger.js'
import { clusterMetricsText } from './metrics/cluster-metrics.js'
import { startMetricsListener } from './metrics/metrics-listener.js'
import { watchWorkers } from './metrics/primary-metrics.js'
import { startEmbeddedOrigin, type EmbeddedOrigin } from './origin/embedded.js'
import { ORIGIN_READY_MESSAGE, ORIGIN_READY_QUERY, ORIGIN_STARTING_ENV } from './origin/starting-origin.js'

function readConfig (): Readonly<Config> {
  try {
    return loadConfig()
  } catch (err) {
    process.stderr.write(`cachestack: ${(err as Error).message}\n`)
    process.exit(78) // EX_CONFIG
  }
}

async function primary (config: Readonly<Config>): Promise<void> {
  const logger = createLogger(config.log, { role: 'primary' })
  // First: a port already taken stops the start before anything else is running.
  const workersText = watchWorkers(config.cluster.workers).text
  const workersAggregate = clusterMetricsText()
  const metricsText = async (): Promise<string> => (await workersAggregate()) + (await workersText())
  const metrics = await startMetricsListener({ host: config.metrics.host, port: config.metrics.port, metricsText, logger })
  // The compact city file every worker and the provider read: built here, once, in a child
  // process, when the build's own is missing or stale; the primary never decodes the data set.
  const citiesFile = await ensureCityFile({ onProblem: (message) => logger.warn(message) })
  logger.debug({ citiesFile }, 'compact city file ready')
  let origin: EmbeddedOrigin | undefined
  let originStarting: Promise<EmbeddedOrigin> | undefined
  const env: Record<string, string> = {}
  if (config.origin.url === undefined && config.origin.simulated.port !== 0) {
    // Its port is known: the workers fork while it starts (the first /health comes sooner), and
    // their origin calls wait for it until the primary says it listens.
    env.ORIGIN_URL = `http://127.0.0.1:${config.origin.simulated.port}`
    env[ORIGIN_STARTING_ENV] = '1'
    originStarting = startEmbeddedOrigin(process.env, { lowPriority: true })
  } else if (config.origin.url === undefined) {
    origin = await startEmbeddedOrigin(process.env)
    env.ORIGIN_URL = origin.url
    logger.info({ url: origin.url }, 'embedded weather provider started (set ORIGIN_URL to use another)')
  }
  const node = runPrimary({
    workers: config.cluster.workers,
    shutdownTimeoutMs: config.cluster.shutdownTimeoutMs,
    env,
    logger,
    onStopped: async () => {
      await metrics.close()
      await (origin ?? await originStarting?.catch(() => undefined))?.stop()
    }
  })
  // SIGHUP is not a stop: runPrimary answers it with a rolling restart of the workers.
  closeWithGrace({ delay: config.cluster.shutdownTimeoutMs + 2000, logger, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'primary failing')
    await node.shutdown(signal ?? (err === undefined ? 'exit' : 'error'))
  })
  if (originStarting !== undefined) {
    try {
      origin = await originStarting
    } catch (err) {
      // The workers started beside it are stopped; their start is no longer awaited.
      node.listening.catch(() => {})
      await node.shutdown('the embedded provider failed to start')
      throw err
    }
    announceOriginReady(env)
    logger.info({ url: origin.url }, 'embedded weather provider started (set ORIGIN_URL to use another)')
  }
  await node.listening
  logger.info({
    url: `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`,
    workers: config.cluster.workers,
    strategy: config.cache.strategy,
    origin: env.ORIGIN_URL ?? config.origin.url,
    metrics: metrics.url
  }, 'cachestack listening — try GET /weather/london')
}

/** Tells every worker the embedded provider listens, now and when one asks later; forks from now on start without waiting. */
function announceOriginReady (env: Record<string, string>): void {
  delete env[ORIGIN_STARTING_ENV]
  const ready = { type: ORIGIN_READY_MESSAGE }
  for (const worker of Object.values(cluster.workers ?? {})) if (worker?.isConnected() === true) worker.send(ready)
  // A worker forked before this point whose listener came after the broadcast asks for it.
  cluster.on('message', (worker, message: { type?: string }) => {
    if (message?.type === ORIGIN_READY_QUERY && worker.isConnected()) worker.send(ready)
  })
}

const config = readConfig()
if (cluster.isPrimary) {
  primary(config).catch((err: unknown) => {
    process.stderr.write(`cachestack: ${(err as Error).message}\n`)
    process.exit(1)
  })
} else {
  const logger = createLogger(config.log, { role: 'worker', worker: cluster.worker?.id })
  // Loaded here, not at the top: the primary never needs Fastify, the engine or the routes, and
  // loading them there would delay forking the workers (the first /health).
  import('./worker.js').then(({ runWorker }) => runWorker(config, logger)).catch((err: unknown) => {
    logger.fatal({ err }, 'worker failed to start')
    process.exit(1)
  })
}
