/**
 * The sample behind `npm start`: a small polka service whose every request is a task
 * (`requestTracker`), its service methods marking phases with `@Status`, with its process list
 * served next to it. Try, while it runs:
 *   curl 'localhost:3000/work?ms=30000&steps=6' &   # a slow request (Ctrl-C on it kills its task)
 *   curl localhost:8081/procs/                       # see it
 *   curl -X DELETE localhost:8081/procs/<id> -d '{"message":"too slow"}'
 *   curl -X DELETE 'localhost:8081/procs/?name=GET%20/work'   # every /work request at once
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import polka from "polka";
import { CancelError, ProcessManager, Status, Tracked, currentTask, requestTracker, serve, type ServedApi } from "../lib";
import { container } from "tsyringe";

type Request = IncomingMessage & { query: Record<string, string | string[] | undefined>; params: Record<string, string> };

/** Waits `ms`, unless the current task is killed first: the signal makes the wait end at once. */
function pause(ms: number): Promise<void> {
  return sleep(ms, undefined, { signal: currentTask()?.signal });
}

/**
 * The service's business logic. It knows nothing of HTTP: each request is already a task, and
 * the `@Status` methods mark its phases; the `@Tracked` query is a child task of the request.
 */
export class WorkService {
  // Held here so tracked calls report to this manager (a test passes its own).
  constructor(readonly manager: ProcessManager) {}

  /** A job of about `ms` milliseconds in `steps` steps, each a status; abortable at any time. */
  async work(ms: number, steps: number): Promise<{ steps: number; ms: number }> {
    for (let i = 1; i <= steps; i++) await this.step(i, steps, ms / steps);
    return { steps, ms };
  }

  async user(id: string): Promise<{ id: string; name: string }> {
    await this.authenticate();
    const name = await this.query(id);
    return this.render(id, name);
  }

  @Status((i: number, n: number) => `step ${i}/${n}`)
  private async step(_i: number, _n: number, ms: number): Promise<void> {
    await pause(ms);
  }

  @Status("authenticating")
  private async authenticate(): Promise<void> {
    await pause(5);
  }

  @Tracked({ name: "UserRepository.find" })
  @Status((id: string) => `querying users for ${id}`)
  private async query(id: string): Promise<string> {
    await pause(20);
    return `user ${id}`;
  }

  @Status("rendering")
  private render(id: string, name: string): { id: string; name: string } {
    return { id, name };
  }
}

/** The sample's two servers. */
export interface Sample {
  /** The service, e.g. http://127.0.0.1:3000 */
  url: string;
  api: ServedApi;
  close(): Promise<void>;
}

export interface SampleOptions {
  host?: string;
  port?: number;
  apiPort?: number;
  manager?: ProcessManager;
}

/** Starts the service and its API; both default to loopback. */
export async function startSample(options: SampleOptions = {}): Promise<Sample> {
  const { host = "127.0.0.1", port = 3000, apiPort = 8081 } = options;
  const manager = options.manager ?? container.resolve(ProcessManager);
  const service = new WorkService(manager);
  const app = polka({ onNoMatch: (_req, res) => reply(res, 404, { error: "not found; try /work?ms=5000&steps=5 or /users/42" }) });
  // First, so every request is a task and the handlers run inside it; named by its route (`GET /users/:id`), else its method.
  app.use(requestTracker({ manager }));
  app.get("/work", (req, res) => {
    const ms = intParam((req as Request).query.ms, 1000, 0, 3_600_000);
    const steps = intParam((req as Request).query.steps, 5, 1, 1000);
    if (ms === undefined || steps === undefined) return reply(res, 400, { error: "ms must be 0 to 3600000 and steps 1 to 1000" });
    answer(res, service.work(ms, steps));
  });
  app.get("/users/:id", (req, res) => answer(res, service.user((req as Request).params.id)));
  const server = app.listen(port, host).server!;
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  // The API's port may be taken: then close the service too, rather than leave it listening.
  const api = await serve({ host, port: apiPort, manager }).catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    api,
    close: async () => {
      server.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(resolve)), api.close()]);
    },
  };
}

/**
 * Sends a task's result, or its failure. A killed request was answered already (503 with the
 * kill message, by the tracker); this 503 answers when only a child task, such as the query, was killed.
 */
function answer(res: ServerResponse, result: Promise<unknown>): void {
  result.then(
    (value) => reply(res, 200, value),
    (error: unknown) => {
      const cancel = error instanceof CancelError ? error : (error as { cause?: unknown })?.cause;
      if (cancel instanceof CancelError) reply(res, 503, { error: cancel.reason === undefined ? "killed" : `killed: ${cancel.reason}` });
      else reply(res, 500, { error: String(error) });
    },
  );
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) }).end(json);
}

function intParam(value: string | string[] | undefined, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? n : undefined;
}

function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`invalid ${name} ${JSON.stringify(value)}: must be a port number`);
  return port;
}

if (require.main === module) {
  // Inside the chain, so a bad PORT is one line on stderr rather than a stack trace.
  Promise.resolve()
    .then(() => startSample({ port: envPort("PORT", 3000), apiPort: envPort("PROCLIST_PORT", 8081) }))
    .then(
      (sample) => {
        console.log(`service:      ${sample.url}   (try ${sample.url}/work?ms=20000&steps=4)`);
        console.log(`process list: ${sample.api.url}/procs/`);
        console.log(`web page:     ${sample.api.url}/`);
        // The API reads PROCLIST_TOKEN itself; say so, or every curl above answers 401.
        if (process.env.PROCLIST_TOKEN)
          console.log(`token:        required (PROCLIST_TOKEN): curl -H "Authorization: Bearer $PROCLIST_TOKEN" ${sample.api.url}/procs/`);
        const stop = () => void sample.close().then(() => process.exit(0));
        process.once("SIGINT", stop).once("SIGTERM", stop);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        const busy = /EADDRINUSE/.test(message)
          ? "; is another sample running? PORT and PROCLIST_PORT choose other ports, e.g. PORT=3001 PROCLIST_PORT=8082 npm start"
          : "";
        console.error(message + busy);
        process.exit(1);
      },
    );
}
