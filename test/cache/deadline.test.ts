// withDeadline: the bound on every L2, lock and bus wait. Driven by mocked timers, not the clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withDeadline } from '../../src/cache/deadline.js'
import { isCodedError } from '../../src/errors.js'

test('past its bound it rejects with the catalogue\'s CS_ERR_DEADLINE (503), naming what and how long', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const never = new Promise<string>(() => {})
  const bounded = withDeadline(never, 150, 'L2 get')
  t.mock.timers.tick(150)
  await assert.rejects(bounded, (err: unknown) => {
    assert.ok(isCodedError(err))
    assert.equal(err.code, 'CS_ERR_DEADLINE')
    assert.equal(err.statusCode, 503)
    assert.match(err.message, /^L2 get did not settle within 150 ms$/)
    return true
  })
})

test('a settlement within the bound wins, value or error; a late rejection is swallowed', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  assert.equal(await withDeadline(Promise.resolve('ok'), 150, 'x'), 'ok')
  await assert.rejects(withDeadline(Promise.reject(new Error('refused')), 150, 'x'), /refused/)
  let rejectLate!: (err: Error) => void
  const late = new Promise<string>((_resolve, reject) => { rejectLate = reject })
  const bounded = withDeadline(late, 10, 'x')
  t.mock.timers.tick(10)
  await assert.rejects(bounded, /did not settle/)
  rejectLate(new Error('too late')) // no unhandled rejection: the test runner would fail the file
})
