// Reading environment variables for a typed options object: each variable parsed once, every bad
// one collected (name, raw value, what was expected) so a single error can name them all.
// src/config.ts (the app), src/nginx/edge-env.ts (nginx's rendering) and stack/stack-env.ts (the
// native topology runner) read through it.

export type Env = Record<string, string | undefined>

/** Parses a trimmed, non-empty raw value; throws an Error saying what was expected. */
export type Parser<T> = (raw: string) => T

export class EnvReader {
  readonly errors: string[] = []
  constructor (private readonly env: Env) {}

  /** The parsed value, or `fallback` when unset or blank, or when invalid (the error is kept). */
  read<T> (name: string, parse: Parser<T>, fallback: T): T {
    const raw = this.env[name]
    if (raw === undefined || raw.trim() === '') return fallback
    try {
      return parse(raw.trim())
    } catch (err) {
      this.errors.push(`  ${name}=${JSON.stringify(raw)}: ${(err as Error).message}`)
      return fallback
    }
  }

  /** Throws one error naming every bad variable met so far, under `title`. */
  throwIfInvalid (title: string): void {
    if (this.errors.length > 0) throw new Error(`${title}:\n${this.errors.join('\n')}`)
  }
}

export const integer = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw)) throw new Error(`expected an integer from ${min} to ${max}`)
  const n = Number(raw)
  if (n < min || n > max) throw new Error(`expected an integer from ${min} to ${max}`)
  return n
}

export const oneOf = <T extends string>(values: readonly T[]): Parser<T> => (raw) => {
  if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}`)
  return raw as T
}

/** A switch: on/off, true/false, yes/no, 1/0 (any case). */
export const onOff: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw new Error('expected on or off')
}
