import type { AuditEntry } from "../../audit/entry";
import type { WireAuditList } from "../../wire/shapes";
import { ApiError, type Api } from "./api";
import { el, setText } from "./dom";
import { mayAudit } from "./rights";
import { formatClock, parseTime } from "./time";

/** Entries shown: the newest, as `GET /audit?limit=` asks for them. */
const SHOWN = 50;
/** Kill events in a burst cost one read: it waits this long after the first. */
const SOON_MS = 300;

export interface AuditDom {
  panel: HTMLElement;
  rows: HTMLTableSectionElement;
  count: HTMLElement;
  empty: HTMLElement;
  refresh: HTMLButtonElement;
}

/**
 * The audit panel: the newest kills, forced kills, kills by filter and refusals (`GET /audit`),
 * with when, who, what and how it ended. Shown only where `/whoami` says the token has the
 * `audit` right; a narrow screen leaves out the who column (the row's tooltip says it). Everything in an entry is
 * the server's text, written as text, never as markup. Read at start, after a token change, soon
 * after a kill event, with the page's periodic reads and on Refresh.
 */
export class AuditPanel {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading = false;

  constructor(
    private readonly api: Api,
    private readonly dom: AuditDom,
  ) {
    dom.refresh.addEventListener("click", () => void this.refresh());
  }

  /** A kill happened somewhere: read again shortly (a burst of kills costs one read). */
  soon(): void {
    if (mayAudit() !== true) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, SOON_MS);
  }

  async refresh(): Promise<void> {
    // Unknown rights (no token yet, or a server without /whoami, which has no audit either): nothing asked.
    if (mayAudit() !== true) {
      this.dom.panel.hidden = true;
      return;
    }
    if (this.reading) return;
    this.reading = true;
    try {
      const answer = await this.api.get<WireAuditList>(`audit?limit=${SHOWN}`);
      this.show(Array.isArray(answer.entries) ? answer.entries : []);
      this.dom.panel.hidden = false;
    } catch (error) {
      // The token changed meanwhile and may not read it: no panel. Anything else is said in it.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) this.dom.panel.hidden = true;
      else setText(this.dom.count, `not read: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.reading = false;
    }
  }

  private show(entries: AuditEntry[]): void {
    this.dom.rows.replaceChildren(...entries.filter((e) => e !== null && typeof e === "object").map(entryRow));
    setText(this.dom.count, entries.length === 0 ? "" : `the newest ${entries.length}`);
    this.dom.empty.hidden = entries.length !== 0;
  }
}

/** One entry as a row: when, who, what was asked (and with which message), and how it ended. */
function entryRow(entry: AuditEntry): HTMLTableRowElement {
  const tr = el("tr", `audit-${text(entry.outcome)}`);
  tr.dataset.outcome = text(entry.outcome);
  const at = parseTime(text(entry.ts));
  const when = el("td", "num when", Number.isFinite(at) ? formatClock(at) : text(entry.ts));
  when.title = text(entry.ts);
  const who = el("td", "who", text(entry.by));
  const how = [entry.token === undefined ? "" : `token ${text(entry.token)}`, entry.peer === undefined ? "" : `from ${text(entry.peer)}`]
    .filter((t) => t !== "")
    .join(", ");
  who.title = how;
  tr.title = `by ${text(entry.by)}${how === "" ? "" : ` (${how})`}`;
  const what = el("td", "what", whatText(entry));
  const outcome = el("td", "outcome-cell");
  const badge = el("span", `outcome ${text(entry.outcome) === "cancelled" ? "killed" : "aborted"}`, text(entry.outcome));
  outcome.append(badge);
  if (entry.error !== undefined) outcome.title = `${text(entry.status)}: ${text(entry.error)}`;
  tr.append(when, who, what, outcome);
  return tr;
}

/** `force payments-7 (Payments.charge) “stuck” · request, ignored` or `kill-where name=Report.* → 3 cancelled, 1 refused`. */
function whatText(entry: AuditEntry): string {
  let out = text(entry.action);
  if (entry.id !== undefined) out += ` ${text(entry.id)}${entry.name === undefined ? "" : ` (${text(entry.name)})`}`;
  if (entry.filter !== undefined && entry.filter !== null && typeof entry.filter === "object") {
    out += ` ${Object.entries(entry.filter)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.map(text).join("|") : text(v)}`)
      .join(" ")}`;
    const cancelled = Array.isArray(entry.cancelled) ? entry.cancelled.length : 0;
    const refused = Array.isArray(entry.refused) ? entry.refused.length : 0;
    out += ` → ${cancelled} cancelled${refused === 0 ? "" : `, ${refused} refused`}`;
  }
  if (entry.message !== undefined) out += ` “${text(entry.message)}”`;
  if (Array.isArray(entry.rungs) && entry.rungs.length > 0) out += ` · ${entry.rungs.map(text).join(", ")}`;
  if (entry.error !== undefined) out += ` · ${text(entry.error)}`;
  return out;
}

/** A field as text: the audit is read from a server (a fleet's from Redis), so no field's type is taken on trust. */
function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
}
