// Is the script on disk the one the profile ran? A profile names lines of the build it ran (a
// recorded fixture, a profile from yesterday's build); after a rebuild of changed code the same
// line numbers name other statements, and a line view from them would put the samples on the
// wrong lines, silently. Three cheap checks catch that: the function is still where its call
// frame says it starts; its sampled lines are not all outside it (not "all inside": V8 credits
// some samples of inlined code to the caller with the callee's line number, a line of another
// function or script, so a few lines outside are normal). They cannot prove the body unchanged;
// they catch the common case, code that moved. (A sampled line that is blank or a comment proves
// nothing: inlined code is credited with the callee's line numbers, whatever they hold here.)
import type { CallFrame } from './cpu-profile.js'
import { functionEndLine } from './function-extent.js'

/** The name as written in the source: V8 prefixes getters ("get size") and qualifies inferred names ("Foo.bar"). */
const writtenName = (functionName: string): string => functionName.split(/[ .]/).pop() ?? functionName

/** Why `frame` (with samples on 1-based `sampledLines`) is not in `lines` as recorded, or null when it looks the same. */
export function staleFrame (lines: readonly string[], frame: CallFrame, sampledLines: readonly number[]): string | null {
  const { functionName, lineNumber, columnNumber } = frame
  const at = `line ${lineNumber + 1}`
  const text = lines[lineNumber]
  if (text === undefined) return `${at} is past the end of the script (${lines.length} lines)`
  const name = writtenName(functionName)
  // Anonymous functions have no name to look for; V8's synthetic ones (<instance_members_initializer>) none as written;
  // a constructor's frame is named after its class. A name inferred from an assignment sits on the line before when
  // the function starts its line (`const f =` then `  (x) => …`).
  if (name !== '' && !name.startsWith('<') && !/\bconstructor\b|\bclass\b/.test(text)) {
    const before = text.slice(0, columnNumber + 1)
    const head = before.trim() === '' || before.trim() === '(' ? (lines[lineNumber - 1] ?? '') + '\n' + before : before
    if (!head.includes(name)) return `${at} does not start ${functionName} any more`
  }
  // A module's top-level code (line 1, column 1) spans the whole file.
  const end = lineNumber === 0 && columnNumber === 0 ? lines.length : functionEndLine(lines, lineNumber + 1, columnNumber)
  if (end === null) return null
  const inside = sampledLines.filter((line) => line >= lineNumber + 1 && line <= end)
  if (sampledLines.length > 0 && inside.length === 0) {
    return `sampled line${sampledLines.length > 1 ? 's' : ''} ${sampledLines.join(', ')} all outside the function (lines ${lineNumber + 1}–${end})`
  }
  // Not a check: a sample on a blank or comment line inside the function. V8 credits samples of
  // inlined code with the callee's line number, which may be any line of the caller's script —
  // a live profile of this very build showed one on a comment.
  return null
}
