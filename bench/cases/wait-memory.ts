import { ProcessManager } from "../../lib";
import type { CaseOptions, Figures } from "./case";

/**
 * Heap of 10,000 live tasks, each with a fetch hanging on a local upstream that never answers
 * (variant `on@<port>` / `off@<port>`: waits recorded or not). The difference between the two,
 * per task, is what the wait state costs; every fetch is on its own connection either way.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const [mode, port] = String(options.variant).split("@");
  const tasks = options.quick ? 200 : 10_000;
  const manager = new ProcessManager({ waits: mode === "on" });
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      global.gc!();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await settle();
  const before = process.memoryUsage().heapUsed;
  const url = `http://127.0.0.1:${port}/hang?token=abc`;
  for (let i = 0; i < tasks; i++) manager.run(() => fetch(url).catch(() => undefined), { name: "hanging" });
  // Every request on its connection (the upstream holds them): then each fetch is as far as it goes.
  let waiting = 0;
  for (let round = 0; round < 600; round++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    waiting = 0;
    for (const task of manager.tasks()) if (task.waits !== undefined) waiting++;
    if (mode !== "on" || waiting === tasks) break;
  }
  await new Promise((resolve) => setTimeout(resolve, mode === "on" ? 200 : 3000));
  await settle();
  const after = process.memoryUsage().heapUsed;
  return { tasks, waiting, heapPerTaskBytes: (after - before) / tasks };
}
