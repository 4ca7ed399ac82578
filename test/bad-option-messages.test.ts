// One rule, four front ends: each names the bad input its own way and raises its own error, and
// all say what was expected in the rule's words.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { flagValue, optionValue } from '../src/cli-options.js'
import { EnvReader } from '../src/env-reader.js'
import { LadderOptionError, LoadTestOptionError } from '../src/errors.js'
import { nativeNginxOptions, renderNginxConfig } from '../src/nginx/nginx-config.js'
import { integer, oneOf } from '../src/value-rules.js'

const port = integer(1, 65535)

test('environment: every bad variable named with its raw value, one CS_ERR_CONFIG_INVALID for all', () => {
  const r = new EnvReader({ PORT: ' 80800 ', MODE: 'fast', BLANK: '  ', GOOD: '8080' })
  assert.equal(r.read('PORT', port, 3000), 3000, 'the fallback stands in for a bad value')
  assert.equal(r.read('MODE', oneOf(['slow', 'steady']), 'slow'), 'slow')
  assert.equal(r.read('BLANK', port, 1), 1, 'blank is unset')
  assert.equal(r.read('GOOD', port, 1), 8080)
  assert.deepEqual(r.errors, ['  PORT=" 80800 ": expected an integer from 1 to 65535', '  MODE="fast": expected one of slow, steady'])
  assert.throws(() => r.throwIfInvalid(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_CONFIG_INVALID')
    assert.equal(err.message, 'Invalid configuration:\n  PORT=" 80800 ": expected an integer from 1 to 65535\n  MODE="fast": expected one of slow, steady')
    return true
  })
  new EnvReader({ PORT: '1' }).throwIfInvalid()
})

test('flag: --name="raw", raised as the tool\'s error; an absent flag is undefined', () => {
  assert.equal(flagValue(LadderOptionError, 'port', undefined, port), undefined)
  assert.equal(flagValue(LadderOptionError, 'port', '8080', port), 8080)
  assert.throws(() => flagValue(LadderOptionError, 'port', 'x', port), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_LADDER_OPTION')
    assert.equal(err.message, '--port="x": expected an integer from 1 to 65535')
    return true
  })
  assert.throws(() => flagValue(RangeError, 'port', '', port), (err: Error) => {
    assert.ok(err instanceof RangeError)
    assert.equal(err.message, '--port="": expected an integer from 1 to 65535')
    return true
  })
})

test('typed option: name=<value as JSON>, raised as the tool\'s error', () => {
  assert.equal(optionValue(LoadTestOptionError, 'port', 8080, port), 8080)
  assert.throws(() => optionValue(LoadTestOptionError, 'port', 0, port), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_LOADTEST_OPTION')
    assert.equal(err.message, 'port=0: expected an integer from 1 to 65535')
    return true
  })
  assert.throws(() => optionValue(LoadTestOptionError, 'port', '8080', port), /port="8080": expected an integer/, 'a string is not a typed number')
})

test('nginx option: "expected nginx option X to be …", a TypeError with CS_ERR_NGINX_OPTION', () => {
  assert.throws(() => renderNginxConfig(nativeNginxOptions({ workDir: '/tmp/x', port: 8080, appPort: 70000 }), ''), (err: Error & { code?: string }) => {
    assert.ok(err instanceof TypeError)
    assert.equal(err.code, 'CS_ERR_NGINX_OPTION')
    assert.equal(err.message, 'expected nginx option app.port to be an integer from 1 to 65535, got 70000')
    return true
  })
})
