// A process serving proclist's API with two tasks burning 30 % and 70 % of its CPU, for specs
// that profile a process other than their own. Prints its port on stdout; stops on stdin's end.
import { ProcessManager, serve } from "../../lib";
import { burners } from "./burners";

async function main(): Promise<void> {
  const manager = new ProcessManager();
  const api = await serve({ port: 0, manager });
  const stop = burners(manager, { "Burn.thirty": 3, "Burn.seventy": 7 });
  process.stdout.write(`${api.port}\n`);
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await stop();
    await api.close();
    process.exit(0);
  });
}

void main();
