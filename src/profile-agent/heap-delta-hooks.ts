// The module load hook of `--heap-delta` (registered by heap-delta.ts in the profiled worker only):
// appends the measuring wrapper to the one module that declares the function. Every other module
// loads untouched. Runs on Node's loader thread.
import { withHeapDeltaWrapper, type HeapDeltaTarget } from './heap-delta-target.js'

interface LoadResult {
  format?: string | null
  source?: string | ArrayBuffer | ArrayBufferView | null
  shortCircuit?: boolean
}
type NextLoad = (url: string, context: object) => Promise<LoadResult>

let target: HeapDeltaTarget | undefined

export function initialize (data: HeapDeltaTarget): void {
  target = data
}

export async function load (url: string, context: object, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context)
  if (target === undefined || url !== target.url || result.format !== 'module' || result.source == null) return result
  const raw = result.source
  const source = typeof raw === 'string'
    ? raw
    : raw instanceof ArrayBuffer
      ? Buffer.from(raw).toString('utf8')
      : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')
  return { ...result, source: withHeapDeltaWrapper(source, target) }
}
