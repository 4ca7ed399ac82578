// What the self-contained HTML pages share (load test, sweep, ladder, soak and memory reports; the
// flame graph's head; the policy study's escaping): escaping text into HTML and into inline
// <script>s, Chart.js's UMD build read from node_modules, and the page's opening through </head>
// with the reports' common stylesheet. One copy, so that a fix to the escaping or the look reaches
// every page; what differs between pages is a parameter of pageHead, or rules appended to it.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Text (or an attribute value) as HTML: & < > " ' become numeric character references. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Inline <script> content must never contain "</script" (or "<!--"); JSON also escapes U+2028/9. */
export function scriptSafe (source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--')
}

/** A value as JSON for `<script type="application/json">`: no '<' that could end the element, U+2028/9 escaped. */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')

/** Chart.js 4's browser build; resolved through the package so its location is not guessed. */
export function loadChartJs (): string {
  const require = createRequire(import.meta.url)
  const main = require.resolve('chart.js') // …/chart.js/dist/chart.cjs
  return readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8')
}

export interface PageHeadOptions {
  /** The page's <title>, plain text (escaped here). */
  title: string
  /** The body's max-width in px. @default 1280 */
  maxWidth?: number
  /** Each chart box's height in px. @default 320 */
  chartHeight?: number
  /** The narrowest a chart column of the .charts grid gets, in px. @default 520 */
  chartMinWidth?: number
  /** h2's margin-top in px. @default 32 */
  h2MarginTop?: number
  /** th's cursor ('help' where headers carry a title explaining the column). @default none set */
  thCursor?: string
  /** Rules appended after the common ones (so a page's own rule wins over a common one). */
  css?: string
}

/** `<!doctype html>` through `</head>`: charset, viewport, the title (plain text, escaped here) and a stylesheet (its lines, each ending in \n). */
export function htmlHead (title: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${stylesheet}</style>
</head>
`
}

/** The reports' head: htmlHead with the common stylesheet, what differs set by the options. */
export function pageHead (options: PageHeadOptions): string {
  const { title, maxWidth = 1280, chartHeight = 320, chartMinWidth = 520, h2MarginTop = 32, thCursor, css = '' } = options
  return htmlHead(title, `body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: ${maxWidth}px; padding: 0 16px; color: #111827; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: ${h2MarginTop}px; }
.meta { color: #4b5563; } code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(${chartMinWidth}px, 1fr)); gap: 16px; }
.chart { position: relative; height: ${chartHeight}px; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
.scroll { overflow-x: auto; margin-top: 12px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
th { background: #f9fafb;${thCursor === undefined ? '' : ` cursor: ${thCursor};`} } .right { text-align: right; } .left { text-align: left; }
${css === '' ? '' : `${css}\n`}`)
}
