// Tip 5 (Python's __slots__, in V8 terms): objects of one stable shape against objects whose shape
// varies. V8 gives every object a hidden class (its map: which fields, in which order, where), and
// each property read in optimized code has an inline cache keyed by the maps it has seen:
// 1 map monomorphic (one compare, then a load at a fixed offset), 2–4 polymorphic (a compare
// chain), more megamorphic (a global stub-cache lookup); `delete` of a field that is not the last
// one added sends the object to dictionary mode (a hash table per object, no fast offsets).
// Every kind gets its own copy of the reader, so each copy's inline caches see only its own
// kind's maps: one shared reader would be megamorphic for all of them after the first mixed run.

export interface Point { x: number, y: number, z: number }

export const SHAPE_KINDS = ['stable', 'polymorphic', 'megamorphic', 'dictionary'] as const
export type ShapeKind = typeof SHAPE_KINDS[number]

/** One class, every field initialized in the constructor in the same order: a single map. */
class StablePoint implements Point {
  x: number
  y: number
  z: number
  constructor (x: number, y: number, z: number) {
    this.x = x
    this.y = y
    this.z = z
  }
}

const ORDERS = [['x', 'y', 'z'], ['y', 'z', 'x'], ['z', 'x', 'y'], ['x', 'z', 'y'], ['y', 'x', 'z'], ['z', 'y', 'x']] as const

/** Fields added one by one in the order `order`, and an optional extra field: a map per (order, extra). */
function grown (values: Point, order: readonly string[], extra: boolean): Point {
  const o: Record<string, number> = {}
  for (const key of order) o[key] = values[key as keyof Point]
  if (extra) o['w'] = 0
  return o as unknown as Point
}

export function makePoints (kind: ShapeKind, n: number): Point[] {
  // push, not new Array(n): a preallocated array past ~16k elements may start in dictionary mode itself.
  const points: Point[] = []
  for (let i = 0; i < n; i++) {
    const x = i & 255
    const y = (i >> 8) & 255
    const z = 1
    switch (kind) {
      case 'stable': points.push(new StablePoint(x, y, z)); break
      // 3 field orders: 3 maps, a polymorphic inline cache.
      case 'polymorphic': points.push(grown({ x, y, z }, ORDERS[i % 3]!, false)); break
      // 6 orders × an extra field on every other group of 6: 12 maps, past V8's 4-map polymorphic limit.
      case 'megamorphic': points.push(grown({ x, y, z }, ORDERS[i % 6]!, Math.floor(i / 6) % 2 === 1)); break
      // A literal whose first field is then deleted (not the last one added, which V8 could undo
      // by going back one map transition): dictionary mode.
      case 'dictionary': {
        const o: Partial<Point> & { tmp?: number } = { tmp: 0, x, y, z }
        delete o.tmp
        points.push(o as Point)
        break
      }
    }
  }
  return points
}

// Four textually identical readers: see the header.
function readStable (points: readonly Point[]): number {
  let sum = 0
  for (let i = 0; i < points.length; i++) { const p = points[i]!; sum += p.x + p.y + p.z }
  return sum
}
function readPolymorphic (points: readonly Point[]): number {
  let sum = 0
  for (let i = 0; i < points.length; i++) { const p = points[i]!; sum += p.x + p.y + p.z }
  return sum
}
function readMegamorphic (points: readonly Point[]): number {
  let sum = 0
  for (let i = 0; i < points.length; i++) { const p = points[i]!; sum += p.x + p.y + p.z }
  return sum
}
function readDictionary (points: readonly Point[]): number {
  let sum = 0
  for (let i = 0; i < points.length; i++) { const p = points[i]!; sum += p.x + p.y + p.z }
  return sum
}

export const READERS: Record<ShapeKind, (points: readonly Point[]) => number> = {
  stable: readStable,
  polymorphic: readPolymorphic,
  megamorphic: readMegamorphic,
  dictionary: readDictionary
}
