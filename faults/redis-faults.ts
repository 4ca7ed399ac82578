// Faults injected into a live redis-server over its own protocol: a pause (CLIENT PAUSE: every
// client's commands wait, none fails) and a slow server (DEBUG SLEEP over and over: the single
// command thread sleeps, and every command queues behind it). Redis 7 answers DEBUG only when
// started with --enable-debug-command (the matrix's single redis-server is); elsewhere a Lua
// script that spins on TIME stands in — the same wait for the clients, but a busy core besides.
import { Redis } from 'ioredis'

/** Busy for ARGV[1] ms by the server's own clock, then returns (scripts may read TIME since Redis 5). */
const BUSY_SCRIPT = `
local t = redis.call('TIME')
local start = tonumber(t[1]) * 1000000 + tonumber(t[2])
local span = tonumber(ARGV[1]) * 1000
while true do
  local n = redis.call('TIME')
  if tonumber(n[1]) * 1000000 + tonumber(n[2]) - start >= span then break end
end
return 1
`

function connectTo (url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 })
  client.on('error', () => {})
  return client
}

/** CLIENT PAUSE <ms> ALL: every client's commands wait that long (the pausing client's reply comes at once). */
export async function pauseRedis (url: string, ms: number): Promise<void> {
  const client = connectTo(url)
  try {
    await client.call('CLIENT', 'PAUSE', String(ms), 'ALL')
  } finally {
    client.disconnect()
  }
}

export interface SlowRedis {
  /** How the server was kept busy: 'DEBUG SLEEP' or 'busy script'. */
  readonly how: string
  /** Sleeps (or scripts) run so far. */
  readonly blocks: number
  /** Ends the loop after the running block. */
  stop (): Promise<void>
}

/**
 * Blocks redis-server `blockMs` out of every `blockMs + gapMs`: each command waits up to
 * `blockMs`, more than the app's command timeout when blockMs is above it. Below lua-time-limit
 * (5 s) a script does not make the server answer BUSY: the other clients only wait.
 */
export async function slowRedis (url: string, blockMs: number, gapMs: number): Promise<SlowRedis> {
  const client = connectTo(url)
  let how = 'DEBUG SLEEP'
  try {
    await client.call('DEBUG', 'SLEEP', '0')
  } catch {
    how = 'busy script'
  }
  const block = how === 'DEBUG SLEEP'
    ? () => client.call('DEBUG', 'SLEEP', String(blockMs / 1000))
    : () => client.eval(BUSY_SCRIPT, 0, String(blockMs))
  const state = { running: true }
  let blocks = 0
  const loop = (async () => {
    while (state.running) {
      try {
        await block()
        blocks++
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, gapMs))
    }
  })()
  return {
    how,
    get blocks () { return blocks },
    async stop () {
      state.running = false
      await loop
      client.disconnect()
    }
  }
}
