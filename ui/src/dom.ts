// Tiny DOM helpers. Text is always set through text nodes, never innerHTML,
// and no inline styles are ever produced (the CSP forbids them): use classes.

export type Child = Node | string | number | null | undefined | false | Child[];

export type Attrs = {
  class?: string;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
  [attr: string]: unknown;
};

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Create an element. Boolean `true` sets an empty attribute, `false`/null/undefined omit it. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'on') {
        for (const [ev, fn] of Object.entries(value as Record<string, EventListener>)) {
          el.addEventListener(ev, fn);
        }
      } else if (key === 'style') {
        throw new Error('inline styles are forbidden by the CSP; use a class');
      } else if (value === true) {
        el.setAttribute(key, '');
      } else if (value !== false && value !== null && value !== undefined) {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Replace all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** Append children (same rules as {@link h}) to `parent`. */
export function add(parent: Element, ...children: Child[]): void {
  append(parent, children);
}
