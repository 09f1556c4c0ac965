/** A new element with a class and text: the page builds its DOM by hand and never parses HTML strings. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== "") node.className = className;
  if (text !== "") node.textContent = text;
  return node;
}

/** An element of page.html by id; a missing one is a build mistake, so say which. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`page.html has no #${id}`);
  return node as T;
}

/** Sets text only when it changed: writing the same text still costs a DOM mutation. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Text from the server set inside a sentence of the page's, as a bidi isolate (FSI … PDI): an
 * override or embedding it holds (U+202E in a task id) then ends with it, instead of reversing
 * the rest of the sentence, so `Cancel requested for <id>: “<message>”` reads in its own order.
 */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/**
 * Text from the server as an element of its own inside the page's sentence: a `bdi`, so an
 * override it holds (U+202E in a task id) ends with it, as `isolate` does for plain text.
 */
export function bidi(text: string): HTMLElement {
  return el("bdi", "", text);
}
