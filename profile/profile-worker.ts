// The driver's side of profiling one cluster worker while load runs: find the armed worker
// (and the app's other workers, armed for memory over time), tell them to start, run the load,
// tell them to stop, wait for their files. The app must have been started with the preload (see
// preload.ts); `npm run profile` composes this with the load-test harness.
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MemoryArtifacts } from '../src/profile-agent/memory-session.js'
import {
  ARMED_SUFFIX, MEMORY_ARMED_SUFFIX, RECORDING_SUFFIX, START_SUFFIX, STOP_SUFFIX, type SessionRequest
} from '../src/profile-agent/profile-trigger.js'
import type { RuntimeStats } from '../src/profile-agent/runtime-sampler.js'
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
  /** Have the profiled worker write a heap snapshot once the load is over. @default false */
  heapSnapshot?: boolean
  /** Record the other armed workers' memory over the same time. @default true */
  otherWorkers?: boolean
}

/** One worker's memory over the run, profiled or not. */
export interface WorkerMemory {
  /** The cluster worker id, when the worker said it. */
  workerId: number | null
  pid: number
  profiled: boolean
  runtime: RuntimeStats
}

/** The profiled worker's artifacts, with every worker's memory over the same run. */
export interface ProfiledWorkerRun extends ProfileArtifacts {
  workerId: number | null
  /** The profiled worker first, then the others by worker id. */
  memory: WorkerMemory[]
  /** Other workers that were armed but whose memory could not be recorded, with why. */
  memoryProblems: string[]
}

interface Armed {
  pid: number
  label: string
  workerId?: number
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

async function findArmed (outDir: string, suffix: string): Promise<Armed[]> {
  let names: string[]
  try {
    names = await readdir(outDir)
  } catch {
    return []
  }
  const found: Armed[] = []
  for (const name of names.filter((n) => n.endsWith(suffix)).sort()) {
    const armed = await readJson<Armed>(join(outDir, name))
    if (armed !== undefined && isAlive(armed.pid)) found.push(armed)
  }
  return found
}

/** The armed worker of `outDir` that is still alive, if any. */
export async function findArmedWorker (outDir: string): Promise<Armed | undefined> {
  return (await findArmed(outDir, ARMED_SUFFIX))[0]
}

/** Clears what an earlier session left and writes the start file, atomically: the worker reads the request as it sees the name. */
async function requestStart (base: string, request: SessionRequest): Promise<void> {
  await rm(base + RECORDING_SUFFIX, { force: true })
  await rm(base + MANIFEST_SUFFIX, { force: true })
  await rm(base + STOP_SUFFIX, { force: true })
  await writeFile(base + START_SUFFIX + '.tmp', JSON.stringify(request))
  await rename(base + START_SUFFIX + '.tmp', base + START_SUFFIX)
}

export async function profileWorker ({
  outDir,
  during,
  timeoutMs = 30_000,
  pollMs = 50,
  heapSnapshot = false,
  otherWorkers = true
}: ProfileWorkerOptions): Promise<ProfiledWorkerRun> {
  const armed = await waitFor(
    'an armed worker (was the app started with --import …/profile/preload.js and CACHESTACK_PROFILE_DIR?)',
    () => findArmedWorker(outDir),
    timeoutMs,
    pollMs
  )
  const base = join(outDir, armed.label)
  const others = otherWorkers ? await findArmed(outDir, MEMORY_ARMED_SUFFIX) : []
  const memoryProblems: string[] = []
  await requestStart(base, { heapSnapshot })
  for (const other of others) await requestStart(join(outDir, other.label), { heapSnapshot: false })
  // Settled at once (allSettled never rejects): a failure here must not go unhandled if the profiled worker's wait throws first.
  const starting = Promise.allSettled(others.map((other) =>
    waitFor(`worker ${other.pid} to start sampling memory`, () => readJson(join(outDir, other.label + RECORDING_SUFFIX)), timeoutMs, pollMs)))
  await waitFor(`worker ${armed.pid} to start recording`, () => readJson(base + RECORDING_SUFFIX), timeoutMs, pollMs)
  // Another worker that does not answer costs its own chart, not the run.
  const sampling = (await starting).map((outcome, i) => {
    if (outcome.status === 'fulfilled') return others[i]!
    memoryProblems.push((outcome.reason as Error).message)
    return null
  }).filter((other): other is Armed => other !== null)
  try {
    await during()
  } finally {
    await writeFile(base + STOP_SUFFIX, '')
    for (const other of sampling) await writeFile(join(outDir, other.label + STOP_SUFFIX), '')
  }
  const stopped = Promise.allSettled(sampling.map((other) =>
    waitFor(`worker ${other.pid} to write its memory record`, () => readJson<MemoryArtifacts>(join(outDir, other.label + MANIFEST_SUFFIX)), timeoutMs, pollMs)))
  const artifacts = await waitFor(`worker ${armed.pid} to write its profile`, () => readJson<ProfileArtifacts>(base + MANIFEST_SUFFIX), timeoutMs, pollMs)
  const memory: WorkerMemory[] = [{ workerId: armed.workerId ?? null, pid: artifacts.pid, profiled: true, runtime: artifacts.runtimeStats }]
  const recorded: WorkerMemory[] = []
  for (const [i, outcome] of (await stopped).entries()) {
    if (outcome.status === 'rejected') {
      memoryProblems.push((outcome.reason as Error).message)
      continue
    }
    recorded.push({ workerId: sampling[i]!.workerId ?? null, pid: outcome.value.pid, profiled: false, runtime: outcome.value.runtimeStats })
  }
  recorded.sort((a, b) => (a.workerId ?? Infinity) - (b.workerId ?? Infinity) || a.pid - b.pid)
  return { ...artifacts, workerId: armed.workerId ?? null, memory: [...memory, ...recorded], memoryProblems }
}
