import { hashOf, taskOfHash } from "../task-link";
import { Api } from "./api";
import { CancelDialog } from "./cancel-dialog";
import { LiveConnection, type ConnectionState } from "./connection";
import { byId, setText } from "./dom";
import { FinishedTable } from "./finished-table";
import { FrameScheduler } from "./frame";
import { LiveTable } from "./live-table";
import { InstancesList } from "./instances-list";
import { StatsTable } from "./stats-table";
import { ProfilePanel, showLoop } from "./profile-panel";
import { AuditPanel } from "./audit-panel";
import { Change, Store } from "./store";
import { Timeline } from "./timeline";
import { TokenDialog } from "./token-dialog";
import { loadRights } from "./rights";

/** Redraw ages and growing bars this often; nothing is fetched on a timer. */
const TICK_MS = 1000;

const api = new Api(location);
const store = new Store();
const frame = new FrameScheduler(draw);
const invalidate = () => frame.request();
let tick = false;

const timeline = new Timeline(
  api,
  store,
  { title: byId("timeline-title"), facts: byId("timeline-facts"), bars: byId("timeline-bars"), hint: byId("timeline-hint") },
  invalidate,
);
// A kill answered (accepted or refused, a 403 among them): the audit has a new entry, and the
// token's rights are read again, since a refusal may be the first sign they changed.
const cancelDialog = new CancelDialog(api, store, notify, () => {
  audit.soon();
  void reloadRights();
});
const table = new LiveTable(
  store,
  {
    table: byId("live-table"),
    scroller: byId("live-scroller"),
    rows: byId("live-rows"),
    header: byId("live-header"),
    filter: byId<HTMLInputElement>("filter"),
    count: byId("live-count"),
    empty: byId("live-empty"),
  },
  { select: (task) => choose(task.id), cancel: (task, force) => cancelDialog.open(task.id, force), invalidate },
);
const finished = new FinishedTable(
  store,
  {
    body: byId<HTMLTableSectionElement>("finished-rows"),
    header: byId<HTMLTableRowElement>("finished-header"),
    scroll: byId("finished-rows").closest<HTMLElement>(".table-scroll")!,
    count: byId("finished-count"),
    empty: byId("finished-empty"),
    outcome: byId<HTMLSelectElement>("finished-outcome"),
    search: byId<HTMLInputElement>("finished-filter"),
  },
  (id) => choose(id),
);
// A gone instance's tasks stay in the running table, dimmed and marked (what it was doing when it
// went away is what the operator asks first), with no Cancel; one up again brings a fresh list.
const instances = new InstancesList(api, byId("instances"), byId("instances-list"), byId("instances-count"), (list) => {
  const { change, back } = store.markGone(list);
  if (back) connection.restart();
  else if (change !== Change.None) {
    table.changed(change);
    invalidate();
  }
});
const stats = new StatsTable(
  api,
  byId<HTMLTableSectionElement>("stats-rows"),
  byId<HTMLTableRowElement>("stats-header"),
  byId("stats-rows").closest<HTMLElement>(".table-scroll")!,
  invalidate,
  (loop) => showLoop(byId("loop"), loop),
);
const audit = new AuditPanel(api, {
  panel: byId("audit"),
  rows: byId<HTMLTableSectionElement>("audit-rows"),
  count: byId("audit-count"),
  empty: byId("audit-empty"),
  refresh: byId<HTMLButtonElement>("audit-refresh"),
});
// The event loop's delay changes without any task ending, and refusals send no event: read both
// again every 10 s while the tab is seen.
setInterval(() => {
  if (document.visibilityState !== "visible") return;
  stats.refresh();
  void audit.refresh();
}, 10_000);
const profile = new ProfilePanel(
  api,
  byId<HTMLButtonElement>("profile-button"),
  byId<HTMLSelectElement>("profile-seconds"),
  byId("profile-state"),
  byId<HTMLTableSectionElement>("profile-rows"),
);
const connection = new LiveConnection(api, store, {
  snapshot() {
    if (store.service !== undefined) instances.refresh();
    table.invalidate();
    finished.invalidate();
    stats.refresh();
    // A task shown only because it was the oldest, and no longer listed, gives way to the new oldest.
    if (timeline.selected !== undefined && !(timeline.automatic && !store.live.has(timeline.selected)))
      void timeline.show(timeline.selected, timeline.automatic);
  },
  event(event, change) {
    table.changed(change);
    if (event.type === "kill") audit.soon();
    timeline.event(event);
    if (change & Change.Finished) {
      finished.invalidate();
      stats.refresh();
    }
    if (change !== Change.None) invalidate();
  },
  state: showState,
});
const tokens = new TokenDialog(api, () => {
  connection.restart();
  void refreshRights();
});

/**
 * What the token may do decides whether Cancel and the audit are offered: read at start, after a
 * token change, on every reconnection of the stream (a server restarted with other tokens gives
 * the same token other rights) and after each kill.
 */
async function refreshRights(): Promise<void> {
  await reloadRights();
  void audit.refresh();
}

async function reloadRights(): Promise<void> {
  if (await loadRights(api)) table.refill();
  profile.showRights();
}

/** Whether the stream was live once: the first time, the rights read at start are current. */
let beenLive = false;

/** The task the URL selects (`#task=<id>`), live or finished; undefined = none chosen. */
let chosen: string | undefined;

/** A click chose a task: it goes in the URL, so the link opens it and Back returns to the one before. */
function choose(id: string | undefined): void {
  if (id === chosen) return;
  const url = id === undefined ? `${location.pathname}${location.search}` : hashOf(id);
  history.pushState(null, "", url);
  follow(false);
}

/** Shows what the URL selects; `reveal` scrolls it into view (a link or back/forward chose it). */
function follow(reveal: boolean): void {
  chosen = taskOfHash(location.hash);
  table.select(chosen, reveal);
  if (chosen !== undefined) void timeline.show(chosen);
  else timeline.clear();
  byId("copy-link").hidden = byId("timeline-close").hidden = chosen === undefined;
  invalidate();
}

/**
 * With nothing chosen, the timeline shows the oldest running task rather than an empty card. It
 * moves on to the next oldest at most once a tick, so a burst of endings costs one history fetch.
 */
function showOldest(): void {
  if (chosen !== undefined || !store.loaded || (!tick && timeline.selected !== undefined)) return;
  let oldest: { id: string; start: number } | undefined;
  // Not a gone instance's task: its history cannot be read any more.
  for (const task of store.live.values()) if (task.gone === undefined && (oldest === undefined || task.start < oldest.start)) oldest = task;
  if (oldest === undefined) {
    if (timeline.selected !== undefined && timeline.automatic && store.live.size === 0) timeline.clear();
  } else if (
    oldest.id !== timeline.selected &&
    (timeline.automatic || timeline.selected === undefined || !store.live.has(timeline.selected))
  ) {
    void timeline.show(oldest.id, true);
  }
}

function draw(): void {
  const now = store.now();
  showOldest();
  table.draw(now, tick);
  timeline.draw(now, tick);
  cancelDialog.draw(now, tick);
  finished.draw();
  stats.draw();
  tick = false;
}

function showState(state: ConnectionState): void {
  const badge = byId("connection");
  badge.dataset.state = state.kind;
  if (state.kind === "live") {
    setText(badge, "live");
    if (beenLive) void refreshRights();
    beenLive = true;
  } else if (state.kind === "connecting") setText(badge, "connecting…");
  else if (state.kind === "retrying") setText(badge, `reconnecting in ${Math.round(state.inMs / 1000)} s`);
  else setText(badge, "token needed");
  badge.title = state.kind === "retrying" || state.kind === "token" ? state.reason : "";
  if (state.kind === "token") tokens.open(state.reason);
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function notify(text: string): void {
  const notice = byId("notice");
  notice.textContent = text;
  notice.title = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.hidden = true), 6000);
}

async function copyLink(): Promise<void> {
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    notify(`Link copied: ${link}`);
  } catch {
    // No clipboard (a plain-http address other than localhost): the link is in the address bar.
    notify(`Copy the link from the address bar: ${link}`);
  }
}

byId("server").textContent = location.host;
byId("copy-link").addEventListener("click", () => void copyLink());
byId("timeline-close").addEventListener("click", () => choose(undefined));
addEventListener("popstate", () => follow(true));
addEventListener("hashchange", () => {
  if (taskOfHash(location.hash) !== chosen) follow(true);
});
addEventListener("keydown", (e) => {
  if (
    e.key === "Escape" &&
    chosen !== undefined &&
    document.querySelector("dialog[open]") === null &&
    !(e.target instanceof HTMLInputElement)
  )
    choose(undefined);
});
setInterval(() => {
  tick = true;
  frame.request();
}, TICK_MS);
follow(true);
connection.start();
void refreshRights();
