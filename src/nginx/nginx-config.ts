// Typed options → nginx.conf, from the one template in nginx/. The native stack and the Docker
// image render the same file through this function; only the presets below differ.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { EDGE_ERRORS, NginxOptionError, type ErrorBody } from '../errors.js'
import { integer, listOf, matching, oneOf, positive, type Rule } from '../value-rules.js'
import { renderTemplate, type TemplateView } from './template.js'

/** dist/src/nginx/ → repository root (the Docker image keeps the same layout under /app). */
export const NGINX_TEMPLATE_PATH = fileURLToPath(new URL('../../../nginx/nginx.conf.template', import.meta.url))

export type NginxTarget = 'native' | 'docker'

/** How nginx reaches the app cluster. */
export type AppUpstream =
  /** Fixed address: an upstream block with a keep-alive pool (native runs). `ports`: every app
   * instance on that host (scale-out), `port` first; @default [port] */
  | { kind: 'static', host: string, port: number, ports?: readonly number[] }
  /** A DNS name re-resolved at run time through `resolver` (Docker, `--scale app=N`). */
  | { kind: 'dns', host: string, port: number, resolver: string }

export interface RateLimitOptions {
  /** Sustained requests per second per client address. */
  ratePerSecond: number
  /** Requests above the rate answered at once before 429s start. */
  burst: number
}

export type ErrorLogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg'

export interface NginxConfigOptions {
  /** What the rendering is for (written in the file's header). */
  target: NginxTarget
  /** `listen` argument: a port, or 'address:port'. */
  listen: string | number
  /** Absolute directory for the pid file, temp paths, edge cache (and logs by default). */
  workDir: string
  app: AppUpstream
  /** The edge cache tier (proxy_cache). @default false */
  edgeCache?: boolean
  /** Per-client limit_req; false turns it off (load tests: every request comes from 127.0.0.1). @default { ratePerSecond: 50, burst: 100 } */
  rateLimit?: RateLimitOptions | false
  /** JSON access log. @default true */
  accessLog?: boolean
  /** @default `${workDir}/access.log` */
  accessLogPath?: string
  /** @default `${workDir}/error.log` */
  errorLogPath?: string
  /** @default 'warn' */
  errorLogLevel?: ErrorLogLevel
  /** `user` directive; only used by a master running as root. @default none */
  user?: string
  /** @default 1 */
  workerProcesses?: number | 'auto'
  /** @default 4096 */
  workerConnections?: number
  /** CIDRs of proxies in front of nginx whose X-Forwarded-For is believed. @default [] (none) */
  trustedProxies?: readonly string[]
  /** Attempts per idempotent request (first try included) before nginx answers 502. @default 3 */
  upstreamTries?: number
  /** Idle keep-alive connections to the app, per nginx worker; 0 = none, a new connection per
   * request (only to measure what keep-alive saves: the optimization ladder). @default 64 */
  upstreamKeepalive?: number
  /** Idle time before nginx closes an upstream connection, s. @default 60 */
  upstreamKeepaliveTimeoutSeconds?: number
  /** The app's KEEP_ALIVE_TIMEOUT_MS; must stay above the upstream keep-alive timeout. @default 72_000 */
  appKeepAliveTimeoutMs?: number
  /** @default 2 */
  proxyConnectTimeoutSeconds?: number
  /** Silence from the app before nginx gives up on that try and retries (the app bounds the
   * provider at 2 s, so only a lost connection gets here). @default 5 */
  proxyReadTimeoutSeconds?: number
  /** Bound on all tries of one request together, s. @default 15 */
  proxyNextUpstreamTimeoutSeconds?: number
  /** Client keep-alive, s. @default 65 */
  clientKeepaliveTimeoutSeconds?: number
  /** @default 10_000 */
  clientKeepaliveRequests?: number
  /** @default '1k' */
  clientHeaderBufferSize?: string
  /** Bounds the request line (414 above) and each header line (400 above). @default '4 8k' */
  largeClientHeaderBuffers?: string
  /** The API takes no bodies. @default '16k' */
  clientMaxBodySize?: string
  /** `listen` argument of the status listener (stub_status at /stub_status, for the Prometheus
   * exporter): a port, or 'address:port'; never the public one. @default none (no listener) */
  statusListen?: string | number
  /** Bytes on disk for the edge cache. @default '256m' */
  edgeCacheMaxSize?: string
  /** An entry unused this long is evicted, fresh or not. @default '10m' */
  edgeCacheInactive?: string
  /** Shared memory for cache keys (about 8k keys per megabyte). @default '10m' */
  edgeCacheKeysZone?: string
}

const DEFAULTS = {
  edgeCache: false,
  rateLimit: { ratePerSecond: 50, burst: 100 } as RateLimitOptions | false,
  accessLog: true,
  errorLogLevel: 'warn' as ErrorLogLevel,
  workerProcesses: 1 as number | 'auto',
  workerConnections: 4096,
  trustedProxies: [] as readonly string[],
  upstreamTries: 3,
  upstreamKeepalive: 64,
  upstreamKeepaliveTimeoutSeconds: 60,
  appKeepAliveTimeoutMs: 72_000,
  proxyConnectTimeoutSeconds: 2,
  proxyReadTimeoutSeconds: 5,
  proxyNextUpstreamTimeoutSeconds: 15,
  clientKeepaliveTimeoutSeconds: 65,
  clientKeepaliveRequests: 10_000,
  clientHeaderBufferSize: '1k',
  largeClientHeaderBuffers: '4 8k',
  clientMaxBodySize: '16k',
  edgeCacheMaxSize: '256m',
  edgeCacheInactive: '10m',
  edgeCacheKeysZone: '10m'
} as const

const ERROR_LOG_LEVELS: readonly ErrorLogLevel[] = ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']
// Values land inside nginx directives: anything that could end one (`;`, braces, quotes,
// whitespace) is refused rather than escaped.
const token = matching(/^[A-Za-z0-9._:\-[\]/]+$/, 'a host, address or name without spaces or ; { } quotes')
const absolutePath = matching(/^\/[A-Za-z0-9._:\-[\]/]*$/, 'an absolute path without spaces or ; { } quotes')
const size = matching(/^\d+[kKmMgG]?$/, 'an nginx size such as 16k or 256m')
const headerBuffers = matching(/^\d+ \d+[kKmM]?$/, "'<count> <size>' such as '4 8k'")
const cidrs = listOf(matching(/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/, 'an IP address or CIDR'), 'a list of IP addresses or CIDRs')
const port = integer(1, 65535)

/** `value` once `rule` accepts it; else CS_ERR_NGINX_OPTION naming the option. */
function option<T> (name: string, value: unknown, rule: Rule<T>): T {
  if (!rule.accepts(value)) fail(name, rule.expected, value)
  return value
}

/** An absolute path, trailing slashes dropped: `${workDir}/nginx.pid` must not read `//`. */
const path = (name: string, value: unknown): string => option(name, value, absolutePath).replace(/\/+$/, '')

/** CS_ERR_NGINX_OPTION; called directly for a rule across options (one bound against another). */
function fail (name: string, expected: string, value: unknown): never {
  throw new NginxOptionError(name, expected, JSON.stringify(value))
}

/** Renders the template with validated options; throws CS_ERR_NGINX_OPTION (a TypeError) naming the bad option. */
export function renderNginxConfig (options: NginxConfigOptions, template = readFileSync(NGINX_TEMPLATE_PATH, 'utf8')): string {
  const o = { ...DEFAULTS, ...stripUndefined(options) }
  const workDir = path('workDir', o.workDir)
  option('target', o.target, oneOf<NginxTarget>(['native', 'docker']))
  const listen = typeof o.listen === 'number' ? String(option('listen', o.listen, port)) : option('listen', o.listen, token)
  const statusListen = o.statusListen === undefined
    ? undefined
    : typeof o.statusListen === 'number' ? String(option('statusListen', o.statusListen, port)) : option('statusListen', o.statusListen, token)
  if (statusListen !== undefined && statusListen === listen) fail('statusListen', 'another port than listen (the public one)', o.statusListen)
  const app = o.app
  option('app.host', app.host, token)
  option('app.port', app.port, port)
  const tries = option('upstreamTries', o.upstreamTries, integer(1, 16))
  const upstreamIdle = option('upstreamKeepaliveTimeoutSeconds', o.upstreamKeepaliveTimeoutSeconds, integer(1, 3600))
  const appIdleMs = option('appKeepAliveTimeoutMs', o.appKeepAliveTimeoutMs, integer(1000, 600_000))
  if (upstreamIdle * 1000 >= appIdleMs) {
    fail('upstreamKeepaliveTimeoutSeconds', `below the app's keepAliveTimeout (${appIdleMs} ms), or nginx may reuse a connection Node is closing`, upstreamIdle)
  }
  option('errorLogLevel', o.errorLogLevel, oneOf(ERROR_LOG_LEVELS))
  if (o.workerProcesses !== 'auto') option('workerProcesses', o.workerProcesses, integer(1, 256))
  const rateLimit = o.rateLimit
  if (rateLimit !== false) {
    option('rateLimit.ratePerSecond', rateLimit.ratePerSecond, integer(1, 10_000_000))
    option('rateLimit.burst', rateLimit.burst, integer(0, 10_000_000))
  }
  option('largeClientHeaderBuffers', o.largeClientHeaderBuffers, headerBuffers)
  const trusted = option('trustedProxies', o.trustedProxies, cidrs)
  const appAddress = `${app.host}:${app.port}`
  const instancePorts = app.kind === 'static' && app.ports !== undefined && app.ports.length > 0 ? app.ports : [app.port]
  instancePorts.forEach((instancePort, i) => option(`app.ports[${i}]`, instancePort, port))
  // Every instance, repeated until there are at least `tries` entries: round-robin spreads the
  // load evenly, and a retry always has another entry to go to (with one instance, the same one).
  const upstreamServers = Array.from({ length: Math.ceil(tries / instancePorts.length) }, () => instancePorts)
    .flat().map((port) => `    server ${app.host}:${port} max_fails=0;`).join('\n')

  const view: TemplateView = {
    ...EDGE_ERROR_VIEW,
    target: o.target,
    user: o.user === undefined ? '' : o.user.split(/\s+/).map((part) => option('user', part, token)).join(' '),
    workerProcesses: String(o.workerProcesses),
    workerConnections: option('workerConnections', o.workerConnections, integer(16, 1_000_000)),
    workDir,
    pidPath: `${workDir}/nginx.pid`,
    errorLogPath: o.errorLogPath === undefined ? `${workDir}/error.log` : path('errorLogPath', o.errorLogPath),
    errorLogLevel: o.errorLogLevel,
    clientKeepaliveTimeoutSeconds: option('clientKeepaliveTimeoutSeconds', o.clientKeepaliveTimeoutSeconds, integer(0, 3600)),
    clientKeepaliveRequests: option('clientKeepaliveRequests', o.clientKeepaliveRequests, integer(1, 10_000_000)),
    clientHeaderBufferSize: option('clientHeaderBufferSize', o.clientHeaderBufferSize, size),
    largeClientHeaderBuffers: o.largeClientHeaderBuffers,
    clientMaxBodySize: option('clientMaxBodySize', o.clientMaxBodySize, size),
    trustsProxies: trusted.length > 0,
    setRealIpFrom: trusted.map((cidr) => `  set_real_ip_from ${cidr};`).join('\n'),
    accessLog: o.accessLog,
    accessLogPath: o.accessLogPath === undefined ? `${workDir}/access.log` : path('accessLogPath', o.accessLogPath),
    // A file gets a write buffer; a stream (Docker's stdout) is written at once.
    accessLogBuffer: o.accessLogPath?.startsWith('/dev/') === true ? '' : ' buffer=64k flush=1s',
    rateLimit: rateLimit !== false,
    rateLimitRate: rateLimit === false ? 0 : rateLimit.ratePerSecond,
    rateLimitBurst: rateLimit === false ? 0 : rateLimit.burst,
    edgeCache: o.edgeCache,
    edgeCacheKeysZone: option('edgeCacheKeysZone', o.edgeCacheKeysZone, size),
    edgeCacheMaxSize: option('edgeCacheMaxSize', o.edgeCacheMaxSize, size),
    edgeCacheInactive: option('edgeCacheInactive', o.edgeCacheInactive, size),
    upstreamBlock: app.kind === 'static',
    upstreamTries: tries,
    upstreamServers,
    upstreamKeepalive: option('upstreamKeepalive', o.upstreamKeepalive, integer(0, 100_000)),
    upstreamKeepalivePool: o.upstreamKeepalive > 0,
    upstreamKeepaliveTimeoutSeconds: upstreamIdle,
    appKeepAliveTimeoutSeconds: appIdleMs / 1000,
    resolver: app.kind === 'dns' ? option('app.resolver', app.resolver, token) : '',
    appAddress,
    proxyPass: app.kind === 'static' ? 'http://cachestack_app' : 'http://$cs_app',
    listen,
    statusServer: statusListen !== undefined,
    statusListen: statusListen ?? '',
    proxyConnectTimeoutSeconds: option('proxyConnectTimeoutSeconds', o.proxyConnectTimeoutSeconds, positive),
    proxyReadTimeoutSeconds: option('proxyReadTimeoutSeconds', o.proxyReadTimeoutSeconds, positive),
    proxyNextUpstreamTimeoutSeconds: o.proxyNextUpstreamTimeoutSeconds > o.proxyReadTimeoutSeconds
      ? o.proxyNextUpstreamTimeoutSeconds
      : fail(
        'proxyNextUpstreamTimeoutSeconds',
        `above proxyReadTimeoutSeconds (${o.proxyReadTimeoutSeconds}), or a timed-out try is never retried`,
        o.proxyNextUpstreamTimeoutSeconds
      )
  }
  return renderTemplate(template, view)
}

/** An error body as the argument of nginx's `return <status> '…'`: JSON in single quotes. */
function quotedBody (body: ErrorBody): string {
  const json = JSON.stringify(body)
  // Nothing in the catalogue's bodies may end the quoted string or start a variable.
  if (/['$\\]/.test(json)) throw new TypeError(`an edge error body cannot hold ' $ or \\: ${json}`)
  return json
}

/** `<name>Body` for each of the catalogue's edge errors: the template's placeholders. */
const EDGE_ERROR_VIEW: TemplateView = Object.freeze(Object.fromEntries(
  Object.entries(EDGE_ERRORS).map(([name, body]) => [`${name}Body`, quotedBody(body)])
))

function stripUndefined<T extends object> (value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export interface NativeNginxOptions extends Partial<Omit<NginxConfigOptions, 'target' | 'app' | 'listen'>> {
  workDir: string
  port: number
  appPort: number
  /** Every app instance's port (scale-out), appPort first. @default [appPort] */
  appPorts?: readonly number[]
  /** Port of the stub_status listener on 127.0.0.1. @default none */
  statusPort?: number
}

/** Loopback-only nginx in front of one or more clusters on 127.0.0.1 (`npm run stack`, tests). */
export function nativeNginxOptions ({ port, appPort, appPorts, statusPort, ...rest }: NativeNginxOptions): NginxConfigOptions {
  return {
    // Run as root (CI, containers), nginx would switch workers to nobody:nobody, a group Debian
    // lacks, and they could not write the work dir: keep them the invoking user.
    ...(process.getuid?.() === 0 ? { user: 'root root' } : {}),
    ...rest,
    target: 'native',
    listen: `127.0.0.1:${port}`,
    ...(statusPort === undefined ? {} : { statusListen: `127.0.0.1:${statusPort}` }),
    app: { kind: 'static', host: '127.0.0.1', port: appPort, ...(appPorts === undefined ? {} : { ports: appPorts }) }
  }
}

export interface DockerNginxOptions extends Partial<Omit<NginxConfigOptions, 'target' | 'app'>> {
  /** Service name of the app in docker-compose.yml. @default 'app' */
  appHost?: string
  /** @default 3000 */
  appPort?: number
}

/** The compose topology: nginx:alpine, Docker's embedded DNS, logs to the container's streams. */
export function dockerNginxOptions ({ appHost = 'app', appPort = 3000, ...rest }: DockerNginxOptions = {}): NginxConfigOptions {
  return {
    listen: 8080,
    // Exposed to the compose network (the nginx-exporter of the observability profile), not published.
    statusListen: 8081,
    // Exists in the nginx image; nginx creates the temp and cache directories beneath it.
    workDir: '/var/cache/nginx',
    errorLogPath: '/dev/stderr',
    accessLogPath: '/dev/stdout',
    user: 'nginx',
    workerProcesses: 'auto',
    ...rest,
    target: 'docker',
    app: { kind: 'dns', host: appHost, port: appPort, resolver: '127.0.0.11' }
  }
}
