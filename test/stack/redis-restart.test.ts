// `npm run stack` with its redis-server killed: a cache outage, not a full one. Under load
// through nginx, every request is answered while Redis is down; the stack restarts redis-server
// on the same port, and L2 serves again (a key one worker filled is HIT-L2 on the other).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import autocannon from 'autocannon'
import { startStack, type Stack } from '../../stack/stack.js'
import { waitFor } from '../helpers/redis.js'
import { untilL2Serves } from '../helpers/stack-http.js'
import { redisAnswers } from '../../stack/redis-once.js'

let stack: Stack
const notes: string[] = []
before(async () => {
  stack = await startStack({ strategy: 'layered', workers: 2, rateLimit: false, onNote: (message) => notes.push(message) })
})
after(async () => { await stack?.stop() })

test('redis-server SIGKILLed under load: 0 failed requests, the stack lives on, redis-server is back on its port', async () => {
  let crashed: string | undefined
  void stack.crashed.then((message) => { crashed = message })
  const killedPid = stack.pids.redis!
  const cities = ['london', 'paris', 'tokyo', 'lima', 'oslo', 'cairo', 'delhi', 'rome']
  const load = autocannon({
    url: stack.urls.nginx,
    connections: 4,
    duration: 6,
    requests: cities.map((city) => ({ method: 'GET' as const, path: `/weather/${city}` }))
  })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  process.kill(killedPid, 'SIGKILL')
  const result = await load
  assert.ok(result.requests.total > 500, `a real load (${result.requests.total} requests)`)
  assert.equal(result.errors, 0, 'no connection errors')
  assert.equal(result.non2xx, 0, 'every request answered 2xx while Redis was down')
  await waitFor(() => stack.pids.redis !== killedPid, 15_000, 'a new redis-server')
  assert.ok(await redisAnswers(stack.urls.redis!), 'the new redis-server answers on the same URL')
  assert.equal(crashed, undefined, 'the stack did not give up')
  assert.ok(notes.some((note) => note.startsWith('redis-server exited')), notes.join('\n'))
  assert.ok(notes.some((note) => note.startsWith('redis-server restarted')), notes.join('\n'))
})

test('after the restart L2 serves again: a key one worker filled is HIT-L2 on the other', async () => {
  await untilL2Serves(stack.urls.app, ['madrid', 'berlin', 'vienna', 'prague', 'warsaw', 'dublin', 'lisbon', 'athens', 'helsinki', 'stockholm'])
})
