// What the heap-delta tests wrap: functions whose allocations and call counts are known.

/** An array of `n` small integers: 8 bytes a slot, plus the array's headers. */
export function allocateNumbers (n: number): number[] {
  return new Array<number>(n).fill(0)
}

/** Calls itself `depth` times; each level allocates. */
export function recurse (depth: number): number {
  const here = allocateNumbers(10)
  return depth <= 0 ? here.length : here.length + recurse(depth - 1)
}

export async function allocateLater (n: number): Promise<number> {
  const before = allocateNumbers(n)
  await Promise.resolve()
  return before.length
}

export class Store {
  readonly #items: number[][] = []
  put (n: number): number {
    this.#items.push(allocateNumbers(n))
    return this.#items.length
  }

  get size (): number {
    return this.#items.length
  }
}

export const arrowConstant = (n: number): number[] => allocateNumbers(n)
