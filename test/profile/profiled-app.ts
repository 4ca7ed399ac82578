// The real app (`npm start`: primary, one worker, embedded provider) started with the profiling
// preload, one worker profiled while autocannon drives GET /weather/:city on loopback for a
// bounded time. Used by the end-to-end test and by the fixture recorder.
import { pathToFileURL, fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { profileWorker } from '../../profile/profile-worker.js'
import { PROFILE_ENV } from '../../src/profile-agent/profiler-options.js'
import type { ProfileArtifacts } from '../../src/profile-agent/worker-profiler.js'
import { freePort } from '../../stack/free-port.js'
import { startApp } from '../helpers/app-process.js'

export const PRELOAD = fileURLToPath(new URL('../../src/profile-agent/preload.js', import.meta.url))

// Spellings that take normalizeCityName past its lower-case fast path, and plain ones.
export const CITY_PATHS = [
  'London', 'new%20york', 'Paris', 'S%C3%A3o%20Paulo', 'tokyo', 'Berlin', 'Los%20Angeles', 'lagos', 'Mexico%20City', 'M%C3%BCnchen',
  'Sydney', 'cairo', 'Buenos%20Aires', 'Toronto', 'madrid', 'Rome', 'Istanbul', 'Mumbai', 'Shanghai', 'Nairobi'
].flatMap((name) => [`/weather/${name}`, `/weather/${name.toLowerCase()}`, `/weather/${name}?country=ZZ`])

export interface ProfiledRun {
  artifacts: ProfileArtifacts
  requests: number
  non2xx: number
  errors: number
}

export interface ProfiledRunOptions {
  outDir: string
  /** Extra environment for the app (CACHE_STRATEGY, NAIVE, …). */
  env?: Record<string, string>
  /** Load duration, s. @default 2 */
  durationS?: number
  /** @default 16 */
  connections?: number
  cpuSamplingIntervalUs?: number
}

export async function profileAppUnderLoad ({
  outDir,
  env = {},
  durationS = 2,
  connections = 16,
  cpuSamplingIntervalUs = 1000
}: ProfiledRunOptions): Promise<ProfiledRun> {
  const app = await startApp({
    WORKERS: '1',
    CACHE_STRATEGY: 'memory',
    ORIGIN_PORT: String(await freePort()),
    ORIGIN_LATENCY_MS: '5',
    ORIGIN_JITTER_MS: '0',
    NODE_OPTIONS: `--import=${pathToFileURL(PRELOAD).href}`,
    [PROFILE_ENV.dir]: outDir,
    [PROFILE_ENV.cpuSamplingIntervalUs]: String(cpuSamplingIntervalUs),
    [PROFILE_ENV.maxDurationMs]: String((durationS + 30) * 1000),
    ...env
  })
  try {
    let result: autocannon.Result | undefined
    let next = 0
    const artifacts = await profileWorker({
      outDir,
      during: async () => {
        result = await autocannon({
          url: app.url,
          connections,
          duration: durationS,
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: CITY_PATHS[next++ % CITY_PATHS.length]! }) }]
        })
      }
    })
    return { artifacts, requests: result!.requests.total, non2xx: result!.non2xx, errors: result!.errors }
  } finally {
    await app.stop()
  }
}
