import { resolveNodes } from "./nodes";
import { wrk } from "./load";
import { runCase, startServer, useNodeBinary } from "./spawn";

/**
 * What recording waits costs, under each Node release given (`--nodes=24,20,26`, default the
 * running one): a service whose every request makes one fetch, waits on against waits off in
 * alternating fresh processes (`--pairs=`, default 3; `--seconds=` of wrk per run, default 8),
 * the CPU one fetch's wait adds on its own (a figure a loaded machine moves far less than req/s),
 * and the heap of 10,000 tasks each with a hanging fetch, on against off.
 *
 *   npm run build && node dist/bench/waits.js --nodes=24,20,26
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const nodes = resolveNodes(arg("nodes", process.versions.node.split(".")[0]).split(","));
  const pairs = Number(arg("pairs", "3"));
  const seconds = Number(arg("seconds", "8"));
  const quick = process.argv.includes("--quick");
  for (const node of nodes) {
    useNodeBinary(node.path);
    const upstream = await startServer("upstream", { quick });
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const lines: string[] = [];
    try {
      for (let i = 0; i < pairs; i++) {
        // Alternating which goes first, so a drift of the machine's load falls on both alike.
        const order = i % 2 === 0 ? ["on", "off"] : ["off", "on"];
        const rps: Record<string, number> = {};
        const cpu: Record<string, number> = {};
        for (const mode of order) {
          const service = await startServer("fetching", { quick, variant: `${mode}@${upstream.info.port}` });
          try {
            const url = `http://127.0.0.1:${service.info.port}/checkout`;
            await wrk(url, 16, 1); // warm-up: JIT, connections to the upstream
            const cpuBefore = await service.cpu();
            const result = await wrk(url, 16, quick ? 1 : seconds);
            if (result.errors > 0) throw new Error(`${result.errors} failed requests with waits ${mode}`);
            rps[mode] = result.rps;
            // The service's CPU time per request: what a loaded machine's scheduling moves least.
            cpu[mode] = ((await service.cpu()) - cpuBefore) / result.requests;
          } finally {
            await service.stop();
          }
        }
        ratios.push(rps.on / rps.off);
        cpuRatios.push(cpu.off / cpu.on);
        lines.push(
          `pair ${i + 1} (${order.join(" then ")}): on ${rps.on.toFixed(0)} req/s ${cpu.on.toFixed(0)} µs CPU/req, off ${rps.off.toFixed(0)} req/s ${cpu.off.toFixed(0)} µs CPU/req; req/s on/off ${((100 * rps.on) / rps.off).toFixed(1)} %, CPU off/on ${((100 * cpu.off) / cpu.on).toFixed(1)} %`,
        );
      }
    } finally {
      await upstream.stop();
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const cpuSorted = [...cpuRatios].sort((a, b) => a - b);
    console.log(`\nNode ${node.version}: one fetch per request, waits on vs off (wrk -t1 -c16 -d${seconds}s, fresh processes)`);
    for (const line of lines) console.log(`  ${line}`);
    console.log(
      `  req/s on/off median ${(100 * median).toFixed(1)} %, spread ${(100 * sorted[0]).toFixed(1)}–${(100 * sorted[sorted.length - 1]).toFixed(1)} %`,
    );
    console.log(
      `  throughput kept by CPU per request (off/on) median ${(100 * cpuSorted[Math.floor(cpuSorted.length / 2)]).toFixed(1)} %, spread ${(100 * cpuSorted[0]).toFixed(1)}–${(100 * cpuSorted[cpuSorted.length - 1]).toFixed(1)} %`,
    );

    const cost = await runCase("wait-cost", { quick });
    console.log(
      `  CPU of one fetch's wait on its own (undici's create + trailers messages in a task, alternating rounds): waits on ${cost.onNs.toFixed(0)} ns, off ${cost.offNs.toFixed(0)} ns: ${cost.addedNs.toFixed(0)} ns added per request`,
    );

    const hold = await startServer("upstream", { quick, variant: "hold" });
    try {
      const memory: Record<string, { heapPerTaskBytes: number; waiting: number; tasks: number }> = {};
      for (const mode of ["off", "on"])
        memory[mode] = (await runCase("wait-memory", { quick, variant: `${mode}@${hold.info.port}` })) as never;
      console.log(
        `  heap per task with a hanging fetch: waits off ${memory.off.heapPerTaskBytes.toFixed(0)} B, on ${memory.on.heapPerTaskBytes.toFixed(0)} B (${memory.on.waiting} of ${memory.on.tasks} tasks waiting): wait state ${(memory.on.heapPerTaskBytes - memory.off.heapPerTaskBytes).toFixed(0)} B per task`,
      );
    } finally {
      await hold.stop();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
