/** What a key press asks `top` to do. */
export type Action =
  | "quit"
  | "up"
  | "down"
  | "pageUp"
  | "pageDown"
  | "home"
  | "end"
  | "kill"
  | "force"
  | "yes"
  | "sort"
  | "sortBack"
  | "slower"
  | "faster"
  | "pause"
  | "refresh"
  | "filter"
  | "history"
  | "help"
  | "back"
  | "other";

/** The keys, as `?` lists them on screen and `proclist top --help` prints them. */
export const KEYS: readonly (readonly [string, string])[] = [
  ["↑ ↓ PgUp PgDn Home End", "select a task"],
  ["Enter", "the selected task's history, in place (Enter or Esc to go back; ↑↓ scroll it, k kills that task)"],
  ["k", "kill the selected task: type an optional message (recorded in its history), Enter, then y"],
  ["K", "force-kill: as k, and if the task still runs after the grace (--grace, default 5s; none for a task already cancelling), force it"],
  ["/", "filter: id, name, status, endpoint or key=value attribute (Enter keeps it, Esc clears it)"],
  ["s / S", "next / previous sort: age, status age, id, name, status, endpoint"],
  ["+ / -", "longer / shorter refresh interval (250ms … 30s)"],
  ["p or space", "pause / resume refreshing"],
  ["r", "refresh now"],
  ["?", "this list (any key closes it)"],
  ["q or Ctrl-C", "quit"],
];

/** The key as Node's readline reports it (`emitKeypressEvents`). */
export interface Key {
  name?: string;
  ctrl?: boolean;
  sequence?: string;
}

/** Maps a key press to an action; letters are case-insensitive except S (sort backwards) and K (force-kill). */
export function actionOf(text: string | undefined, key: Key = {}): Action {
  if (key.ctrl === true) return key.name === "c" || key.name === "d" ? "quit" : "other";
  switch (key.name) {
    case "up":
      return "up";
    case "down":
      return "down";
    case "pageup":
      return "pageUp";
    case "pagedown":
      return "pageDown";
    case "home":
      return "home";
    case "end":
      return "end";
    case "escape":
      return "back";
    case "return":
    case "enter":
      return "history";
  }
  switch (text ?? key.sequence) {
    case "q":
    case "Q":
      return "quit";
    case "k":
      return "kill";
    case "K":
      return "force";
    case "y":
    case "Y":
      return "yes";
    case "s":
      return "sort";
    case "S":
      return "sortBack";
    case "+":
    case "=":
      return "slower";
    case "-":
    case "_":
      return "faster";
    case "p":
    case "P":
    case " ":
      return "pause";
    case "r":
    case "R":
      return "refresh";
    case "/":
      return "filter";
    case "?":
      return "help";
  }
  return "other";
}
