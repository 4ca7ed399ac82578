// What `npm run profile -- --heap-delta NAME` wraps, as the profiled worker is told it
// (CACHESTACK_PROFILE_HEAP_DELTA=<module URL>#<name>), and the code appended to that module so
// that its own binding is replaced by a measuring wrapper. ES modules' exports are read-only to
// their importers, but a module may reassign its own top-level function and class bindings, and
// importers see the new value (live bindings): so the wrapper is installed from inside the module,
// by a module load hook (heap-delta-hooks.ts), before any importer runs.
// Loaded by the hooks thread too: no imports, nothing but strings.

export interface HeapDeltaTarget {
  /** file: URL of the built module, as the ESM loader names it (symlinks resolved). */
  url: string
  /** A top-level function declaration of the module, or a top-level class. */
  binding: string
  /** With a class: its method or getter (prototype first, then static). */
  member: string | null
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** `file:///…/x.js#name` or `file:///…/x.js#Class.member`; throws naming `source` on anything else. */
export function parseHeapDeltaTarget (raw: string, source = 'heap-delta target'): HeapDeltaTarget {
  const hash = raw.lastIndexOf('#')
  const url = hash < 0 ? '' : raw.slice(0, hash)
  const [binding = '', member, extra] = raw.slice(hash + 1).split('.')
  if (!url.startsWith('file://') || !IDENTIFIER.test(binding) || (member !== undefined && !IDENTIFIER.test(member)) || extra !== undefined) {
    throw new TypeError(`${source}=${JSON.stringify(raw)}: expected file:///…/module.js#function or file:///…/module.js#Class.method`)
  }
  return { url, binding, member: member ?? null }
}

export const formatHeapDeltaTarget = ({ url, binding, member }: HeapDeltaTarget): string => `${url}#${binding}${member === null ? '' : '.' + member}`

/** The name people read: `resolveCity`, `CityIndex.resolve`. */
export const heapDeltaName = ({ binding, member }: Pick<HeapDeltaTarget, 'binding' | 'member'>): string => member === null ? binding : `${binding}.${member}`

/** The global the preload puts the recorder on: the rewritten module can reach nothing else. */
export const HEAP_DELTA_GLOBAL_KEY = 'cachestack.profile.heapDelta'

/**
 * Code appended to the target module (before its source-map comment, so no mapped line moves).
 * The wrapper is defined here, in the module's own script, so a CPU profile credits the
 * function's time to that module and not to the profiler's code (which cpu-summary.ts folds
 * into "(profiler)"); only the recorder's enter/leave are the profiler's.
 */
export function heapDeltaWrapperSource ({ binding, member }: HeapDeltaTarget): string {
  // Identifiers only (checked again here: this text becomes code).
  if (!IDENTIFIER.test(binding) || (member !== null && !IDENTIFIER.test(member))) throw new TypeError(`not an identifier: ${binding}.${member}`)
  const install = member === null
    ? `${binding} = wrap(${binding})`
    : `const owner = Object.hasOwn(${binding}.prototype ?? {}, '${member}') ? ${binding}.prototype : Object.hasOwn(${binding}, '${member}') ? ${binding} : null
    if (owner === null) throw new TypeError('${binding} has no method or getter ${member}')
    const d = Object.getOwnPropertyDescriptor(owner, '${member}')
    if (typeof d.value === 'function') Object.defineProperty(owner, '${member}', { ...d, value: wrap(d.value) })
    else if (typeof d.get === 'function') Object.defineProperty(owner, '${member}', { ...d, get: wrap(d.get) })
    else throw new TypeError('${binding}.${member} is neither a method nor a getter')`
  return `
;(function cachestackHeapDelta () {
  const recorder = globalThis[Symbol.for('${HEAP_DELTA_GLOBAL_KEY}')]
  if (recorder === undefined) return
  const wrap = (original) => {
    if (typeof original !== 'function') throw new TypeError('${heapDeltaName({ binding, member })} is a ' + typeof original + ', not a function')
    return function heapDeltaWrapper (...args) {
      if (new.target !== undefined) return Reflect.construct(original, args, new.target)
      // Outermost calls only: a recursive or nested call is part of its caller's delta.
      if (!recorder.active || recorder.depth > 0) return Reflect.apply(original, this, args)
      const before = recorder.enter()
      let result
      try {
        result = Reflect.apply(original, this, args)
      } finally {
        recorder.leave(before, result)
      }
      return result
    }
  }
  try {
    ${install}
    recorder.installed()
  } catch (err) {
    recorder.failed(err)
  }
})();
`
}

/** The module's source with the wrapper added before its `//# sourceMappingURL=` comment (or at the end). */
export function withHeapDeltaWrapper (source: string, target: HeapDeltaTarget): string {
  const code = heapDeltaWrapperSource(target)
  const comment = source.lastIndexOf('\n//# sourceMappingURL=')
  return comment < 0 ? source + '\n' + code : source.slice(0, comment + 1) + code + source.slice(comment + 1)
}
