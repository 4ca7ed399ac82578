// The value rules every option goes through: environment variables (src/env-reader.ts), the
// tools' flags and typed options (src/cli-options.ts), nginx's rendering options
// (src/nginx/nginx-config.ts). A rule says once what it expects ("an integer from 1 to 65535"),
// reads a raw string into a value, and tells whether an already-typed value is one; the front ends
// only add how they name the bad input and which error they raise.

export interface Rule<T> {
  /** What a good value is, said once, to follow "expected": 'an integer from 1 to 65535'. */
  readonly expected: string
  /** A raw string (an environment variable, a flag; trimmed) → its value, or undefined when it is not one. */
  parse (raw: string): T | undefined
  /** Whether an already-typed value (nginx options, load-test options) is one. */
  accepts (value: unknown): value is T
}

/**
 * A rule from what it expects, how a raw string reads (its syntax only: undefined when it cannot
 * be read) and which values it accepts. A raw string is good when it reads to an accepted value,
 * so both applications refuse the same values.
 */
export function rule<T> (expected: string, read: (raw: string) => unknown, accepts: (value: unknown) => value is T): Rule<T> {
  return {
    expected,
    parse: (raw) => {
      const value = read(raw)
      return value !== undefined && accepts(value) ? value : undefined
    },
    accepts
  }
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)
const isString = (value: unknown): value is string => typeof value === 'string'
// Number('') and Number('  ') are 0: a blank string is no number.
const readNumber = (raw: string): number | undefined => raw.trim() === '' ? undefined : Number(raw)

/** Decimal digits only: `1e3`, `0x10` and `1.0` are refused as integers. */
export const integer = (min: number, max: number): Rule<number> => rule(
  `an integer from ${min} to ${max}`,
  (raw) => /^-?\d+$/.test(raw) ? Number(raw) : undefined,
  (value): value is number => Number.isInteger(value) && (value as number) >= min && (value as number) <= max
)

export const number = (min: number, max: number): Rule<number> => rule(
  `a number from ${min} to ${max}`,
  readNumber,
  (value): value is number => isNumber(value) && value >= min && value <= max
)

/** Any finite number: a flag read before its option's own rule applies (the load test, the soak). */
export const anyNumber: Rule<number> = rule('a number', readNumber, isNumber)

export const positive: Rule<number> = rule('a positive number', readNumber, (value): value is number => isNumber(value) && value > 0)

/** A share, both ends included. */
export const ratio: Rule<number> = number(0, 1)

/** A share below 1: a jitter of 1 could shorten a lifetime to nothing. */
export const fraction: Rule<number> = rule(
  'a number from 0 up to (not including) 1',
  readNumber,
  (value): value is number => isNumber(value) && value >= 0 && value < 1
)

export const oneOf = <T extends string>(values: readonly T[]): Rule<T> => rule(
  `one of ${values.join(', ')}`,
  (raw) => raw,
  (value): value is T => (values as readonly unknown[]).includes(value)
)

/** A switch: on/off, true/false, yes/no, 1/0 (any case). */
export const onOff: Rule<boolean> = rule(
  'on or off',
  (raw) => /^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : undefined,
  (value): value is boolean => typeof value === 'boolean'
)

/** Any string. */
export const text: Rule<string> = rule('text', (raw) => raw, isString)

/** A string the whole of which matches `pattern` (anchor it). */
export const matching = (pattern: RegExp, expected: string): Rule<string> =>
  rule(expected, (raw) => raw, (value): value is string => isString(value) && pattern.test(value))

const protocolOf = (value: string): string | undefined => {
  try {
    return new URL(value).protocol
  } catch {
    return undefined
  }
}

/** An absolute URL of one of `protocols` ('redis:'), kept as written. */
export const url = (protocols: readonly string[]): Rule<string> => rule(
  `a ${protocols.join(' or ')} URL`,
  (raw) => raw,
  (value): value is string => isString(value) && protocols.includes(protocolOf(value) ?? '')
)

/** Load goes to this machine only: a load test or a profile must never hit someone else's server. */
export const loopbackHttpUrl: Rule<string> = rule(
  'an http: URL on 127.0.0.1 only (loopback only: not a name or another address)',
  (raw) => raw,
  (value): value is string => {
    if (!isString(value) || protocolOf(value) !== 'http:') return false
    return new URL(value).hostname === '127.0.0.1'
  }
)

/** Comma-separated items of `item` (blanks around each ignored), as an array; typed, an array of them. */
export const listOf = <T>(item: Rule<T>, expected: string): Rule<T[]> => rule(
  expected,
  (raw) => {
    const items = raw.split(',').map((part) => item.parse(part.trim()))
    return items.includes(undefined) ? undefined : items
  },
  (value): value is T[] => Array.isArray(value) && value.every((v) => item.accepts(v))
)

export interface HostPort {
  host: string
  port: number
}

const port = integer(1, 65535)

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 one (brackets dropped). */
export const hostPort: Rule<HostPort> = rule(
  'host:port',
  (raw) => {
    const match = /^([A-Za-z0-9_.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(raw)
    return match === null ? undefined : { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) }
  },
  (value): value is HostPort => typeof value === 'object' && value !== null &&
    isString((value as HostPort).host) && (value as HostPort).host !== '' && port.accepts((value as HostPort).port)
)

/** Redis seeds and sentinels: `host:port,host:port`. */
export const hostPorts: Rule<HostPort[]> = listOf(hostPort, 'comma-separated host:port pairs')

/** Some of `values`, comma-separated, or all, or none: a frozen list without repeats. */
export const subsetOf = <T extends string>(values: readonly T[]): Rule<readonly T[]> => rule(
  `a comma-separated list of ${values.join(', ')}, or all, or none`,
  (raw) => Object.freeze(raw === 'all' ? [...values] : raw === 'none' ? [] : [...new Set(raw.split(',').map((part) => part.trim()))]),
  (value): value is readonly T[] => Array.isArray(value) && value.every((v) => (values as readonly unknown[]).includes(v))
)
