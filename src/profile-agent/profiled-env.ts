// The environment that arms one cluster worker for profiling (see preload.ts): what
// `npm run profile` and the ladder add to the app's environment. The preload only watches a
// directory until asked, so an armed app serves as an unarmed one does.
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PROFILE_ENV } from './profiler-options.js'

export const PRELOAD_PATH = fileURLToPath(new URL('./preload.js', import.meta.url))

export interface ProfiledEnvOptions {
  /** CACHESTACK_PROFILE_DIR: where the worker writes its files. */
  outDir: string
  /** Bound on a session, ms (a forgotten one stops by itself). */
  maxDurationMs: number
  /** Cluster worker id to arm. @default 1 */
  workerId?: number
  /** `file:///…/module.js#name`: the function `--heap-delta` wraps in that worker (heap-delta.ts). @default none */
  heapDelta?: string
}

export function profiledAppEnv (
  { outDir, maxDurationMs, workerId = 1, heapDelta }: ProfiledEnvOptions,
  inherited = process.env.NODE_OPTIONS
): Record<string, string> {
  const preload = `--import=${pathToFileURL(PRELOAD_PATH).href}`
  return {
    NODE_OPTIONS: inherited === undefined || inherited.trim() === '' ? preload : `${inherited} ${preload}`,
    [PROFILE_ENV.dir]: outDir,
    [PROFILE_ENV.worker]: String(workerId),
    [PROFILE_ENV.maxDurationMs]: String(Math.round(maxDurationMs)),
    ...(heapDelta === undefined ? {} : { [PROFILE_ENV.heapDelta]: heapDelta })
  }
}
