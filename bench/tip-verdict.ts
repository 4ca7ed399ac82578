// The rule that turns a tip's measured ratios (the tip variant's speed over the naive variant's,
// one per input size) into a verdict, so that "the tip holds" is computed, not eyeballed. The
// 10% band is there because this VM swings a few percent between runs: a smaller gap is noise.

export type Verdict = 'holds in V8' | 'does not hold' | 'depends on size'

/** How much faster the tip must be to count as faster: 1.1 = at least 10%. */
export const TIP_THRESHOLD = 1.1

export const VERDICT_RULE = 'holds in V8 when the tip is ≥ 1.1× the naive variant at every size; does not hold when it is < 1.1× at every size ' +
  '(slower, ≤ 1/1.1, or within ±10%); depends on size otherwise'

/** One size's comparison: + the tip is ≥ 1.1× faster, − it is ≥ 1.1× slower, = within ±10%. */
export type Mark = '+' | '=' | '−'

export function markOf (ratio: number, threshold = TIP_THRESHOLD): Mark {
  check(ratio)
  if (ratio >= threshold) return '+'
  return ratio <= 1 / threshold ? '−' : '='
}

/** `ratios`: tip ÷ naive at each measured size (Infinity when the naive variant's cost is positive and the tip's is zero). */
export function verdictOf (ratios: readonly number[], threshold = TIP_THRESHOLD): Verdict {
  if (ratios.length === 0) throw new RangeError('expected at least one ratio')
  const faster = ratios.filter((ratio) => markOf(ratio, threshold) === '+').length
  if (faster === ratios.length) return 'holds in V8'
  return faster === 0 ? 'does not hold' : 'depends on size'
}

function check (ratio: number): void {
  // NaN or ≤ 0 means a measurement went wrong (a zero-cost naive variant, a failed task): refuse to rule on it.
  if (!(ratio > 0)) throw new RangeError(`expected a ratio > 0, got ${ratio}`)
}
