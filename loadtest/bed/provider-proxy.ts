// An HTTP proxy the load test puts in front of the weather provider when a scenario needs to act
// on it while the load runs (origin-outage, purge): every target's path to the provider goes
// through it (the app's ORIGIN_URL, Varnish's app, nginx-only's upstream). It
//   - answers every weather call with 503 while an outage is on (the provider "down"),
//   - stamps each answer it forwards with when it left the provider and the data's revision
//     (`"csFetchedAt":<ms>,"csRevision":<n>` inside `observation`, which every target passes
//     through untouched): a client can then tell a stale answer (older than the TTL) and an old
//     one (from before a purge) from what it receives, whatever served it,
//   - counts every weather call by time, the ones it answered itself included.
// faults/fault-proxy.ts streams bodies untouched; the stamps need them rewritten, hence this one.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

export interface ProviderProxy {
  readonly url: string
  readonly port: number
  /** While on, every weather call is answered 503 here. */
  setOutage (on: boolean): void
  /** The revision stamped on answers from now on: bumping it is "the provider's data changed". */
  setRevision (revision: number): void
  /** Weather calls that arrived in [fromMs, toMs) (performance.now()). */
  callsBetween (fromMs: number, toMs: number): number
  close (): Promise<void>
}

export interface ProviderProxyOptions {
  /** The provider's base URL, http://127.0.0.1:port; it need not be up yet. */
  target: string
  /** Arrival times remembered; the oldest half is dropped past it. @default 2_000_000 */
  maxCalls?: number
}

const WEATHER_PATH = /^\/v1\/weather\/\d{1,10}(?:\?|$)/
const OBSERVATION = '"observation":{'
const OUTAGE_BODY = JSON.stringify({ code: 'LOADTEST_PROVIDER_OUTAGE', message: 'load test: the provider is down (origin-outage)' })

/** The provider's JSON with the stamp inserted at the start of `observation`; unchanged if it has none. */
export function stampBody (body: string, fetchedAtMs: number, revision: number): string {
  const at = body.indexOf(OBSERVATION)
  if (at < 0) return body
  const insertAt = at + OBSERVATION.length
  const stamp = `"csFetchedAt":${Math.round(fetchedAtMs)},"csRevision":${revision}`
  return body.slice(0, insertAt) + stamp + (body[insertAt] === '}' ? '' : ',') + body.slice(insertAt)
}

const STAMP = /"csFetchedAt":(\d+),"csRevision":(\d+)/

/** The stamp of an answer, or undefined when it carries none (an error, the baseline route). */
export function readStamp (body: string): { fetchedAtMs: number, revision: number } | undefined {
  const match = STAMP.exec(body)
  return match === null ? undefined : { fetchedAtMs: Number(match[1]), revision: Number(match[2]) }
}

export async function startProviderProxy (options: ProviderProxyOptions): Promise<ProviderProxy> {
  const { target, maxCalls = 2_000_000 } = options
  const upstream = new URL(target)
  if (upstream.protocol !== 'http:' || upstream.hostname !== '127.0.0.1') {
    throw new TypeError(`expected the provider at http://127.0.0.1:port, got ${JSON.stringify(target)}`)
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  let outage = false
  let revision = 0
  let calls: number[] = []
  const sockets = new Set<Socket>()

  const forward = (req: IncomingMessage, res: ServerResponse, weather: boolean): void => {
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      if (!weather || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
        return
      }
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.on('end', () => {
        const body = Buffer.from(stampBody(Buffer.concat(chunks).toString('utf8'), Date.now(), revision))
        const headers = { ...answer.headers, 'content-length': String(body.length) }
        delete headers['transfer-encoding']
        res.writeHead(200, headers)
        res.end(body)
      })
      answer.on('error', () => { res.socket?.destroy() })
    })
    out.on('error', () => { res.socket?.destroy() })
    // The caller gave up (its deadline): so do we.
    res.on('close', () => { if (!res.writableFinished) out.destroy() })
    req.pipe(out)
  }

  const server = createServer((req, res) => {
    const weather = WEATHER_PATH.test(req.url ?? '')
    if (weather) {
      if (calls.length >= maxCalls) calls = calls.slice(maxCalls >> 1)
      calls.push(performance.now())
      if (outage) {
        res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(OUTAGE_BODY) })
        res.end(OUTAGE_BODY)
        return
      }
    }
    forward(req, res, weather)
  })
  server.keepAliveTimeout = 72_000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : 0)
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setOutage (on) { outage = on },
    setRevision (next) {
      if (!Number.isInteger(next) || next < 0) throw new TypeError(`expected a non-negative integer revision, got ${next}`)
      revision = next
    },
    callsBetween (fromMs, toMs) {
      let n = 0
      for (const at of calls) if (at >= fromMs && at < toMs) n++
      return n
    },
    async close () {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      agent.destroy()
    }
  }
}
