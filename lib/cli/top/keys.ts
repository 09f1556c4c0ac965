/** What a key press asks `top` to do. */
export type Action = "quit" | "up" | "down" | "pageUp" | "pageDown" | "home" | "end" | "kill" | "yes" | "sort" | "sortBack" | "slower" | "faster" | "pause" | "refresh" | "other";

/** The key as Node's readline reports it (`emitKeypressEvents`). */
export interface Key {
  name?: string;
  ctrl?: boolean;
  sequence?: string;
}

/** Maps a key press to an action; letters are case-insensitive except S (sort backwards). */
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
      return "other";
  }
  switch (text ?? key.sequence) {
    case "q":
    case "Q":
      return "quit";
    case "k":
    case "K":
      return "kill";
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
  }
  return "other";
}
