// The building blocks both results schemas are made of (results.json and sweep.json): one place
// for what a count, a latency summary and a strict, titled object are, and for how a schema
// failure is reported.
import Type, { type TSchema } from 'typebox'
import Value from 'typebox/value'

export const Int = Type.Integer({ minimum: 0 })
export const Num = Type.Number()
export const NonNeg = Type.Number({ minimum: 0 })
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
// Every object has a title: SCHEMA.md documents each field as `Title.field` (a test checks it).
export const Strict = (title: string) => ({ title, additionalProperties: false }) as const

export const LatencySchema = Type.Object({
  count: Int,
  mean: NonNeg,
  p50: NonNeg,
  p90: NonNeg,
  p99: NonNeg,
  p99_9: NonNeg,
  max: NonNeg
}, Strict('Latency'))

/** Where a value breaks its schema, one line per problem; empty when it matches. */
export function schemaProblems (schema: TSchema, value: unknown): string[] {
  if (Value.Check(schema, value)) return []
  return [...Value.Errors(schema, value)].map((e) => `${e.instancePath || '/'}: ${e.message}`)
}
