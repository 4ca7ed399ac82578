// Tip 2's three ways to sum f(x) over an array, shared by the timing benchmark and by the child
// process that measures their memory (bench/allocation-probe.ts), so both measure the same code.
// f keeps every value and every partial sum a small integer (up to 1023 × 10⁶ < 2³¹): a sum that
// left the Smi range would box a HeapNumber per step in the unoptimized paths and blur what is
// being compared, the intermediate array.

export const f = (x: number): number => x & 1023
const add = (a: number, b: number): number => a + b

/** Python's `sum([f(x) for x in xs])`: materializes every f(x) first. */
export function sumViaArray (xs: readonly number[]): number {
  return xs.map(f).reduce(add, 0)
}

function * mapped (xs: readonly number[]): Generator<number> {
  for (let i = 0; i < xs.length; i++) yield f(xs[i]!)
}

/** Python's `sum(f(x) for x in xs)`: one value at a time through a generator. */
export function sumViaGenerator (xs: readonly number[]): number {
  let sum = 0
  for (const value of mapped(xs)) sum += value
  return sum
}

export function sumViaLoop (xs: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < xs.length; i++) sum += f(xs[i]!)
  return sum
}

export const SUM_VARIANTS = { 'intermediate array': sumViaArray, generator: sumViaGenerator, 'plain loop': sumViaLoop } as const
export type SumVariant = keyof typeof SUM_VARIANTS

/**
 * What each variant holds reachable at its worst moment, built for the "live at peak" measurement:
 * the array variant holds all of f(xs) while reduce runs; the generator holds itself and its last
 * result, half-way through; the loop holds nothing.
 */
export const PEAK_STATE: Record<SumVariant, (xs: readonly number[]) => unknown> = {
  'intermediate array': (xs) => xs.map(f),
  generator: (xs) => {
    const generator = mapped(xs)
    let last: IteratorResult<number> | undefined
    for (let i = 0; i < xs.length / 2; i++) last = generator.next()
    return [generator, last]
  },
  'plain loop': () => undefined
}
