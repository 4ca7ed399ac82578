// `docker compose up`, for real: the project's own Dockerfile and docker-compose.yml, unchanged,
// built and run on a real Docker engine, and checked the way a user meets them — through nginx's
// published port. Run by `npm run test:compose` (scripts/compose/test-compose.sh), which starts a
// private engine and the local stand-ins for the base images first, and cleans everything up.
//
// With no registry reachable, node:24-alpine, redis:7-alpine and nginx:1.27-alpine are local
// stand-ins built from Debian (scripts/compose/stand-ins.sh): this proves the Dockerfile and the
// compose wiring, not the real images' contents.
//
// The checks run in order, each on the state the one before left.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import autocannon from 'autocannon'
import { freePort } from '../../stack/free-port.js'
import { Compose, getInside, inspect, run, sleep, type ContainerState } from './docker.js'

const PROJECT = process.env.CS_COMPOSE_PROJECT ?? 'cachestack-compose-test'
const IMAGE = 'cachestack:local'
const STOP_GRACE_S = 10

let compose: Compose
let base: string
let clusterBase: string
let prometheusBase: string

before(async () => {
  const [nginxPort, clusterPort, prometheusPort] = [await freePort(), await freePort(), await freePort()]
  base = `http://127.0.0.1:${nginxPort}`
  clusterBase = `http://127.0.0.1:${clusterPort}`
  prometheusBase = `http://127.0.0.1:${prometheusPort}`
  // Published on loopback only: every request of this test goes to 127.0.0.1 or stays inside
  // the project's own network.
  compose = new Compose(PROJECT, {
    NGINX_BIND_ADDRESS: '127.0.0.1',
    NGINX_PORT: String(nginxPort),
    NGINX_CLUSTER_PORT: String(clusterPort),
    PROMETHEUS_PORT: String(prometheusPort)
  })
  console.log(`# project ${PROJECT}; nginx published on ${base}, nginx-cluster on ${clusterBase}`)
  console.log('# base images are local stand-ins (scripts/compose/stand-ins.sh): this checks the Dockerfile and compose wiring, not the real images\' contents')
  await compose.run(['--profile', 'cluster', '--profile', 'observability', 'down', '-v', '--remove-orphans'], { timeoutMs: 120_000 }).catch(() => {})
})

after(async () => {
  await compose?.run(['--profile', 'cluster', '--profile', 'observability', 'down', '-v', '--remove-orphans', '-t', '5'], { timeoutMs: 120_000 })
    .catch((err: Error) => console.error(err.message))
})

// ---- waiting on the engine's own view of the containers ----------------------------------------

type Want = 'healthy' | 'exited 0'

interface Expectation { service: string, want: Want, replicas?: number, profile?: string }

function describeState (state: ContainerState): string {
  const health = state.State.Health?.Status
  return `${state.State.Status}${health === undefined ? '' : ` (${health})`}${state.State.Running ? '' : `, exit ${state.State.ExitCode}`}`
}

/** Polls until every expectation holds; fails at once when a container dies or a one-shot job
 * fails, and on the timeout with each service's state and its last log lines. */
async function waitFor (expectations: Expectation[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let report = ''
  while (true) {
    const pending: string[] = []
    const lines: string[] = []
    for (const { service, want, replicas = 1, profile } of expectations) {
      const ids = await compose.ids(service, profile)
      const states = await Promise.all(ids.map(inspect))
      lines.push(`${service}: ${states.length === 0 ? 'no container' : states.map(describeState).join('; ')}`)
      if (want === 'exited 0') {
        const failed = states.find((s) => s.State.Status === 'exited' && s.State.ExitCode !== 0)
        if (failed !== undefined) assert.fail(`${service} exited with code ${failed.State.ExitCode}; its last log lines:\n${await compose.logs(service)}`)
        if (states.length === 0 || !states.every((s) => s.State.Status === 'exited')) pending.push(service)
      } else {
        const dead = states.find((s) => s.State.Status === 'exited' || s.State.Status === 'dead')
        if (dead !== undefined && dead.HostConfig.RestartPolicy.Name === 'no') {
          assert.fail(`${service} exited (code ${dead.State.ExitCode}); its last log lines:\n${await compose.logs(service)}`)
        }
        const healthy = states.filter((s) => s.State.Running && s.State.Health?.Status === 'healthy').length
        if (healthy < replicas) pending.push(`${service} (${healthy}/${replicas} healthy)`)
      }
    }
    report = lines.join('\n')
    if (pending.length === 0) return
    if (Date.now() > deadline) {
      const logs = await Promise.all(pending.map(async (p) => `--- ${p}, last log lines:\n${await compose.logs(p.split(' ')[0]!)}`))
      assert.fail(`not there within ${timeoutMs / 1000} s: ${pending.join(', ')}\n${report}\n${logs.join('\n')}`)
    }
    await sleep(1000)
  }
}

async function get (url: string, headers: Record<string, string> = {}): Promise<{ status: number, headers: Headers, body: string }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
  return { status: response.status, headers: response.headers, body: await response.text() }
}

const codeOf = (body: string): string | undefined => {
  try {
    return (JSON.parse(body) as { code?: string }).code
  } catch {
    return undefined
  }
}

/** Weather requests one replica's primary has counted, from its internal metrics listener. */
async function weatherRequestsOf (id: string): Promise<number> {
  const scrape = await getInside(id, 'http://127.0.0.1:9464/metrics')
  assert.equal(scrape.status, 200, `the metrics listener of ${id.slice(0, 12)} answers inside the network`)
  let sum = 0
  for (const line of scrape.body.split('\n')) {
    if (line.startsWith('cachestack_http_request_duration_seconds_count{') && line.includes('route="/weather/:city"')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return sum
}

/** Re-renders nginx.conf with other settings and restarts nginx on it. */
async function renderNginx (env: Record<string, string>): Promise<void> {
  Object.assign(compose.env, env)
  await compose.run(['up', '-d', '--no-deps', '--force-recreate', 'nginx-config'])
  await waitFor([{ service: 'nginx-config', want: 'exited 0' }], 60_000)
  await compose.run(['up', '-d', '--no-deps', '--force-recreate', 'nginx'])
  await waitFor([{ service: 'nginx', want: 'healthy' }], 60_000)
}

// ---- the checks ----------------------------------------------------------------------------------

test('1. docker-compose build succeeds from the clone; the runtime image runs as uid 1000', async () => {
  await compose.run(['build'], { timeoutMs: 900_000 })
  const uid = (await run('docker', ['run', '--rm', '--entrypoint', 'id', IMAGE, '-u'], { timeoutMs: 60_000 })).stdout.trim()
  assert.equal(uid, '1000', 'the image runs as the unprivileged node user')
  const bytes = Number((await run('docker', ['image', 'inspect', '-f', '{{.Size}}', IMAGE])).stdout.trim())
  console.log(`# ${IMAGE}: ${(bytes / 1e6).toFixed(0)} MB (on the Debian stand-in for node:24-alpine; the real alpine base is smaller)`)
})

test('2. up -d: nginx-config exits 0; redis, origin, app and nginx reach healthy', async () => {
  await compose.run(['up', '-d'], { timeoutMs: 300_000 })
  await waitFor([
    { service: 'nginx-config', want: 'exited 0' },
    { service: 'redis', want: 'healthy' },
    { service: 'origin', want: 'healthy' },
    { service: 'app', want: 'healthy' },
    { service: 'nginx', want: 'healthy' }
  ], 180_000)
})

test('3. through the published port: MISS then a hit; 404 and 400 JSON; /metrics and /ready not answered', async () => {
  const first = await get(`${base}/weather/london`)
  assert.equal(first.status, 200, first.body)
  assert.equal(first.headers.get('x-cache'), 'MISS')
  assert.equal((JSON.parse(first.body) as { city: { name: string } }).city.name, 'London')
  const second = await get(`${base}/weather/london`)
  assert.equal(second.status, 200)
  // Two workers behind nginx: the second request lands on either; both answer from a cache.
  assert.match(second.headers.get('x-cache') ?? '', /^HIT-L[12]$/, `the second request is a hit (got ${second.headers.get('x-cache')})`)
  assert.equal(second.headers.get('etag'), first.headers.get('etag'))

  const unknown = await get(`${base}/weather/no-such-city-anywhere`)
  assert.equal(unknown.status, 404)
  assert.equal(codeOf(unknown.body), 'CS_ERR_CITY_NOT_FOUND')
  const invalid = await get(`${base}/weather/a%3Bb`)
  assert.equal(invalid.status, 400)
  assert.equal(codeOf(invalid.body), 'CS_ERR_CITY_INVALID')

  for (const path of ['/metrics', '/ready']) {
    const answer = await get(`${base}${path}`)
    assert.equal(answer.status, 404, `${path} through the published port is not answered (got ${answer.status})`)
    assert.doesNotMatch(answer.body, /cachestack_|"status":"ready"/, `${path} leaks nothing`)
  }
  // Where Prometheus scrapes instead: the app's internal listener, inside the network.
  const [app] = await compose.ids('app')
  assert.ok((await weatherRequestsOf(app!)) >= 2, 'the internal metrics listener counts the weather requests')
})

test('4. --scale app=3: requests through nginx reach all three replicas, 0 failed', async () => {
  await compose.run(['up', '-d', '--no-recreate', '--scale', 'app=3'], { timeoutMs: 300_000 })
  await waitFor([{ service: 'app', want: 'healthy', replicas: 3 }], 180_000)
  const ids = await compose.ids('app')
  assert.equal(ids.length, 3)
  const before = await Promise.all(ids.map(weatherRequestsOf))
  let failed = 0
  let sent = 0
  let reached = 0
  // nginx re-resolves `app` every 5 s (resolver valid=5s): new replicas join within that.
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline) {
    for (const city of ['paris', 'tokyo', 'lima', 'oslo', 'cairo', 'delhi', 'rome', 'quito', 'accra', 'hanoi']) {
      const answer = await get(`${base}/weather/${city}`)
      sent++
      if (answer.status !== 200) failed++
    }
    const after = await Promise.all(ids.map(weatherRequestsOf))
    reached = after.filter((count, i) => count > before[i]!).length
    if (reached === 3) break
    await sleep(1000)
  }
  console.log(`# ${sent} requests; replicas reached: ${reached}/3`)
  assert.equal(failed, 0, `${failed} of ${sent} requests failed`)
  assert.equal(reached, 3, 'every replica served some of the requests')
})

test('5. EDGE_CACHE=on: a repeated request answers X-Cache-Edge: HIT', async () => {
  await renderNginx({ EDGE_CACHE: 'on' })
  const first = await get(`${base}/weather/madrid`)
  assert.equal(first.status, 200)
  assert.match(first.headers.get('x-cache-edge') ?? '', /^(MISS|EXPIRED)$/)
  const second = await get(`${base}/weather/madrid`)
  assert.equal(second.headers.get('x-cache-edge'), 'HIT')
  assert.equal(second.headers.get('etag'), first.headers.get('etag'))
})

test('6. 10 s of load through nginx while one app replica restarts: 0 failed requests', async () => {
  // Edge cache off, so that the load reaches the replicas; rate limit off, so that one client may load.
  await renderNginx({ EDGE_CACHE: 'off', RATE_LIMIT: 'off' })
  const [victim] = await compose.ids('app')
  const cities = ['london', 'paris', 'tokyo', 'lima', 'oslo', 'cairo', 'delhi', 'rome', 'berlin', 'sydney']
  const load = autocannon({
    url: base,
    connections: 8,
    duration: 10,
    requests: cities.map((city) => ({ method: 'GET' as const, path: `/weather/${city}` }))
  })
  await sleep(2500)
  const restartStarted = Date.now()
  await run('docker', ['restart', '-t', '15', victim!], { timeoutMs: 60_000 })
  const restartMs = Date.now() - restartStarted
  const result = await load
  console.log(
    `# ${result.requests.total} requests in ${result.duration} s (${Math.round(result.requests.average)} req/s), ` +
    `replica ${victim!.slice(0, 12)} restarted in ${restartMs} ms; errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}`
  )
  assert.ok(result.requests.total > 1000, `a real load (${result.requests.total} requests)`)
  assert.equal(result.errors, 0, 'no connection errors')
  assert.equal(result.timeouts, 0, 'no timeouts')
  assert.equal(result.non2xx, 0, 'no non-2xx answers')
  await waitFor([{ service: 'app', want: 'healthy', replicas: 3 }], 120_000)
})

test('7. docker-compose stop: every container exits within its grace period with a clean exit code', async () => {
  const started = Date.now()
  await compose.run(['stop', '-t', String(STOP_GRACE_S)], { timeoutMs: 120_000 })
  const elapsedMs = Date.now() - started
  const { stdout } = await run('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])
  const states = await Promise.all(stdout.split('\n').filter(Boolean).map(inspect))
  assert.ok(states.length >= 7, `the containers of the project (${states.length})`)
  const unclean: string[] = []
  for (const state of states) {
    const name = state.Name.replace(/^\//, '')
    const stoppedAfterMs = Date.parse(state.State.FinishedAt) - started
    console.log(`# ${name}: ${state.State.Status}, exit ${state.State.ExitCode}${stoppedAfterMs > 0 ? `, ${stoppedAfterMs} ms after stop` : ''}`)
    if (state.State.Running) unclean.push(`${name} still running`)
    else if (state.State.ExitCode === 137) unclean.push(`${name} was SIGKILLed after the ${STOP_GRACE_S} s grace period`)
    else if (state.State.ExitCode !== 0) unclean.push(`${name} exited with code ${state.State.ExitCode}`)
  }
  assert.deepEqual(unclean, [], unclean.join('\n'))
  assert.ok(elapsedMs < (STOP_GRACE_S + 5) * 1000, `stop took ${elapsedMs} ms`)
})

test('8. --profile cluster: the Redis Cluster forms, and a key one replica filled is HIT-L2 on the other', async () => {
  await compose.run(['--profile', 'cluster', 'up', '-d', '--scale', 'app-cluster=2', 'nginx-cluster'], { timeoutMs: 300_000 })
    .catch(async (err: Error) => {
      throw new Error(`${err.message}\nredis-cluster-create's log:\n${await compose.logs('redis-cluster-create', 40)}`)
    })
  await waitFor([
    { service: 'redis-cluster-create', want: 'exited 0', profile: 'cluster' },
    { service: 'app-cluster', want: 'healthy', replicas: 2, profile: 'cluster' },
    { service: 'nginx-cluster', want: 'healthy', profile: 'cluster' }
  ], 240_000)
  const [first, second] = await compose.ids('app-cluster', 'cluster')
  assert.ok(first !== undefined && second !== undefined, 'two app-cluster replicas')
  const filled = await getInside(first, 'http://127.0.0.1:3000/weather/oslo')
  assert.equal(filled.status, 200, filled.body)
  assert.equal(filled.headers['x-cache'], 'MISS', 'the first replica fills the key')
  const shared = await getInside(second, 'http://127.0.0.1:3000/weather/oslo')
  assert.equal(shared.headers['x-cache'], 'HIT-L2', 'the second replica reads it from the Redis Cluster')
  const edge = await get(`${clusterBase}/weather/oslo`)
  assert.equal(edge.status, 200)
  assert.match(edge.headers.get('x-cache') ?? '', /^HIT-L[12]$/, 'nginx-cluster serves it from a cache')
})

test('9. --profile observability (Grafana aside: no Debian package): Prometheus scrapes the app, the provider, nginx and Redis; every target up', async () => {
  await compose.run(['--profile', 'observability', 'up', '-d', 'prometheus'], { timeoutMs: 300_000 })
  await waitFor([{ service: 'app', want: 'healthy' }, { service: 'nginx', want: 'healthy' }], 180_000)
  type Target = { labels: { job: string, instance: string }, health: string, lastError: string }
  let targets: Target[] = []
  const deadline = Date.now() + 120_000
  const wanted = ['cachestack', 'nginx', 'provider', 'redis']
  const allUp = (): boolean => wanted.every((job) => {
    const ofJob = targets.filter((t) => t.labels.job === job)
    return ofJob.length > 0 && ofJob.every((t) => t.health === 'up')
  })
  while (!allUp()) {
    assert.ok(Date.now() < deadline, `targets not all up within 120 s: ${JSON.stringify(targets)}\n${await compose.logs('prometheus')}`)
    await sleep(2000)
    const response = await get(`${prometheusBase}/api/v1/targets`).catch(() => undefined)
    if (response?.status === 200) targets = (JSON.parse(response.body) as { data: { activeTargets: Target[] } }).data.activeTargets
  }
  for (const target of targets) console.log(`# ${target.labels.job} ${target.labels.instance}: ${target.health}`)
  // The rules loaded, and the exporters report real values.
  const rules = JSON.parse((await get(`${prometheusBase}/api/v1/rules`)).body) as { data: { groups: Array<{ rules: unknown[] }> } }
  assert.ok(rules.data.groups.flatMap((g) => g.rules).length >= 20, 'rules.yml loaded')
  const query = async (promql: string): Promise<number> => {
    type Result = { data: { result: Array<{ value: [number, string] }> } }
    const body = JSON.parse((await get(`${prometheusBase}/api/v1/query?query=${encodeURIComponent(promql)}`)).body) as Result
    return body.data.result.reduce((sum, series) => sum + Number(series.value[1]), 0)
  }
  assert.equal(await query('nginx_up'), 1)
  assert.equal(await query('redis_up'), 1)
  // nginx's status listener is not reachable through the published port.
  const status = await get(`${base}/stub_status`)
  assert.equal(status.status, 404)
  assert.doesNotMatch(status.body, /Active connections/)
})
