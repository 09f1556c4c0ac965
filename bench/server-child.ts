import type { CaseOptions, Figures } from "./cases/case";

/**
 * Starts one benchmark server in this fresh process, sends the runner what it needs to load it
 * (ports), and lives until the runner disconnects.
 */
async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const options = JSON.parse(json) as CaseOptions;
  const mod = require(`./servers/${name}`) as { start(options: CaseOptions): Promise<Figures> };
  process.on("disconnect", () => process.exit(0));
  process.on("message", (message) => {
    if (message !== "cpu") return;
    const usage = process.cpuUsage();
    process.send!({ cpu: usage.user + usage.system });
  });
  process.send!(await mod.start(options));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
