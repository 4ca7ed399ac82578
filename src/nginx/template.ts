// A logic-less template (a Mustache subset) for nginx/nginx.conf.template: `{{name}}` inserts a
// value, `{{#name}}…{{/name}}` keeps a block when the value is true or a non-empty string,
// `{{^name}}…{{/name}}` when it is not. Anything the view does not define is an error, so the
// template and the typed options cannot drift apart silently. nginx itself never uses `{{`.

export type TemplateView = Readonly<Record<string, string | number | boolean>>

const SECTION = /[ \t]*\{\{([#^])\s*([A-Za-z]\w*)\s*\}\}\n?([\s\S]*?)[ \t]*\{\{\/\s*\2\s*\}\}\n?/g
const VALUE = /\{\{\s*([A-Za-z]\w*)\s*\}\}/g

function lookup (view: TemplateView, name: string): string | number | boolean {
  if (!Object.hasOwn(view, name)) throw new Error(`template placeholder {{${name}}} has no value: add it to the view`)
  return view[name]!
}

function truthy (value: string | number | boolean): boolean {
  return value !== false && value !== ''
}

export function renderTemplate (template: string, view: TemplateView): string {
  let text = template
  // Outermost sections first: a dropped block takes its inner ones with it, a kept body is
  // scanned again on the next pass. (A section may not nest inside one of the same name.)
  for (let previous = ''; previous !== text;) {
    previous = text
    text = text.replace(SECTION, (_match, kind: string, name: string, body: string) =>
      truthy(lookup(view, name)) === (kind === '#') ? body : '')
  }
  const rendered = text.replace(VALUE, (_match, name: string) => String(lookup(view, name)))
  const leftover = /\{\{[^}]*\}\}/.exec(rendered)
  if (leftover !== null) throw new Error(`template has an unbalanced or malformed tag: ${leftover[0]}`)
  return rendered
}
