// Expectations the rows share, each one Check with what was expected and what the run showed.
// Counts and states, not millisecond windows: the only times checked are bounds on a wait,
// with generous slack.
import { fmtMs } from '../loadtest/report/format.js'
import type { Fact, Measured } from './fault.js'
import type { Check } from './row.js'

function check (name: string, expected: string, actual: string, pass: boolean): Check {
  return { name, expected, actual, pass }
}

/** Every answer 2xx, no connection error or timeout, over the whole load. */
export function noFailedRequests (m: Measured): Check {
  return check('failed requests', '0 non-2xx, 0 errors', `${m.non2xx} non-2xx, ${m.errors} errors`, m.non2xx === 0 && m.errors === 0)
}

/**
 * For a fault that retires kept-alive client connections (an nginx worker exiting): no non-2xx,
 * and at most one request per client connection without an answer — one the client wrote as the
 * server closed the connection after an answer, never read, which a client that retries
 * idempotent requests sends again (RFC 9112 §9.3.1). The same race shows two ways: the close
 * arrives first and the request is lost silently, or the unread request is still in the
 * server's receive buffer, so the kernel answers the close with a reset and the client sees a
 * connection error. Either counts once per connection.
 */
export function onlyKeepAliveRaces (m: Measured): Check[] {
  return [
    check('failed requests', '0 non-2xx', `${m.non2xx} non-2xx`, m.non2xx === 0),
    check('lost or reset on a closing kept-alive connection', `≤ 1 per client connection (${m.connections})`,
      `${m.lostSilently} lost, ${m.errors - m.lostSilently} reset`, m.errors <= m.connections)
  ]
}

/** Keys already cached answered 2xx throughout (stale within grace when the provider fails). */
export function warmKeysServed (m: Measured): Check {
  const failures = Object.entries(m.warmFailures).map(([answer, n]) => `${n}× ${answer}`).join(', ')
  return check('warm keys', 'every answer 2xx, no error', `${m.warmNon2xx} non-2xx${failures === '' ? '' : ` (${failures})`}, ${m.errors} errors`,
    m.warmNon2xx === 0 && m.errors === 0)
}

/**
 * Cold keys (never cached) asked while the provider fails: each is 2xx (asked before the fault
 * took effect) or exactly `status` with `code` in its JSON body — and at least one was asked, or
 * the check could not fail.
 */
export function coldKeysGet (m: Measured, status: number, code: string): Check {
  const wanted = `${status} ${code}`
  let matching = 0
  const other: string[] = []
  for (const [answer, count] of Object.entries(m.coldAnswers)) {
    if (answer === wanted) matching += count
    else if (!answer.startsWith('2')) other.push(`${count}× ${answer}`)
  }
  return check(
    'cold keys', `${wanted} JSON (≥ 1), nothing else but 2xx`,
    `${matching}× ${wanted}${other.length === 0 ? '' : `; ${other.join(', ')}`}`,
    matching >= 1 && other.length === 0
  )
}

/** No answer slower than `boundMs` (a bound on a wait, with its slack spelled out). */
export function latencyBound (m: Measured, boundMs: number, because: string): Check {
  const max = m.maxLatencyMs
  return check('slowest answer', `≤ ${fmtMs(boundMs)} ms (${because})`, `${fmtMs(max)} ms`, max !== null && max <= boundMs)
}

/** No retry storm: at most `perKey` calls for one key in any one second of the window. */
export function originBounded (m: Measured, perKey: number, because: string): Check {
  const seen = m.origin.maxPerKeyPerSecondDuring
  return check('origin calls per key per second', `≤ ${perKey} (${because})`, String(seen), seen <= perKey)
}

/** A fact the fault's probes recorded equals what is expected. */
export function factIs (facts: Readonly<Record<string, Fact>>, name: string, expected: Fact, label = name): Check {
  const actual = facts[name] ?? null
  return check(label, String(expected), String(actual), actual === expected)
}

/** A numeric fact is at least `min`. */
export function factAtLeast (facts: Readonly<Record<string, Fact>>, name: string, min: number, label = name): Check {
  const actual = facts[name] ?? null
  return check(label, `≥ ${min}`, String(actual), typeof actual === 'number' && actual >= min)
}
