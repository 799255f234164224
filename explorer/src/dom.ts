/**
 * The one way the explorer makes DOM: elements by name, attributes by `setAttribute`, and every
 * string as a Text node. Stored text (memories, events, ids) is data: it never reaches `innerHTML`,
 * so a memory that reads `<script>…</script>` shows as those characters and runs nothing.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  /** Attributes, set with `setAttribute` (values are strings; `true` sets an empty attribute). */
  readonly [attribute: string]: string | number | boolean | undefined | EventListener;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A `<time>` with the machine-readable value and a local, readable rendering. */
export function time(iso: string | undefined): HTMLElement | string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

/** A definition list from label/value pairs (values are text or nodes). */
export function details(rows: ReadonlyArray<readonly [string, Child]>): HTMLDListElement {
  return h(
    'dl',
    { class: 'fields' },
    ...rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value ?? '—')]),
  );
}

/** A labelled form control: the `<label for>` link is what screen readers and clicks rely on. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  const id = control.id || `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint && h('small', { id: hintId }, hint),
  );
}

export function select(
  name: string,
  options: ReadonlyArray<readonly [string, string]>,
  value = '',
): HTMLSelectElement {
  const element = h('select', { name });
  for (const [optionValue, text] of options) {
    const option = h('option', { value: optionValue }, text);
    if (optionValue === value) option.selected = true;
    element.append(option);
  }
  return element;
}

/** An internal link: hash routes, so a reload keeps the view and nothing but the route is in the URL. */
export function link(route: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: `#${route}` }, ...children);
}
