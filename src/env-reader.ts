// Reading environment variables for a typed options object: each variable parsed once by its value
// rule (src/value-rules.ts), every bad one collected (name, raw value, what was expected) so a
// single error can name them all. src/config.ts (the app), src/nginx/edge-env.ts (nginx's
// rendering), src/profile-agent/profiler-options.ts and stack/stack-env.ts (the native topology
// runner) read through it.
import { ConfigInvalidError } from './errors.js'
import type { Rule } from './value-rules.js'

export type Env = Record<string, string | undefined>

export class EnvReader {
  /** One line per bad variable: `  NAME="raw": expected …`. */
  readonly errors: string[] = []
  constructor (private readonly env: Env) {}

  /** The value by `rule`, or `fallback` when unset or blank, or when invalid (the error is kept). */
  read<T, F = T> (name: string, rule: Rule<T>, fallback: F): T | F {
    const raw = this.env[name]
    if (raw === undefined || raw.trim() === '') return fallback
    const value = rule.parse(raw.trim())
    if (value !== undefined) return value
    this.errors.push(`  ${name}=${JSON.stringify(raw)}: expected ${rule.expected}`)
    return fallback
  }

  /** Throws CS_ERR_CONFIG_INVALID naming every bad variable met so far. */
  throwIfInvalid (): void {
    if (this.errors.length > 0) throw new ConfigInvalidError(this.errors.join('\n'))
  }
}
