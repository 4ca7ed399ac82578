// The long-running npm scripts as users and process managers run them: `npm start`, `npm run
// stack` and `npm run origin`, started through npm itself, and SIGTERM sent to npm's own pid (what
// systemd, a CI runner, `timeout` or `kill <pid>` do). Everything they started must be gone
// within 15 s and their ports free again. Also: the Quick start's curl line, taken verbatim from
// README.md (on a free port), prints what README says it prints.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freePort } from '../stack/free-port.js'
import { childPids, isAlive } from './helpers/app-process.js'
import { waitFor } from './helpers/redis.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const STOP_BOUND_MS = 15_000

interface NpmRun {
  readonly npm: ChildProcess
  output (): string
}

const running: ChildProcess[] = []
after(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

function npmRun (args: string[], env: Record<string, string>): NpmRun {
  // Its own process group, as under a process manager; no terminal to signal the whole group.
  const npm = spawn('npm', args, {
    cwd: ROOT,
    env: { ...process.env, NODE_TEST_CONTEXT: '', LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  running.push(npm)
  let output = ''
  npm.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  npm.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return { npm, output: () => output }
}

/** Every process below `pid`, however deep (the stack's children run in their own groups). */
const descendants = (pid: number): number[] => childPids(pid).flatMap((child) => [child, ...descendants(child)])

async function portFree (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** SIGTERM to npm's pid; then no process it started may be left, and every port is free. */
async function assertStopsCompletely (run: NpmRun, ports: number[], atLeast = 3): Promise<void> {
  const pids = [run.npm.pid!, ...descendants(run.npm.pid!)]
  assert.ok(pids.length >= atLeast, `npm and what it started are running (${pids.length} processes)`)
  process.kill(run.npm.pid!, 'SIGTERM')
  try {
    await waitFor(() => pids.every((pid) => !isAlive(pid)), STOP_BOUND_MS, 'every process to exit')
  } catch {
    const left = pids.filter(isAlive).map((pid) => {
      try {
        return `${pid} ${execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim()}`
      } catch {
        return String(pid)
      }
    })
    // Orphans would keep this file's pipes open: they go before the failure is reported.
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    assert.fail(`${STOP_BOUND_MS / 1000} s after SIGTERM to npm, still running:\n${left.join('\n')}\nOutput:\n${run.output().slice(-2000)}`)
  }
  for (const port of ports) assert.ok(await portFree(port), `port ${port} is free again`)
}

async function ports (count: number): Promise<number[]> {
  const picked = new Set<number>()
  while (picked.size < count) picked.add(await freePort())
  return [...picked]
}

test("npm start: the Quick start's curl prints what README says; SIGTERM to npm stops every process", async () => {
  const [port, metricsPort, originPort] = await ports(3) as [number, number, number]
  const run = npmRun(['start'], { PORT: String(port), METRICS_PORT: String(metricsPort), ORIGIN_PORT: String(originPort), WORKERS: '2' })
  await waitFor(() => {
    if (run.npm.exitCode !== null) throw new Error(`npm start exited ${run.npm.exitCode}:\n${run.output()}`)
    return run.output().includes('cachestack listening')
  }, 60_000, 'npm start to listen')

  // The block under "Quick start" that runs `npm ci && npm start`: its curl line and the lines it says the curl prints.
  const readme = readFileSync(`${ROOT}README.md`, 'utf8')
  const block = /```sh\nnpm ci && npm start\n([\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(block !== undefined, 'README has the `npm ci && npm start` block')
  const curl = block.split('\n').find((line) => line.startsWith('curl '))
  assert.ok(curl !== undefined, 'the block has a curl line')
  const promised = block.split('\n').filter((line) => line.startsWith('# ')).map((line) => line.slice(2).trim())
  assert.ok(promised.length > 0, 'the block says what the curl prints')
  const command = curl.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`)
  const printed = execFileSync('sh', ['-c', command], { encoding: 'utf8', timeout: 30_000 }).trim().split('\n').map((line) => line.trim())
  assert.deepEqual(printed, promised, `\`${curl}\` prints what README says`)

  await assertStopsCompletely(run, [port, metricsPort, originPort])
})

test('npm run stack: SIGTERM to npm stops nginx, the app cluster, the provider and redis-server', async () => {
  const [nginxPort, appPort, originPort, redisPort] = await ports(4) as [number, number, number, number]
  const run = npmRun(['run', 'stack'], {
    NGINX_PORT: String(nginxPort),
    APP_PORT: String(appPort),
    ORIGIN_PORT: String(originPort),
    REDIS_PORT: String(redisPort),
    LOG_LEVEL: 'warn'
  })
  await waitFor(() => {
    if (run.npm.exitCode !== null) throw new Error(`npm run stack exited ${run.npm.exitCode}:\n${run.output()}`)
    return run.output().includes('cachestack stack is up')
  }, 90_000, 'npm run stack to be up')
  const processes = descendants(run.npm.pid!).map((pid) => {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })
    } catch {
      return ''
    }
  }).join('\n')
  assert.match(processes, /nginx/, 'nginx runs')
  assert.match(processes, /redis-server/, 'redis-server runs')
  await assertStopsCompletely(run, [nginxPort, appPort, originPort, redisPort])
})

test('npm run origin: SIGTERM to npm stops the provider', async () => {
  const [originPort] = await ports(1) as [number]
  const run = npmRun(['run', 'origin'], { ORIGIN_PORT: String(originPort) })
  await waitFor(async () => {
    if (run.npm.exitCode !== null) throw new Error(`npm run origin exited ${run.npm.exitCode}:\n${run.output()}`)
    try {
      return (await fetch(`http://127.0.0.1:${originPort}/health`)).ok
    } catch {
      return false
    }
  }, 60_000, 'npm run origin to answer')
  // npm and the provider (the script's shell `exec`s node).
  await assertStopsCompletely(run, [originPort], 2)
})
