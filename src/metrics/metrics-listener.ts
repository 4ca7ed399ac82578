// The internal metrics listener: the primary's own small HTTP server, apart from the public port.
// Internal by construction: nginx proxies only the public port, compose publishes only nginx, and
// natively it binds loopback (METRICS_HOST defaults to HOST). Prometheus scrapes it directly.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { MetricsUnavailableError, RouteNotFoundError } from '../errors.js'
import { errorBody } from '../routes/errors.js'

export interface MetricsListenerOptions {
  host: string
  port: number
  /** The exposition text; in a cluster, the aggregate over every worker. */
  metricsText: () => Promise<string>
  logger: Logger
  /** Bound on one scrape (the workers answer over IPC). @default 3000 */
  timeoutMs?: number
}

export interface MetricsListener {
  readonly url: string
  close (): Promise<void>
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

function sendError (response: ServerResponse, err: Error & { code: string, statusCode: number }): void {
  response.writeHead(err.statusCode, { 'content-type': 'application/json; charset=utf-8' })
  response.end(JSON.stringify(errorBody(err.statusCode, err.code, err.message)))
}

export async function startMetricsListener ({ host, port, metricsText, logger, timeoutMs = 3000 }: MetricsListenerOptions): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0]
    if ((request.method !== 'GET' && request.method !== 'HEAD') || path !== '/metrics') {
      sendError(response, new RouteNotFoundError(request.method, path))
      return
    }
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`metrics aggregation took over ${timeoutMs} ms`)), timeoutMs)
    })
    Promise.race([metricsText(), deadline]).then((text) => {
      response.writeHead(200, { 'content-type': CONTENT_TYPE })
      response.end(request.method === 'HEAD' ? undefined : text)
    }, (err: Error) => {
      logger.warn({ err }, 'metrics scrape failed')
      sendError(response, new MetricsUnavailableError(err.message))
    }).finally(() => clearTimeout(timer))
  })
  // A scraper's keep-alive connection must not hold the primary's shutdown.
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}
