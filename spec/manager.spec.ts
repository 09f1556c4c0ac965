import { expect } from "chai";
import { ProcessManager } from "../lib";

describe("ProcessManager", () => {
  it("starts a task whose history begins with init", () => {
    const pm = new ProcessManager();
    pm.start("a");
    expect(pm.history("a").map((e) => e.status)).to.deep.equal(["init"]);
  });
});
