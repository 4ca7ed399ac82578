// An HTTP fault proxy between the app and the weather provider: the app's ORIGIN_URL points here
// (startStack's appOriginUrl), and each provider fault is a mode switched while the load runs.
// It also counts every call the app makes toward the provider, by key and time: the provider's
// own /stats cannot count the calls it never sees (503 answered here, the provider dead).
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

/**
 * pass: forward as is. status: answer every weather call with this status (a JSON error body),
 * without forwarding. delay: hold each call this long, then forward it. close: accept the
 * request, then drop the connection without an answer (a provider crashing mid-request).
 * refuse: stop listening and drop every open connection (a provider whose port is closed).
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'status', status: number }
  | { kind: 'delay', ms: number }
  | { kind: 'close' }
  | { kind: 'refuse' }

export interface ProxyCall {
  /** performance.now() when the call arrived. */
  atMs: number
  /** The provider's city id, from /v1/weather/:id; -1 for any other path. */
  cityId: number
}

export interface FaultProxyOptions {
  /** The provider's base URL (http://127.0.0.1:port); it need not be up yet. */
  target: string
  /** @default a free port */
  port?: number
  /** Calls remembered, oldest dropped past it: a bounded log. @default 1_000_000 */
  maxCalls?: number
}

export interface FaultProxy {
  readonly url: string
  readonly port: number
  readonly mode: ProxyMode
  setMode (mode: ProxyMode): Promise<void>
  /** Weather calls that arrived at or after `sinceMs` (performance.now()). */
  calls (sinceMs?: number): ProxyCall[]
  close (): Promise<void>
}

const WEATHER_PATH = /^\/v1\/weather\/(\d{1,10})(?:\?|$)/

function errorBody (status: number): string {
  return JSON.stringify({ code: 'FAULT_PROXY_INJECTED', message: `fault proxy: injected HTTP ${status}` })
}

export async function startFaultProxy (options: FaultProxyOptions): Promise<FaultProxy> {
  const { target, maxCalls = 1_000_000 } = options
  const upstream = new URL(target)
  if (upstream.protocol !== 'http:') throw new TypeError(`expected an http: target for the fault proxy, got ${JSON.stringify(target)}`)
  if (!(Number.isInteger(maxCalls) && maxCalls > 0)) throw new TypeError(`expected maxCalls to be a positive integer, got ${maxCalls}`)
  // Kept-alive connections to the provider, as the app keeps to the proxy.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  let mode: ProxyMode = { kind: 'pass' }
  let log: ProxyCall[] = []
  const sockets = new Set<Socket>()

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const out = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    // The provider is gone (refused, reset): so is the answer, as the app would see it without us.
    out.on('error', () => { res.socket?.destroy() })
    // The app gave up (its deadline): so do we, or a delayed call would still reach the provider.
    res.on('close', () => { if (!res.writableFinished) out.destroy() })
    req.pipe(out)
  }

  const server = createServer((req, res) => {
    const match = WEATHER_PATH.exec(req.url ?? '')
    if (match !== null) {
      if (log.length >= maxCalls) log = log.slice(maxCalls >> 1)
      log.push({ atMs: performance.now(), cityId: Number(match[1]) })
    }
    const now = mode
    if (match === null || now.kind === 'pass' || now.kind === 'refuse') {
      forward(req, res)
      return
    }
    switch (now.kind) {
      case 'status': {
        const body = errorBody(now.status)
        res.writeHead(now.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        res.end(body)
        return
      }
      case 'delay': {
        const timer = setTimeout(() => forward(req, res), now.ms)
        res.on('close', () => clearTimeout(timer))
        return
      }
      case 'close':
        req.socket.destroy()
    }
  })
  server.keepAliveTimeout = 72_000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  const listen = (port: number): Promise<number> => new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
  const stopListening = (): Promise<void> => new Promise((resolve) => {
    server.close(() => resolve())
    for (const socket of sockets) socket.destroy()
  })

  const port = await listen(options.port ?? 0)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get mode () { return mode },
    async setMode (next) {
      const was = mode
      mode = next
      if (next.kind === 'refuse' && was.kind !== 'refuse') await stopListening()
      if (next.kind !== 'refuse' && was.kind === 'refuse') await listen(port)
    },
    calls (sinceMs = -Infinity) {
      return log.filter((call) => call.atMs >= sinceMs)
    },
    async close () {
      if (mode.kind !== 'refuse') await stopListening()
      agent.destroy()
    }
  }
}
