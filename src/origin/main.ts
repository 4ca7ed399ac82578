// `npm run origin`: the simulated provider alone. `npm start` forks this file when ORIGIN_URL is unset.
import { loadConfig } from '../config.js'
import { openCompactCityIndex } from '../cities/compact-city-file.js'
import { createLogger } from '../logger.js'
import { buildOriginServer } from './server.js'

const config = loadConfig()
const { simulated } = config.origin
const logger = createLogger(config.log, { name: 'origin' })
// id → city from the compact file, as the workers read it: no decoded data set in this process.
const app = buildOriginServer({ ...simulated, cities: openCompactCityIndex({ onProblem: (message) => logger.warn(message) }), logger })

async function main (): Promise<void> {
  const address = await app.listen({ port: simulated.port, host: config.http.host })
  logger.info({ address, latencyMs: simulated.latencyMs, errorRate: simulated.errorRate }, 'weather provider listening')
  const port = app.server.address()
  process.send?.({ type: 'cachestack:origin:listening', port: typeof port === 'object' && port !== null ? port.port : simulated.port })
}

let closing = false
async function close (signal: string): Promise<void> {
  if (closing) return
  closing = true
  logger.info({ signal }, 'weather provider closing')
  await app.close()
  process.exit(0)
}
process.on('SIGTERM', () => { void close('SIGTERM') })
// Embedded (forked by `npm start`), Ctrl-C reaches the whole process group: the primary drains
// its workers first and then stops us, so in-flight misses still find their provider.
process.on('SIGINT', () => { if (process.send === undefined) void close('SIGINT') })
process.on('disconnect', () => { void close('parent exited') })

main().catch((err: unknown) => {
  logger.fatal({ err }, 'weather provider failed to start')
  process.exit(1)
})
