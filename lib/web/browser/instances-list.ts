import type { Api } from "./api";
import { ApiError } from "./api";
import { el } from "./dom";
import { formatClock, parseTime } from "./time";

/** What `GET /instances` answers on a fleet API (`serveFleet`). */
export interface WireInstances {
  service: string;
  instances: { instance: string; state: "up" | "gone"; since: string; host?: string; pid?: number; tasks?: number }[];
}

/**
 * Instances come and go without task events: re-read the list this often, on a fleet only. The
 * fleet calls an instance gone as soon as its Redis connection drops, so a dead one is marked
 * here within about this long, before anyone clicks Cancel on what it was running.
 */
const REFRESH_MS = 1500;

/**
 * The instances of a fleet, each up or gone since when. Hidden on a single server, whose API has
 * no `/instances` (404): then it never asks again.
 */
export class InstancesList {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private single = false;

  constructor(
    private readonly api: Api,
    private readonly section: HTMLElement,
    private readonly list: HTMLElement,
    private readonly count: HTMLElement,
    /** Each answer, so the running table can mark the tasks of gone instances. */
    private readonly listed: (instances: WireInstances["instances"]) => void,
  ) {}

  refresh(): void {
    if (this.single) return;
    clearTimeout(this.timer);
    this.api.get<WireInstances>("instances").then(
      (answer) => {
        this.draw(answer);
        this.listed(answer.instances);
        this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
      },
      (error: unknown) => {
        if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
          this.single = true;
          this.section.hidden = true;
        } else this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
      },
    );
  }

  private draw(answer: WireInstances): void {
    this.section.hidden = false;
    const up = answer.instances.filter((i) => i.state === "up").length;
    this.count.textContent = `${answer.service}: ${up} up${up === answer.instances.length ? "" : `, ${answer.instances.length - up} gone`}`;
    this.list.replaceChildren(
      ...answer.instances.map((i) => {
        const item = el("li", `instance ${i.state}`);
        item.dataset.instance = i.instance;
        const state = i.state === "up" ? `up, ${i.tasks ?? 0} tasks` : `gone since ${formatClock(parseTime(i.since))}`;
        item.append(el("span", "name", i.instance), el("span", "state", state));
        if (i.host !== undefined) item.title = `${i.host}, pid ${i.pid}`;
        return item;
      }),
    );
  }
}
