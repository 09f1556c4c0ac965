import { Api } from "./api";
import { CancelDialog } from "./cancel-dialog";
import { LiveConnection, type ConnectionState } from "./connection";
import { byId, setText } from "./dom";
import { FinishedTable } from "./finished-table";
import { FrameScheduler } from "./frame";
import { LiveTable } from "./live-table";
import { StatsTable } from "./stats-table";
import { Change, Store } from "./store";
import { Timeline } from "./timeline";
import { TokenDialog } from "./token-dialog";

/** Redraw ages and growing bars this often; nothing is fetched on a timer. */
const TICK_MS = 1000;

const api = new Api(location);
const store = new Store();
const frame = new FrameScheduler(draw);
const invalidate = () => frame.request();
let tick = false;

const timeline = new Timeline(api, store, { title: byId("timeline-title"), facts: byId("timeline-facts"), bars: byId("timeline-bars"), hint: byId("timeline-hint") }, invalidate);
const select = (id: string) => {
  table.selected = id;
  void timeline.show(id);
};
const cancelDialog = new CancelDialog(api, store, notify);
const table = new LiveTable(
  store,
  { scroller: byId("live-scroller"), rows: byId("live-rows"), header: byId("live-header"), filter: byId<HTMLInputElement>("filter"), count: byId("live-count"), empty: byId("live-empty") },
  { select: (task) => select(task.id), cancel: (task) => cancelDialog.open(task), invalidate },
);
const finished = new FinishedTable(store, byId<HTMLTableSectionElement>("finished-rows"), byId("finished-count"), select);
const stats = new StatsTable(api, byId<HTMLTableSectionElement>("stats-rows"), invalidate);
const connection = new LiveConnection(api, store, {
  snapshot() {
    table.invalidate();
    finished.invalidate();
    stats.refresh();
    if (timeline.selected !== undefined) void timeline.show(timeline.selected);
  },
  event(event, change) {
    table.changed(change);
    timeline.event(event);
    if (change & Change.Finished) {
      finished.invalidate();
      stats.refresh();
    }
    if (change !== Change.None) invalidate();
  },
  state: showState,
});
const tokens = new TokenDialog(api, () => connection.restart());

function draw(): void {
  const now = store.now();
  table.draw(now, tick);
  timeline.draw(now, tick);
  finished.draw();
  stats.draw();
  tick = false;
}

function showState(state: ConnectionState): void {
  const badge = byId("connection");
  badge.dataset.state = state.kind;
  if (state.kind === "live") setText(badge, "live");
  else if (state.kind === "connecting") setText(badge, "connecting…");
  else if (state.kind === "retrying") setText(badge, `reconnecting in ${Math.round(state.inMs / 1000)} s`);
  else setText(badge, "token needed");
  badge.title = state.kind === "retrying" || state.kind === "token" ? state.reason : "";
  if (state.kind === "token") tokens.open(state.reason);
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function notify(text: string): void {
  const notice = byId("notice");
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.hidden = true), 6000);
}

byId("server").textContent = location.host;
setInterval(() => {
  tick = true;
  frame.request();
}, TICK_MS);
connection.start();
