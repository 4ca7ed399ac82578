// Flag values for the command-line tools (`npm run profile`, `npm run ladder`): checked against
// bounds, with a message that names the flag, the value and what was expected.

/** Makes the tool's own error (its class carries the tool's code). */
export type FlagErrorFactory = (message: string) => Error

/** A number from `min` to `max` (an integer when `integer`), or undefined when the flag is absent. */
export function boundedNumber (
  makeError: FlagErrorFactory,
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  integer: boolean
): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw makeError(`--${name}=${JSON.stringify(raw)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`)
  }
  return n
}

/** One of `allowed`, or undefined when the flag is absent. */
export function oneOfFlag<T extends string> (makeError: FlagErrorFactory, name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw === undefined) return undefined
  if (!(allowed as readonly string[]).includes(raw)) throw makeError(`--${name}=${JSON.stringify(raw)}: expected one of ${allowed.join(', ')}`)
  return raw as T
}
