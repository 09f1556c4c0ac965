import type { WireLoop, WireProfile } from "../../wire/shapes";
import { ApiError, type Api } from "./api";
import { el } from "./dom";
import { mayProfile } from "./rights";
import { formatDuration } from "./time";

/** What `GET /procs/profile` answers: one server's table, or a fleet's side by side. */
interface ProfileAnswer {
  profile?: WireProfile;
  profiles?: { instance: string; profile?: WireProfile; status?: number; error?: string }[];
}

/**
 * The Profile button and its table: profiles the server's CPU (every instance's, under
 * serveFleet) for the seconds chosen and shows the CPU time and share per task name, and the share
 * outside any task, then the busiest tasks. The button waits while a profile runs.
 */
export class ProfilePanel {
  constructor(
    private readonly api: Api,
    private readonly button: HTMLButtonElement,
    private readonly seconds: HTMLSelectElement,
    private readonly state: HTMLElement,
    private readonly rows: HTMLTableSectionElement,
  ) {
    button.addEventListener("click", () => void this.run());
  }

  /** Offers the button (and its seconds) only to a token that may profile; called whenever the rights were read. */
  showRights(): void {
    this.button.hidden = this.seconds.hidden = !mayProfile();
  }

  private async run(): Promise<void> {
    const seconds = Number(this.seconds.value);
    this.button.disabled = true;
    this.state.textContent = `profiling for ${seconds} s…`;
    try {
      const answer = await this.api.get<ProfileAnswer>(`procs/profile?seconds=${seconds}`);
      const tables = answer.profiles ?? [{ instance: "", profile: answer.profile }];
      this.rows.replaceChildren(...tables.flatMap((entry) => this.entryRows(entry.instance, entry.profile, entry.error)));
      this.state.textContent = `profiled ${seconds} s`;
    } catch (error) {
      this.state.textContent = error instanceof ApiError ? error.message : String(error);
    } finally {
      this.button.disabled = false;
    }
  }

  private entryRows(instance: string, profile: WireProfile | undefined, error: string | undefined): HTMLTableRowElement[] {
    const where = instance === "" ? "" : `${instance}: `;
    if (profile === undefined) return [row("error", `${where}${error ?? "no profile"}`, "", "", "")];
    const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
    return [
      ...profile.names.map((name) => row("name", where + name.name, formatDuration(name.cpuMs), pct(name.share), String(name.tasks))),
      row("outside", `${where}(outside any task)`, formatDuration(profile.outside.cpuMs), pct(profile.outside.share), ""),
      ...profile.tasks
        .slice(0, 5)
        .map((task) => row("task", `${where}task ${task.id} (${task.name})`, formatDuration(task.cpuMs), pct(task.share), "")),
    ];
  }
}

function row(kind: string, label: string, cpu: string, share: string, tasks: string): HTMLTableRowElement {
  const tr = el("tr", kind);
  tr.dataset.kind = kind;
  tr.append(el("td", "name", label), el("td", "num", cpu), el("td", "num", share), el("td", "num", tasks));
  return tr;
}

/**
 * The header's event-loop figure: delay p50/p99/max over the last minute. Its tooltip repeats the
 * figures (a narrow window cuts the text) and names the last block.
 */
export function showLoop(node: HTMLElement, loop: WireLoop | undefined): void {
  node.hidden = loop === undefined;
  if (loop === undefined) return;
  const { p50, p99, max } = loop.delayMs;
  const figures = `p50 ${formatDuration(p50)} · p99 ${formatDuration(p99)} · max ${formatDuration(max)}`;
  node.textContent = `event loop ${figures}`;
  node.dataset.state = max >= 200 ? "blocked" : p99 >= 50 ? "slow" : "ok";
  const last = loop.recentBlocks[loop.recentBlocks.length - 1];
  node.title =
    `The event loop's delay over the last minute: ${figures}` +
    (last === undefined
      ? ""
      : `; last block ${formatDuration(last.ms)}${last.name === undefined ? " (no task could be tied to it)" : ` by ${last.name} (task ${last.id})`}`);
}
