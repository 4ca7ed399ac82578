// One cluster worker: build the service, listen on the shared port, drain and exit on request.
import closeWithGrace from 'close-with-grace'
import type { Logger } from 'pino'
import { SHUTDOWN_MESSAGE } from './cluster.js'
import type { Config } from './config.js'
import { shareWithPrimary } from './metrics/cluster-metrics.js'
import { createService } from './service.js'
import { ORIGIN_STARTING_ENV, originReadySignal } from './origin/starting-origin.js'

export async function runWorker (config: Readonly<Config>, logger: Logger): Promise<void> {
  // Forked while the embedded provider starts: its first origin calls wait for the primary's word.
  const originReady = process.env[ORIGIN_STARTING_ENV] === '1' ? originReadySignal(process) : undefined
  const service = createService({ config, logger, ...(originReady === undefined ? {} : { originReady }) })
  shareWithPrimary(service.metrics.registry)
  // SIGHUP to the whole process group (a closed terminal, `kill -HUP -<pgid>`) is the primary's
  // to answer with a rolling restart; a worker that also stopped on it would look like a crash.
  const graceful = closeWithGrace({ delay: config.cluster.shutdownTimeoutMs, logger, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'worker failing, closing')
    else logger.debug({ signal }, 'worker closing')
    await service.close()
  })
  process.on('message', (message: { type?: string }) => {
    if (message?.type === SHUTDOWN_MESSAGE) void graceful.close()
  })
  // The primary is gone: nobody will route to us or collect us.
  process.on('disconnect', () => { void graceful.close() })
  await service.ready()
  await service.app.listen({ port: config.http.port, host: config.http.host })
}
