// The value rules (src/value-rules.ts): what each expects, said once; a raw string and an
// already-typed value refused alike.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  anyNumber, fraction, hostPorts, integer, listOf, loopbackHttpUrl, matching, number, oneOf, onOff, positive, ratio, rule, subsetOf, text, url
} from '../src/value-rules.js'

test('each rule says what it expects, once', () => {
  assert.equal(integer(1, 65535).expected, 'an integer from 1 to 65535')
  assert.equal(number(0.5, 600).expected, 'a number from 0.5 to 600')
  assert.equal(anyNumber.expected, 'a number')
  assert.equal(positive.expected, 'a positive number')
  assert.equal(ratio.expected, 'a number from 0 to 1')
  assert.equal(fraction.expected, 'a number from 0 up to (not including) 1')
  assert.equal(oneOf(['a', 'b']).expected, 'one of a, b')
  assert.equal(onOff.expected, 'on or off')
  assert.equal(url(['redis:', 'rediss:']).expected, 'a redis: or rediss: URL')
  assert.match(loopbackHttpUrl.expected, /^an http: URL on 127\.0\.0\.1 only/)
  assert.equal(hostPorts.expected, 'comma-separated host:port pairs')
  assert.equal(subsetOf(['x', 'y']).expected, 'a comma-separated list of x, y, or all, or none')
})

test('integer: decimal digits within the bounds, raw or typed', () => {
  const port = integer(1, 65535)
  assert.equal(port.parse('8080'), 8080)
  assert.equal(integer(-5, 5).parse('-3'), -3)
  for (const raw of ['0', '65536', 'abc', '', '1.5', '1e3', '0x10', '80 80']) assert.equal(port.parse(raw), undefined, raw)
  assert.ok(port.accepts(1) && port.accepts(65535))
  for (const value of [0, 65536, 1.5, NaN, Infinity, '80', null, undefined]) assert.ok(!port.accepts(value), String(value))
})

test('integer: a decimal string is good exactly when its number is', () => {
  fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -2000, max: 2000 }), (a, b, n) => {
    const r = integer(Math.min(a, b), Math.max(a, b))
    assert.equal(r.parse(String(n)) !== undefined, r.accepts(n))
  }))
})

test('numbers: finite, bounded as said; a blank string is no number', () => {
  assert.equal(number(0.5, 600).parse('0.5'), 0.5)
  assert.equal(number(0.5, 600).parse('0.4'), undefined)
  assert.equal(anyNumber.parse('-1.25'), -1.25)
  for (const raw of ['', '  ', 'abc', 'Infinity', 'NaN']) assert.equal(anyNumber.parse(raw), undefined, JSON.stringify(raw))
  assert.ok(!anyNumber.accepts('1'))
  assert.equal(positive.parse('0'), undefined)
  assert.ok(positive.accepts(0.001) && !positive.accepts(-1))
  assert.ok(ratio.accepts(1) && !ratio.accepts(1.01))
  assert.ok(fraction.accepts(0.99) && !fraction.accepts(1))
  assert.equal(fraction.parse('1'), undefined)
})

test('oneOf, onOff, text and matching', () => {
  const strategy = oneOf(['memory', 'redis'])
  assert.equal(strategy.parse('redis'), 'redis')
  assert.equal(strategy.parse('Redis'), undefined)
  assert.ok(strategy.accepts('memory') && !strategy.accepts(1))
  for (const raw of ['on', 'TRUE', 'yes', '1']) assert.equal(onOff.parse(raw), true, raw)
  for (const raw of ['off', 'False', 'no', '0']) assert.equal(onOff.parse(raw), false, raw)
  assert.equal(onOff.parse('maybe'), undefined)
  assert.ok(onOff.accepts(false) && !onOff.accepts('off'))
  assert.equal(text.parse('anything at all'), 'anything at all')
  assert.ok(!text.accepts(1))
  const size = matching(/^\d+[km]?$/, 'a size')
  assert.equal(size.parse('16k'), '16k')
  assert.equal(size.parse('16 k'), undefined)
  assert.ok(!size.accepts(16))
})

test('URLs: the protocol as said; loopback means 127.0.0.1 over http only', () => {
  const redis = url(['redis:', 'rediss:'])
  assert.equal(redis.parse('redis://127.0.0.1:6380'), 'redis://127.0.0.1:6380')
  assert.equal(redis.parse('http://x'), undefined)
  assert.equal(redis.parse('not a url'), undefined)
  assert.equal(loopbackHttpUrl.parse('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/')
  for (const raw of ['https://127.0.0.1', 'http://localhost:8080', 'http://10.0.0.1', 'not a url']) {
    assert.equal(loopbackHttpUrl.parse(raw), undefined, raw)
    assert.ok(!loopbackHttpUrl.accepts(raw), raw)
  }
})

test('lists: host:port pairs (IPv6 in brackets), items of a rule, a subset with all and none', () => {
  assert.deepEqual(hostPorts.parse('a:7000, 10.0.0.2:7001,[::1]:7002'), [
    { host: 'a', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }
  ])
  for (const raw of ['a', 'a:0', 'a:70000', 'a:1,', 'a b:1']) assert.equal(hostPorts.parse(raw), undefined, raw)
  assert.ok(hostPorts.accepts([{ host: 'a', port: 1 }]))
  assert.ok(!hostPorts.accepts([{ host: 'a', port: 0 }]) && !hostPorts.accepts('a:1'))
  const ports = listOf(integer(1, 9), 'digits')
  assert.deepEqual(ports.parse('1, 2'), [1, 2])
  assert.ok(ports.accepts([]) && !ports.accepts([10]))
  const parts = subsetOf(['x', 'y', 'z'])
  assert.deepEqual(parts.parse('all'), ['x', 'y', 'z'])
  assert.deepEqual(parts.parse('none'), [])
  assert.deepEqual(parts.parse('y, x,y'), ['y', 'x'], 'in order, once each')
  assert.ok(Object.isFrozen(parts.parse('x')))
  assert.equal(parts.parse('x,w'), undefined)
  assert.ok(parts.accepts(['z']) && !parts.accepts(['w']))
})

test('a rule built by hand: the raw string must read to a value the rule accepts', () => {
  const even = rule('an even number', (raw) => Number(raw), (value): value is number => typeof value === 'number' && value % 2 === 0)
  assert.equal(even.parse('4'), 4)
  assert.equal(even.parse('3'), undefined)
  assert.equal(even.parse('x'), undefined)
  assert.ok(even.accepts(2) && !even.accepts(3))
})
