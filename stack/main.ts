// `npm run stack [-- --redis cluster] [--instances N]`: the full topology natively, on loopback,
// until Ctrl-C. Environment: see stack/stack-env.ts and src/nginx/edge-env.ts (NGINX_PORT, EDGE_CACHE, CACHE_STRATEGY,
// WORKERS, RATE_LIMIT*, REDIS_TOPOLOGY, APP_INSTANCES, …).
import { readStackEnv } from './stack-env.js'
import { startStack, type Stack } from './stack.js'

async function describe (stack: Stack, options: ReturnType<typeof readStackEnv>): Promise<string> {
  const rateLimit = options.rateLimit === false || options.rateLimit === undefined
    ? 'off'
    : `${options.rateLimit.ratePerSecond} r/s, burst ${options.rateLimit.burst}`
  return [
    'cachestack stack is up:',
    `  nginx   ${stack.urls.nginx}   (edge cache ${options.edgeCache === true ? 'on' : 'off'}, rate limit ${rateLimit})`,
    ...stack.urls.apps.map((url, i) => `  app${stack.urls.apps.length > 1 ? ` ${i + 1}` : '  '}   ${url}   ` +
      `(strategy ${options.strategy}, ${options.workers} workers; metrics ${stack.urls.metricsAll[i]})`),
    `  origin  ${stack.urls.origin}   (GET /stats counts provider calls)`,
    ...(stack.prometheus === undefined
      ? []
      : [`  prometheus ${stack.prometheus.url}   (scrapes the metrics listeners each second; rules: observability/prometheus/rules.yml)`]),
    ...(stack.urls.redis === undefined ? [] : [`  redis   ${stack.urls.redis}`]),
    ...(stack.redisCluster === undefined
      ? []
      : [
          `  redis cluster (REDIS_CLUSTER_NODES=${stack.redisCluster.seeds}):`,
          ...(await stack.redisCluster.describe()).map((n) => `          127.0.0.1:${n.port}  ${n.role}`)
        ]),
    `  nginx logs: ${options.accessLog === false ? '' : `${stack.logs.nginxAccess} (JSON), `}${stack.logs.nginxError}`,
    `  try:    curl -i ${stack.urls.nginx}/weather/paris`,
    'Ctrl-C stops everything.',
    ''
  ].join('\n')
}

async function main (): Promise<void> {
  const options = readStackEnv(process.env, process.argv.slice(2))
  // Signals are ours from the first moment: the children run in their own process groups, so a
  // Ctrl-C during start must reach them through us.
  const aborter = new AbortController()
  const starting = startStack({ ...options, forwardOutput: true, signal: aborter.signal })
  let stopping = false
  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    process.stderr.write(`stack: ${reason}; stopping…\n`)
    // Mid-start, the abort makes startStack stop what it started before it rejects.
    aborter.abort(new Error(`stopped by ${reason}`))
    try {
      const stack = await starting.catch(() => undefined)
      await stack?.stop()
    } catch (err) {
      process.stderr.write(`stack: ${(err as Error).message}\n`)
      code = 1
    }
    process.exit(code)
  }
  process.on('SIGINT', () => { void stop('SIGINT', 0) })
  process.on('SIGTERM', () => { void stop('SIGTERM', 0) })
  process.on('SIGHUP', () => { void stop('SIGHUP', 0) })

  let stack: Stack
  try {
    stack = await starting
  } catch (err) {
    if (stopping) return // the signal handler exits once the partial stack is gone
    throw err
  }
  if (stopping) return
  process.stdout.write(await describe(stack, options))
  void stack.crashed.then((message) => stop(message, 1))
}

main().catch((err: unknown) => {
  process.stderr.write(`stack: ${(err as Error).message}\n`)
  process.exit(1)
})
