// A part that cannot start fails startStack with a message naming it, and nothing is left running.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { freePort } from '../../stack/free-port.js'
import { childPids } from '../../stack/process-group.js'
import { startStack } from '../../stack/stack.js'

const servers: Server[] = []
after(() => { for (const server of servers) server.close() })

async function occupiedPort (): Promise<number> {
  const port = await freePort()
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  servers.push(server)
  return port
}

async function refused (url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) })
    return false
  } catch {
    return true
  }
}

test('nginx on a port already in use: a clear error, and the app and provider are stopped', async () => {
  const nginxPort = await occupiedPort()
  const appPort = await freePort()
  const originPort = await freePort()
  await assert.rejects(
    startStack({ nginxPort, appPort, originPort, strategy: 'memory', redis: false, workers: 1, forwardOutput: false }),
    (err: Error) => {
      assert.match(err.message, /nginx failed to start/)
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${nginxPort} failed \\(98: Address already in use\\)`))
      return true
    }
  )
  assert.ok(await refused(`http://127.0.0.1:${appPort}/health`), 'the app was stopped')
  assert.ok(await refused(`http://127.0.0.1:${originPort}/health`), 'the provider was stopped')
  assert.deepEqual(childPids(process.pid), [], 'no child of ours is left')
})

test('an app that exits at start: the error carries its own message', async () => {
  await assert.rejects(
    startStack({ strategy: 'memory', redis: false, workers: 1, forwardOutput: false, appEnv: { CACHE_TTL_SECONDS: 'soon' } }),
    (err: Error) => {
      assert.match(err.message, /the app cluster failed to start/)
      assert.match(err.message, /app exited \(code 78\)/)
      assert.match(err.message, /CACHE_TTL_SECONDS="soon"/)
      return true
    }
  )
  assert.deepEqual(childPids(process.pid), [])
})

test('bad options are refused before anything starts', async () => {
  await assert.rejects(startStack({ strategy: 'layered', redis: false }), /strategy 'layered' needs Redis/)
  await assert.rejects(startStack({ workers: 0 }), /stack option workers/)
  assert.deepEqual(childPids(process.pid), [])
})
