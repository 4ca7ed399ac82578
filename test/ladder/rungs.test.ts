// The ladder's rungs: each one the previous plus exactly one step, from all-naive to the default service.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig, NAIVE_COMPONENTS } from '../../src/config.js'
import { renderNginxConfig, nativeNginxOptions } from '../../src/nginx/nginx-config.js'
import { appEnvironment, changedSwitches, nginxUpstreamKeepalive, RUNGS } from '../../ladder/rungs.js'

const workload = { originTimeoutMs: 10_000 }
const configOf = (rung: typeof RUNGS[number]) => loadConfig({ ...appEnvironment(rung.settings, workload), CACHE_STRATEGY: rung.settings.strategy, REDIS_URL: 'redis://127.0.0.1:6379' })

test('each rung differs from the one before by exactly one switch', () => {
  assert.ok(RUNGS.length >= 6)
  for (let i = 1; i < RUNGS.length; i++) {
    const changed = changedSwitches(RUNGS[i - 1]!.settings, RUNGS[i]!.settings)
    assert.equal(changed.length, 1, `rung ${RUNGS[i]!.id} changes ${changed.join(', ') || 'nothing'}`)
  }
  assert.equal(new Set(RUNGS.map((r) => r.id)).size, RUNGS.length, 'ids are unique')
})

test('changedSwitches sees every switch, and NAIVE as a set', () => {
  const a = RUNGS[0]!.settings
  assert.deepEqual(changedSwitches(a, { ...a, naive: [...a.naive].reverse() }), [])
  assert.deepEqual(
    changedSwitches(a, { naive: [], strategy: 'layered', redisAutoPipelining: true, nginxUpstreamKeepalive: true }),
    ['naive', 'strategy', 'redisAutoPipelining', 'nginxUpstreamKeepalive']
  )
})

test('rung 0 is all naive without a cache; the stages follow the issue: algorithm, caching (L1, then L1+L2), I/O, tricks', () => {
  const [zero, one] = RUNGS
  assert.deepEqual([...zero!.settings.naive].sort(), [...NAIVE_COMPONENTS].sort())
  assert.equal(zero!.settings.strategy, 'none')
  assert.equal(zero!.settings.redisAutoPipelining, false)
  assert.equal(zero!.settings.nginxUpstreamKeepalive, false)
  assert.deepEqual(changedSwitches(zero!.settings, one!.settings), ['naive'])
  assert.ok(!one!.settings.naive.includes('resolver'), 'rung 1 drops the linear scan')
  const strategies = RUNGS.map((r) => r.settings.strategy)
  assert.ok(strategies.indexOf('memory') < strategies.indexOf('layered'), 'L1 before L1+L2')
  assert.deepEqual(RUNGS.map((r) => r.stage).filter((s, i, all) => all.indexOf(s) === i), ['naive', 'algorithm', 'caching', 'I/O', 'tricks'])
})

test('the app reads each rung\'s environment as the rung says', () => {
  for (const rung of RUNGS) {
    const config = configOf(rung)
    assert.deepEqual([...config.naive].sort(), [...rung.settings.naive].sort(), `rung ${rung.id} NAIVE`)
    assert.equal(config.redis.autoPipelining, rung.settings.redisAutoPipelining, `rung ${rung.id} REDIS_AUTO_PIPELINING`)
    assert.equal(config.cache.strategy, rung.settings.strategy)
    assert.equal(config.origin.timeoutMs, 10_000)
    assert.equal(config.http.exposeBaseline, true, 'the last rung\'s app serves the limit target')
  }
})

test('the last rung is the default service', () => {
  const last = RUNGS[RUNGS.length - 1]!
  const defaults = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })
  const config = configOf(last)
  assert.equal(config.cache.strategy, defaults.cache.strategy)
  assert.deepEqual(config.naive, defaults.naive)
  assert.equal(config.redis.autoPipelining, defaults.redis.autoPipelining)
  assert.equal(nginxUpstreamKeepalive(last.settings), 64, 'the stack\'s default pool')
})

test('nginx without an upstream keep-alive pool renders no keepalive directive in the upstream block', () => {
  const render = (upstreamKeepalive: number): string => renderNginxConfig(
    nativeNginxOptions({ workDir: '/tmp/cs-ladder', port: 8080, appPort: 3000, upstreamKeepalive })
  )
  const upstream = (text: string): string => /upstream cachestack_app \{[\s\S]*?\n {2}\}/.exec(text)![0]
  assert.match(upstream(render(64)), /^\s+keepalive 64;$/m)
  assert.doesNotMatch(upstream(render(0)), /^\s+keepalive(_timeout|_requests)? /m)
  assert.throws(() => render(-1), /upstreamKeepalive/)
})
