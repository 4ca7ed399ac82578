// Where a function ends in its source: the line view shows a function whole, from its first
// line to its closing brace (as kernprof does), not only the lines that happen to have samples,
// since the lines that cost nothing are part of the answer too. A profile gives only where a
// function starts (its call frame); the end comes from a bracket scan, not a parser: the
// project's dependencies stay as they are, and the scan needs to be right only on code that
// compiles. It skips strings, template literals (with their ${…} nesting), comments and regular
// expression literals (told from a division by the token before the slash, as tokenizers do).
//
// The function ends on the first line at whose end every bracket opened since its start is
// closed again. That holds for `function f (…): T {…}` and methods (the body's `{` is open at
// the end of the signature's lines, even of a multi-line signature or an object return type),
// for one-line arrows, and for an arrow passed as an argument (its `})` closes below zero). A
// multi-line arrow with an expression body ends too early by this rule; the caller extends the
// extent to the last sampled line anyway, so no sampled line is ever cut off.

/** Before these, a `/` starts a regular expression literal (otherwise it divides). */
const REGEX_AFTER_PUNCTUATION = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^'])
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'void', 'yield', 'await', 'delete', 'instanceof', 'new', 'throw'])
const WORD = /[\w$#]/

/** Index after a quoted string starting at `start` (strings end at their line's end at the latest). */
function skipString (text: string, start: number): number {
  const quote = text[start]
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === quote) return i + 1
  }
  return text.length
}

/** Index after a regular expression literal starting at `start`, flags included. */
function skipRegex (text: string, start: number): number {
  let inClass = false
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]
    if (c === '\\') i++
    else if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (c === '/' && !inClass) {
      let j = i + 1
      while (j < text.length && /[a-z]/i.test(text[j]!)) j++
      return j
    }
  }
  return text.length
}

/**
 * The 1-based last line of the function that starts at `line` (1-based), `column` (0-based) of
 * `lines`, or null when no end is found within `maxLines` (a start that is not a function's).
 */
export function functionEndLine (lines: readonly string[], line: number, column: number, maxLines = 2000): number | null {
  let depth = 0
  // The depth at each `${` of a template literal still open: its `}` returns to the template.
  const substitutions: number[] = []
  let mode: 'code' | 'comment' | 'template' = 'code'
  let previous = ''
  let word = ''
  for (let l = line - 1; l >= 0 && l < lines.length && l < line - 1 + maxLines; l++) {
    const text = lines[l]!
    let i = l === line - 1 ? Math.min(column, text.length) : 0
    while (i < text.length) {
      const c = text[i]!
      if (mode === 'comment') {
        const end = text.indexOf('*/', i)
        if (end < 0) break
        mode = 'code'
        i = end + 2
        continue
      }
      if (mode === 'template') {
        if (c === '\\') {
          i += 2
        } else if (c === '`') {
          mode = 'code'
          previous = '`'
          word = ''
          i++
        } else if (c === '$' && text[i + 1] === '{') {
          substitutions.push(depth)
          depth++
          mode = 'code'
          previous = '{'
          word = ''
          i += 2
        } else {
          i++
        }
        continue
      }
      if (c === ' ' || c === '\t') {
        i++
        continue
      }
      if (c === '/' && text[i + 1] === '/') break
      if (c === '/' && text[i + 1] === '*') {
        mode = 'comment'
        i += 2
        continue
      }
      if (c === '\'' || c === '"') {
        i = skipString(text, i)
        previous = 'string'
        word = ''
        continue
      }
      if (c === '`') {
        mode = 'template'
        i++
        continue
      }
      if (c === '/' && (REGEX_AFTER_PUNCTUATION.has(previous) || (previous === 'word' && REGEX_AFTER_WORDS.has(word)))) {
        i = skipRegex(text, i)
        previous = 'regex'
        word = ''
        continue
      }
      if (WORD.test(c)) {
        let j = i + 1
        while (j < text.length && WORD.test(text[j]!)) j++
        word = text.slice(i, j)
        previous = 'word'
        i = j
        continue
      }
      if (c === '(' || c === '[' || c === '{') {
        depth++
      } else if (c === ')' || c === ']' || c === '}') {
        depth--
        if (c === '}' && substitutions.length > 0 && substitutions[substitutions.length - 1] === depth) {
          substitutions.pop()
          mode = 'template'
          i++
          continue
        }
      }
      previous = c
      word = ''
      i++
    }
    if (mode === 'code' && depth <= 0) return l + 1
  }
  return null
}
