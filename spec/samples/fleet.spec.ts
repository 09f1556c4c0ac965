import { expect } from "chai";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { waitFor } from "../helpers";

const script = resolve(__dirname, "../../samples/fleet.js");

describe("the fleet sample (npm run fleet)", function () {
  this.timeout(90_000);

  it("starts Redis, three instances and the fleet page; a request on one instance shows in the fleet list", async () => {
    const env: Record<string, string | undefined> = { ...process.env, PORT: "0", PROCLIST_PORT: "0", PROCLIST_TOKEN: "" };
    delete env.REDIS_URL;
    const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    try {
      await waitFor("the sample's URLs", () => /fleet page: .*\n/.test(out), 60_000);
      const instance2 = /instance sample-2: (http:\/\/\S+)/.exec(out)![1];
      const api = /fleet API: +(http:\/\/\S+)\/procs\//.exec(out)![1];
      const work = fetch(`${instance2}/work?ms=60000&steps=2`).catch(() => undefined);
      const task = await waitFor("the request in the fleet list", async () => {
        const { procs } = (await (await fetch(`${api}/procs/`)).json()) as { procs: { id: string; instance: string }[] };
        return procs.find((p) => p.instance === "sample-2");
      });
      expect(task.id).to.match(/^sample-2\//);
      const { instances } = (await (await fetch(`${api}/instances`)).json()) as { instances: { instance: string; state: string }[] };
      expect(instances.map((i) => `${i.instance}:${i.state}`)).to.deep.equal(["sample-1:up", "sample-2:up", "sample-3:up"]);
      const killed = await fetch(`${api}/procs/${encodeURIComponent(task.id)}`, { method: "DELETE" });
      expect(killed.status).to.equal(200);
      await work;
    } finally {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    }
  });
});
