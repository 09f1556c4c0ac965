import { expect } from "chai";
import type { ProcessManager, ServedApi } from "../../lib";
import { waitFor } from "../helpers";
import { EventStream } from "../http/event-stream";
import { fleetPerSpec } from "./in-process";

describe("serveFleet: GET /procs/events with Last-Event-ID", function () {
  this.timeout(60_000);
  let api: ServedApi;
  let pm: ProcessManager;
  const streams: EventStream[] = [];
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  fleetPerSpec("replay", (fleet) => ({ pm, api } = fleet));
  const open = async (headers: Record<string, string> = {}) => {
    const stream = await EventStream.open(api, "/procs/events", headers);
    streams.push(stream);
    return stream;
  };

  it("gives a client coming back with its last id the events relayed meanwhile, with fleet ids, in order", async () => {
    const first = await open();
    const task = pm.start("t");
    // The instance relays once it hears the fleet API listens: until then its events are not sent.
    await waitFor("the instance to relay", () => (task.status("warm"), first.messages.length > 0));
    first.close();
    const seen = first.messages;
    for (let i = 1; i <= 5; i++) task.status(`step ${i}`);
    pm.done("t");
    const again = await open({ "last-event-id": seen[seen.length - 1].id! });
    await again.waitFor((s) => s.messages.some((m) => m.event === "done"), 20_000);
    const replayed = again.messages;
    expect(replayed.filter((m) => seen.some((s) => s.id === m.id))).to.deep.equal([]);
    expect(replayed.filter((m) => m.data.status !== "warm").map((m) => `${m.event} ${m.data.id} ${m.data.status}`)).to.deep.equal([
      "status i1/t step 1",
      "status i1/t step 2",
      "status i1/t step 3",
      "status i1/t step 4",
      "status i1/t step 5",
      "done i1/t ended",
    ]);
    expect(new Set(replayed.map((m) => m.id)).size).to.equal(replayed.length);
  });

  it("sends a reset to a client whose id the fleet API never gave (it restarted)", async () => {
    const stream = await open({ "last-event-id": "old.40" });
    await stream.waitFor((s) => s.messages.length === 1);
    expect(stream.messages[0]).to.deep.include({ event: "reset" });
  });
});
