import type { CaseOptions, Figures } from "./cases/case";

/**
 * Runs one case in this fresh process and sends its figures to the runner: a case never shares a
 * heap, a JIT state or async hooks with another.
 */
async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const options = JSON.parse(json) as CaseOptions;
  const mod = require(`./cases/${name}`) as { run(options: CaseOptions): Promise<Figures> };
  const figures = await mod.run(options);
  // Exit at once: timers a case left behind (a tracer's batch flush) must not hold the run up.
  process.send!(figures, () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
