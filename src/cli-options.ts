// How the command-line tools (`npm run loadtest`, `ladder`, `profile`, `soak`, `faults`, `bench`)
// name a bad option checked by a value rule (src/value-rules.ts): a flag as given
// (`--duration="x": expected …`), or an option already typed (`connections=0: expected …`), raised
// as the tool's own error (its class in src/errors.ts carries the tool's code).
import type { Rule } from './value-rules.js'

/** The tool's option error, made from the whole message. */
export type OptionErrorClass = new (message: string) => Error

/** `name=<value as JSON>: <problem>`: a bad option, its value, and what is wrong with it. */
export function optionProblem (name: string, value: unknown, problem: string): string {
  return `${name}=${JSON.stringify(value)}: ${problem}`
}

/** The value of `--name` by `rule`, or undefined when the flag is absent. */
export function flagValue<T> (OptionError: OptionErrorClass, name: string, raw: string | undefined, rule: Rule<T>): T | undefined {
  if (raw === undefined) return undefined
  const value = rule.parse(raw.trim())
  if (value === undefined) throw new OptionError(optionProblem(`--${name}`, raw, `expected ${rule.expected}`))
  return value
}

/** `value` itself once `rule` accepts it. */
export function optionValue<T> (OptionError: OptionErrorClass, name: string, value: unknown, rule: Rule<T>): T {
  if (!rule.accepts(value)) throw new OptionError(optionProblem(name, value, `expected ${rule.expected}`))
  return value
}
