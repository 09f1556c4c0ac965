import { expect } from "chai";
import { ProcessManager } from "../../lib";
import { proclistMetrics, type MetricDef } from "../../lib/metrics/collectors";
import { EndCounts } from "../../lib/metrics/end-counts";
import { ExpositionWriter } from "../../lib/metrics/exposition";
import { ScrapeBuffer } from "../../lib/metrics/scrape-buffer";
import { generator } from "../helpers";

/** A manager with proclist's metrics on it, as `GET /metrics` has them. */
function metered(): { pm: ProcessManager; defs: MetricDef[] } {
  const pm = new ProcessManager();
  const counts = new EndCounts([0.001, 0.1, 10]);
  pm.extend(counts);
  return { pm, defs: proclistMetrics(pm, counts) };
}

describe("ExpositionWriter", () => {
  it("writes, scrape after scrape, exactly what a writer without any kept text writes (seeded changes of every kind)", () => {
    for (const seed of [1, 2, 3]) {
      const random = generator(seed);
      const { pm, defs } = metered();
      const writer = new ExpositionWriter();
      const unsent: [Buffer, string][] = [];
      const open = new Set<string>();
      for (let round = 0; round < 40; round++) {
        // Some names end tasks (through statuses old and new), some start one, some get a kill; names past the bound fold into (other).
        for (let k = random.int(30); k > 0; k--) {
          const name = `name-${random.int(random.chance(0.2) ? 1100 : 40)}`;
          const statuses = random.int(4);
          const fails = random.chance(0.1);
          try {
            pm.run(
              (task) => {
                for (let s = 0; s < statuses; s++) task.status(random.chance(0.1) ? `rare ${random.int(300)}` : `step ${s}`);
                if (fails) throw new Error("failed");
              },
              { name },
            );
          } catch (error) {
            if (!fails) throw error;
          }
        }
        // Tasks started in one round, killed or ended in a later one: a name's end with no start beside it.
        if (random.chance(0.4)) {
          const id = `t${round}`;
          pm.start(id, { name: `name-${random.int(random.chance(0.2) ? 1100 : 40)}` });
          open.add(id);
        }
        for (const id of open) {
          if (random.chance(0.1)) pm.kill(id, "stop", random.pick(["client", "10.0.0.1", "ops@127.0.0.1"]));
          else if (random.chance(0.2)) {
            pm.done(id);
            open.delete(id);
          }
        }
        const body = writer.write(defs);
        const fresh = new ExpositionWriter().write(defs);
        expect(body.toString(), `seed ${seed}, round ${round}`).to.equal(fresh.toString());
        // A body sent is written over later; one never said to be sent must stay as it was.
        if (random.chance(0.5)) writer.sent(body);
        else unsent.push([body, body.toString()]);
      }
      for (const [body, text] of unsent) expect(body.toString()).to.equal(text);
    }
  });

  it("shows a counter that moved in the very next scrape, also for a name folded into (other)", () => {
    const { pm, defs } = metered();
    const writer = new ExpositionWriter();
    for (let i = 0; i < 1001; i++) pm.run(() => i, { name: `name-${i}` });
    pm.start("a", { name: "name-7" });
    pm.start("b", { name: "name-3000" });
    const before = writer.write(defs).toString();
    expect(before).to.contain('proclist_tasks_total{name="name-5",outcome="ended"} 1\n');
    expect(before).to.contain('proclist_tasks_total{name="(other)",outcome="ended"} 1\n');
    expect(before).to.not.contain('name="name-1000"');
    expect(before).to.contain('proclist_tasks_running{name="name-7"} 1\n');
    expect(before).to.contain('proclist_tasks_running{name="(other)"} 1\n');
    // Ends without a start of the same name beside them, then ends of names already seen and of names folded.
    pm.done("a");
    pm.kill("b");
    pm.done("b", pm.get("b")!.cancel);
    pm.run(() => 0, { name: "name-5" });
    pm.run(() => 0, { name: "name-1000" });
    pm.run(() => 0, { name: "name-2000" });
    const after = writer.write(defs).toString();
    expect(after).to.contain('proclist_tasks_total{name="name-5",outcome="ended"} 2\n');
    expect(after).to.contain('proclist_task_duration_seconds_count{name="name-5",outcome="ended"} 2\n');
    expect(after).to.contain('proclist_tasks_total{name="(other)",outcome="ended"} 3\n');
    expect(after).to.contain('proclist_task_duration_seconds_count{name="(other)",outcome="ended"} 3\n');
    expect(after).to.contain('proclist_tasks_total{name="name-6",outcome="ended"} 1\n');
    expect(after).to.contain('proclist_tasks_running{name="name-7"} 0\n');
    expect(after).to.contain('proclist_tasks_total{name="name-7",outcome="ended"} 2\n');
    expect(after).to.contain('proclist_tasks_running{name="(other)"} 0\n');
    expect(after).to.contain('proclist_tasks_total{name="(other)",outcome="killed"} 1\n');
    expect(after).to.contain('proclist_kills_total{name="(other)",by_kind="code"} 1\n');
  });
});

describe("ScrapeBuffer.value()", () => {
  it("writes counts exactly and seconds to the microsecond, in a form Prometheus parses", () => {
    const cases: [number, string][] = [
      [0, "0"],
      [7, "7"],
      [1234567890123, "1234567890123"],
      [0.5, "0.5"],
      [1.000001, "1.000001"],
      [2.0000004, "2"],
      [12.3456789, "12.345679"],
      [-1.5, "-1.5"],
      [1e300, "1e+300"],
      [NaN, "NaN"],
      [Infinity, "+Inf"],
      [-Infinity, "-Inf"],
    ];
    for (const [value, text] of cases) {
      const out = new ScrapeBuffer(Buffer.alloc(64));
      out.value(value);
      expect(out.buffer.subarray(0, out.at).toString(), String(value)).to.equal(`${text}\n`);
    }
  });
});
