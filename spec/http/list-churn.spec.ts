import { expect } from "chai";
import type { ProcessManager, ServedApi, TaskInfo } from "../../lib";
import { generator } from "../helpers";
import { call, startApi } from "./http-helpers";

const NAMES = ["GET /a", "GET /b", "POST /c"];
const USERS = ["ann", "bob", "cy"];
const STATUSES = ["reading", "writing", "waiting"];

/** The queries checked after each burst of changes, with what each should answer, computed naively. */
const QUERIES: [string, (tasks: TaskInfo[]) => TaskInfo[]][] = [
  ["", (t) => t],
  ["?name=GET%20%2Fa", (t) => t.filter((p) => p.name === "GET /a")],
  ["?status=reading&status=waiting", (t) => t.filter((p) => p.status === "reading" || p.status === "waiting")],
  ["?attr.user=bob", (t) => t.filter((p) => p.attrs.user === "bob")],
  ["?attr.shape=%7B%22k%22%3A1%7D", (t) => t.filter((p) => JSON.stringify(p.attrs.shape) === '{"k":1}')],
  ["?sort=-statusTime", (t) => sortBy(t, (p) => -p.statusTime)],
  ["?sort=status&limit=5", (t) => sortBy(t, (p) => p.status).slice(0, 5)],
  ["?limit=5&sort=status", (t) => sortBy(t, (p) => p.status).slice(0, 5)],
  [
    "?sort=-id&name=GET%20%2Fb&limit=3",
    (t) =>
      sortBy(
        t.filter((p) => p.name === "GET /b"),
        (p) => p.id,
        true,
      ).slice(0, 3),
  ],
];

function sortBy(tasks: TaskInfo[], key: (t: TaskInfo) => number | string, descending = false): TaskInfo[] {
  const sign = descending ? -1 : 1;
  return tasks
    .map((task, i) => ({ task, i, k: key(task) }))
    .sort((a, b) => (a.k < b.k ? -sign : a.k > b.k ? sign : a.i - b.i))
    .map((x) => x.task);
}

/** The wire fields that change under churn, as the list should show them now. */
function expected(task: TaskInfo): Record<string, unknown> {
  return { id: task.id, name: task.name, status: task.status, attrs: task.attrs, cancelling: task.cancelling };
}

describe("the list caches under churn", () => {
  let api: ServedApi & { manager: ProcessManager };
  beforeEach(async () => (api = await startApi()));
  afterEach(() => api.close());

  for (const seed of [1, 2]) {
    it(`always answer the tasks as they are, whatever changed since the last answer (seed ${seed})`, async () => {
      const g = generator(seed);
      const pm = api.manager;
      let started = 0;
      // Enough tasks for several blocks of the cached list, so blocks are reused, split and rebuilt.
      for (; started < 150; started++)
        pm.start(`t${started}`, { name: g.pick(NAMES), attrs: { user: g.pick(USERS), shape: { k: g.int(2) } } });
      for (let round = 0; round < 25; round++) {
        for (let change = g.int(30); change > 0; change--) {
          const live = pm.list();
          const task = live.length === 0 ? undefined : live[g.int(live.length)];
          const what = g.int(10);
          if (what < 2 || task === undefined)
            pm.start(`t${started++}`, { name: g.pick(NAMES), attrs: { user: g.pick(USERS), shape: { k: g.int(2) } } });
          else if (what < 5 && !task.cancelling) pm.status(task.id, g.pick(STATUSES));
          else if (what < 6) pm.setAttribute(task.id, "user", g.pick(USERS));
          else if (what < 7) pm.setAttribute(task.id, "shape", { k: g.int(2) });
          else if (what < 8) pm.kill(task.id, "churn");
          else if (what < 9 || task.cancelling) pm.done(task.id);
        }
        const live = pm.list();
        for (const [query, select] of QUERIES) {
          const answer = await call(api, "GET", "/procs/" + query);
          expect(answer.status, query).to.equal(200);
          expect(Number(answer.headers["content-length"]), query).to.equal(Buffer.byteLength(answer.text));
          const shown = (answer.json.procs as Record<string, unknown>[]).map((p) => ({
            id: p.id,
            name: p.name,
            status: p.status,
            attrs: p.attrs,
            cancelling: p.cancelling,
          }));
          expect(shown, `round ${round}, ${query}`).to.deep.equal(select(live).map(expected));
        }
        const finished = await call(api, "GET", "/procs/finished?outcome=killed&sort=-id");
        expect(finished.json.finished.map((p: { id: string }) => p.id)).to.deep.equal(
          sortBy(
            pm.finished().filter((f) => f.outcome === "killed"),
            (f) => f.id,
            true,
          ).map((f) => f.id),
        );
      }
    });
  }
});
