import { Command, InvalidArgumentError, Option } from "commander";
import { ProclistClient } from "../client/client";
import { DEFAULT_ENDPOINT, parseEndpoints, type Endpoint } from "../client/endpoint";

/** The options every command takes. */
export interface ConnectionOptions {
  endpoint: string[];
  token?: string;
  timeout: number;
}

/** One endpoint and its client. */
export interface Target {
  endpoint: Endpoint;
  client: ProclistClient;
}

/** Adds `-e/--endpoint` (repeatable, comma lists), `--token` (or PROCLIST_TOKEN) and `--timeout`. */
export function withConnection(command: Command): Command {
  return command
    .addOption(new Option("-e, --endpoint <endpoints>", "host:port or URL of a proclist API; repeat it or give a comma list").default([], DEFAULT_ENDPOINT).argParser(collect))
    .addOption(new Option("--token <token>", "bearer token for servers started with one").env("PROCLIST_TOKEN"))
    .addOption(new Option("--timeout <ms>", "give up on a request after this many ms").default(5000).argParser(positiveInt));
}

/** Clients for the endpoints asked for; a malformed endpoint is a usage error. */
export function connect(options: ConnectionOptions): Target[] {
  let endpoints: Endpoint[];
  try {
    endpoints = parseEndpoints(options.endpoint);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  // An empty PROCLIST_TOKEN means none, as shells often export empty variables.
  const token = options.token === "" ? undefined : options.token;
  return endpoints.map((endpoint) => ({ endpoint, client: new ProclistClient(endpoint, { token, timeoutMs: options.timeout }) }));
}

/** What each endpoint answered: a value (and when it arrived, `performance.now()`) or the error, in the order the endpoints were given. */
export type Outcome<T> = { target: Target; ok: true; value: T; at: number } | { target: Target; ok: false; error: unknown };

/** Asks every endpoint at once and waits for all of them: one slow or dead endpoint costs one timeout, not one each. */
export function askAll<T>(targets: Target[], ask: (client: ProclistClient) => Promise<T>): Promise<Outcome<T>[]> {
  return Promise.all(
    targets.map((target) =>
      ask(target.client).then(
        (value): Outcome<T> => ({ target, ok: true, value, at: performance.now() }),
        (error: unknown): Outcome<T> => ({ target, ok: false, error }),
      ),
    ),
  );
}

/** commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** commander's parser for a positive whole number; anything else is a usage error quoting the value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}
