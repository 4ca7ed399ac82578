import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CircuitBreaker, type BreakerState } from '../../src/cache/circuit-breaker.js'
import { ManualClock } from '../helpers/fixtures.js'

test('opens after the threshold, lets one half-open probe through after the reset time', () => {
  const clock = new ManualClock()
  const states: BreakerState[] = []
  const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 1000, clock, onStateChange: s => states.push(s) })
  breaker.failure(); breaker.failure()
  assert.equal(breaker.state, 'closed')
  assert.ok(breaker.allows())
  breaker.failure()
  assert.equal(breaker.state, 'open')
  assert.equal(breaker.allows(), false)
  clock.advance(999)
  assert.equal(breaker.allows(), false)
  clock.advance(1)
  assert.equal(breaker.allows(), true, 'the probe')
  assert.equal(breaker.state, 'half-open')
  assert.equal(breaker.allows(), false, 'only one probe at a time')
  breaker.failure()
  assert.equal(breaker.state, 'open', 'a failed probe reopens')
  clock.advance(1000)
  assert.ok(breaker.allows())
  breaker.success()
  assert.equal(breaker.state, 'closed')
  assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'closed'])
})

test('a success resets the consecutive-failure count', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 1000, clock: new ManualClock() })
  breaker.failure(); breaker.success(); breaker.failure()
  assert.equal(breaker.state, 'closed')
})
