// Fault injection into a running engine's dependencies (L2 store, fill lock, bus): every method
// of the wrapped object can be delayed or made to throw while the test runs.
export interface ChaosSettings {
  /** Added before each call, ms. */
  delayMs: number
  /** Each call rejects with a chaos error (after the delay). */
  fail: boolean
  /** Only these methods are affected (all when empty). */
  methods: string[]
  /** Calls seen, by method. */
  readonly calls: Record<string, number>
}

export function chaos<T extends object> (target: T): { target: T, settings: ChaosSettings } {
  const settings: ChaosSettings = { delayMs: 0, fail: false, methods: [], calls: {} }
  const proxy = new Proxy(target, {
    get (obj, property, receiver) {
      const value = Reflect.get(obj, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return async (...args: unknown[]) => {
        settings.calls[property] = (settings.calls[property] ?? 0) + 1
        const affected = settings.methods.length === 0 || settings.methods.includes(property)
        if (affected && settings.delayMs > 0) await new Promise(resolve => setTimeout(resolve, settings.delayMs))
        if (affected && settings.fail) throw new Error(`chaos: ${property} failed`)
        return await (value as (...a: unknown[]) => unknown).apply(obj, args)
      }
    }
  })
  return { target: proxy, settings }
}
