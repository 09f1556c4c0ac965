/**
 * The width in px of each of `texts` laid out as the content of an element like `like` (same
 * classes, so the same font), padding included: measured in a hidden copy put beside it, since a
 * canvas may resolve a generic font family (ui-monospace) to another face than the page does.
 */
export function laidOutWidths(like: HTMLElement, texts: readonly string[]): number[] {
  const probe = like.cloneNode() as HTMLElement;
  probe.style.cssText = "position: absolute; visibility: hidden; width: auto; max-width: none; min-width: 0";
  (like.parentElement ?? document.body).append(probe);
  const widths = texts.map((text) => {
    probe.textContent = text;
    return probe.getBoundingClientRect().width;
  });
  probe.remove();
  return widths;
}

/**
 * `text` cut in the middle to at most `chars` characters, the end kept longer than the start:
 * `sample-2/4` in 8 is `sam…-2/4`, so ids that share a prefix (a fleet's instance) stay told apart.
 */
export function cutMiddle(text: string, chars: number): string {
  if (text.length <= chars) return text;
  if (chars <= 1) return "…";
  const tail = Math.ceil((chars - 1) / 2);
  return `${text.slice(0, chars - 1 - tail)}…${text.slice(text.length - tail)}`;
}
