import type { Command } from "commander";
import { TaskNotFoundError } from "../../core/errors";
import { askAll, connectFor, withConnection, type ConnectionOptions } from "../connect";
import { describeFailure, EXIT, NOT_KEPT, sayAt } from "../exit-codes";
import { historyJson, renderHistory, unlessOriginal, type Found } from "../history-view";
import { formatValue } from "../format";

interface HistoryOptions extends ConnectionOptions {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ proclist history req-42
  $ proclist history req-42 -e api1:8081,api2:8081   # asks both; prints where it is found
  $ proclist history req-42 --json

Works for live tasks and, on proclist servers, for recently finished ones.
Exit codes: 0 shown, 1 no endpoint has the task, 3 not found and an endpoint unreachable.`;

/** Defines `proclist history <id>` on its command, which the program made with its name and summary. */
export function registerHistory(command: Command): void {
  withConnection(command.argument("<id>", "task id"))
    .option("--json", "print JSON: entries with RFC 3339 times and the ms spent in each")
    .addHelpText("after", EXAMPLES)
    .action(async (id: string, options: HistoryOptions) => {
      process.exitCode = await history(id, options);
    });
}

async function history(shownId: string, options: HistoryOptions): Promise<number> {
  const { targets, id, unknown } = await connectFor(options, shownId);
  if (unknown !== undefined) {
    sayAt(unknown.where, `no such task: ${formatValue(JSON.stringify(shownId))} (${unknown.why})`);
    return EXIT.NOT_FOUND;
  }
  const answers = await askAll(targets, async (client): Promise<Omit<Found, "target">> => {
    const [timeline, task] = await Promise.all([client.history(id), client.task(id).catch(unlessOriginal)]);
    return { history: timeline, task };
  });
  const found: Found[] = [];
  let unreachable = false;
  for (const answer of answers) {
    if (answer.ok) found.push({ target: answer.target, ...answer.value });
    else if (!(answer.error instanceof TaskNotFoundError)) {
      unreachable = true;
      process.stderr.write(`proclist: ${describeFailure(answer.target.endpoint.label, answer.error)}\n`);
    }
  }
  if (found.length === 0) {
    // Only endpoints that answered 404 can say the task is not there: they are the ones named.
    const answered = answers.filter((a) => !a.ok && a.error instanceof TaskNotFoundError).map((a) => a.target.endpoint.label);
    if (answered.length > 0) sayAt(answered, `no such task: ${formatValue(JSON.stringify(shownId))} (${NOT_KEPT})`);
    return unreachable ? EXIT.UNREACHABLE : EXIT.NOT_FOUND;
  }
  if (options.json === true) {
    const out = found.map((f) => historyJson(shownId, f));
    process.stdout.write(JSON.stringify(found.length === 1 ? out[0] : out, null, 2) + "\n");
  } else {
    process.stdout.write(found.map((f) => renderHistory(id, f).join("\n")).join("\n\n") + "\n");
  }
  return unreachable ? EXIT.UNREACHABLE : EXIT.OK;
}
