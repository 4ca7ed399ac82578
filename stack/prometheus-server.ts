// A real Prometheus (Debian's `prometheus`) next to the native stack: `npm run stack --
// --observability`. It scrapes every app instance's internal metrics listener — never nginx's
// public port — the provider and the exporters every second, and evaluates the project's own rules
// (observability/prometheus/rules.yml, the ones promtool unit-tests), so the recording rules and
// alerts can be watched against a live service.
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { requireBinary } from './binaries.js'
import { freePort } from './free-port.js'
import { spawnManaged, type ManagedProcess } from './managed-process.js'
import { waitForHttp } from './wait-for-http.js'

/** The rules file of the repository, when the stack runs from a checkout (not in the image). */
export const RULES_FILE = fileURLToPath(new URL('../../observability/prometheus/rules.yml', import.meta.url))

/** One scrape job: Prometheus' `job` label, and the `host:port` of each target's /metrics. */
export interface ScrapeJob {
  readonly name: string
  readonly targets: readonly string[]
}

export interface PrometheusOptions {
  /** What to scrape: the app instances' metrics listeners (job `cachestack`, what the rules
   * aggregate by), and the provider and exporters (jobs of their own). */
  jobs: readonly ScrapeJob[]
  /** @default a free port */
  port?: number
  /** Scrape and rule evaluation interval, s: short, so a test sees a change within seconds. @default 1 */
  intervalSeconds?: number
  forwardOutput?: boolean
  startTimeoutMs?: number
  signal?: AbortSignal
}

export interface PrometheusServer {
  readonly url: string
  readonly process: ManagedProcess
  /** An instant PromQL query: each series' labels and value. */
  query (promql: string): Promise<Array<{ metric: Record<string, string>, value: number }>>
  stop (): Promise<void>
}

export async function startPrometheus (options: PrometheusOptions): Promise<PrometheusServer> {
  const { jobs, intervalSeconds = 1, forwardOutput = false, startTimeoutMs = 30_000, signal } = options
  const bin = requireBinary('prometheus')
  const port = options.port ?? await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'cachestack-prometheus-'))
  const rules = existsSync(RULES_FILE) ? [RULES_FILE] : []
  // YAML is a superset of JSON: the configuration is written as JSON, with nothing to escape.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify({
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s` },
    rule_files: rules,
    scrape_configs: jobs.map((job) => ({ job_name: job.name, metrics_path: '/metrics', static_configs: [{ targets: [...job.targets] }] }))
  }, null, 2))
  const child = spawnManaged({
    name: 'prometheus',
    command: bin,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn'
    ],
    env: { PATH: process.env.PATH ?? '' },
    forwardOutput
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    await child.stop().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForHttp(`${url}/-/ready`, { timeoutMs: startTimeoutMs, process: child, ...(signal === undefined ? {} : { signal }) })
  } catch (err) {
    await stop()
    throw err
  }
  return {
    url,
    process: child,
    async query (promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) })
      type Result = Array<{ metric: Record<string, string>, value: [number, string] }>
      const body = await response.json() as { status: string, error?: string, data?: { result: Result } }
      if (body.status !== 'success') throw new Error(`prometheus query ${promql} failed: ${body.error ?? response.status}`)
      return body.data!.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }))
    },
    stop
  }
}
