// The driver's side of profiling one cluster worker while load runs: find the armed worker,
// tell it to start, run the load, tell it to stop, wait for its files. The app must have
// been started with the preload (see preload.ts); `npm run profile` composes this with the
// load-test harness.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ARMED_SUFFIX, RECORDING_SUFFIX, START_SUFFIX, STOP_SUFFIX } from '../src/profile-agent/profile-trigger.js'
import { MANIFEST_SUFFIX, type ProfileArtifacts } from '../src/profile-agent/worker-profiler.js'

export interface ProfileWorkerOptions {
  /** The app's CACHESTACK_PROFILE_DIR. */
  outDir: string
  /** The load; the worker records from just before it starts to just after it settles. */
  during: () => Promise<void>
  /** Bound on each wait: for an armed worker, for the recording to start, for the files. @default 30_000 */
  timeoutMs?: number
  /** Poll interval of those waits, ms. @default 50 */
  pollMs?: number
}

interface Armed {
  pid: number
  label: string
}

async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, timeoutMs: number, pollMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`profile: timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

const readJson = async <T>(path: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The armed worker of `outDir` that is still alive, if any. */
export async function findArmedWorker (outDir: string): Promise<Armed | undefined> {
  let names: string[]
  try {
    names = await readdir(outDir)
  } catch {
    return undefined
  }
  for (const name of names.filter((n) => n.endsWith(ARMED_SUFFIX)).sort()) {
    const armed = await readJson<Armed>(join(outDir, name))
    if (armed !== undefined && isAlive(armed.pid)) return armed
  }
  return undefined
}

export async function profileWorker ({ outDir, during, timeoutMs = 30_000, pollMs = 50 }: ProfileWorkerOptions): Promise<ProfileArtifacts> {
  const armed = await waitFor(
    'an armed worker (was the app started with --import …/profile/preload.js and CACHESTACK_PROFILE_DIR?)',
    () => findArmedWorker(outDir),
    timeoutMs,
    pollMs
  )
  const base = join(outDir, armed.label)
  await rm(base + RECORDING_SUFFIX, { force: true })
  await rm(base + MANIFEST_SUFFIX, { force: true })
  await rm(base + STOP_SUFFIX, { force: true })
  await writeFile(base + START_SUFFIX, '')
  await waitFor(`worker ${armed.pid} to start recording`, () => readJson(base + RECORDING_SUFFIX), timeoutMs, pollMs)
  try {
    await during()
  } finally {
    await writeFile(base + STOP_SUFFIX, '')
  }
  return await waitFor(`worker ${armed.pid} to write its profile`, () => readJson<ProfileArtifacts>(base + MANIFEST_SUFFIX), timeoutMs, pollMs)
}
