// The Prometheus exporters Debian packages for the parts that are not ours: nginx (its stub_status
// page, through prometheus-nginx-exporter) and Redis (INFO, through prometheus-redis-exporter).
// Started next to the native stack with --observability, on loopback; the compose file runs the
// same exporters' images in its `observability` profile.
import { requireBinary } from './binaries.js'
import { freePort } from './free-port.js'
import { spawnManaged, type ManagedProcess } from './managed-process.js'
import { waitForHttp } from './wait-for-http.js'

export interface Exporter {
  /** `host:port` Prometheus scrapes (`/metrics`). */
  readonly target: string
  readonly process: ManagedProcess
  stop (): Promise<void>
}

export interface ExporterOptions {
  forwardOutput?: boolean
  startTimeoutMs?: number
  signal?: AbortSignal
}

async function startExporter (name: string, binary: string, args: (listen: string) => string[], options: ExporterOptions): Promise<Exporter> {
  const { forwardOutput = false, startTimeoutMs = 30_000, signal } = options
  const listen = `127.0.0.1:${await freePort()}`
  const child = spawnManaged({ name, command: requireBinary(binary), args: args(listen), env: { PATH: process.env.PATH ?? '' }, forwardOutput })
  try {
    await waitForHttp(`http://${listen}/metrics`, { timeoutMs: startTimeoutMs, process: child, ...(signal === undefined ? {} : { signal }) })
  } catch (err) {
    await child.stop().catch(() => {})
    throw err
  }
  return { target: listen, process: child, stop: () => child.stop() }
}

/** nginx's connections and requests, from the status listener's /stub_status (nginx_* metrics). */
export function startNginxExporter (stubStatusUrl: string, options: ExporterOptions = {}): Promise<Exporter> {
  return startExporter('nginx-exporter', 'prometheus-nginx-exporter', (listen) => [
    `-nginx.scrape-uri=${stubStatusUrl}`,
    `-web.listen-address=${listen}`,
    // nginx is up before the exporter starts; a failed first scrape should not stop it.
    '-nginx.retries=5',
    '-nginx.retry-interval=1s'
  ], options)
}

/** Redis' INFO (redis_* metrics: up, memory, keys, commands, clients). */
export function startRedisExporter (redisUrl: string, options: ExporterOptions = {}): Promise<Exporter> {
  return startExporter('redis-exporter', 'prometheus-redis-exporter', (listen) => [
    `-redis.addr=${redisUrl}`,
    `-web.listen-address=${listen}`,
    '-log-format=json'
  ], options)
}
