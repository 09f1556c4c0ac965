import "reflect-metadata";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import polka from "polka";
import { Status, Tracked, requestTracker } from "../../lib";
import type { CaseOptions, Figures } from "../cases/case";

/** What a trivial endpoint does: read the request, "look up" a greeting, render it. */
class BareHello {
  async greet(req: IncomingMessage): Promise<string> {
    const who = this.parse(req);
    return this.render(who);
  }
  parse(req: IncomingMessage): string {
    return req.url!.length > 7 ? req.url!.slice(7) : "world";
  }
  render(who: string): string {
    return `{"hello":"${who}"}`;
  }
}

/** The same with `@Tracked` (method, uri and peer as attributes) and its phases as `@Status`. */
class TrackedHello {
  @Tracked({ name: "GET /hello", attrs: (req: IncomingMessage) => ({ method: req.method, uri: req.url, host: req.socket.remoteAddress }) })
  async greet(req: IncomingMessage): Promise<string> {
    const who = this.parse(req);
    return this.render(who);
  }
  @Status("parsing")
  parse(req: IncomingMessage): string {
    return req.url!.length > 7 ? req.url!.slice(7) : "world";
  }
  @Status("rendering")
  render(who: string): string {
    return `{"hello":"${who}"}`;
  }
}

/** The shape request tracking asks for: no `@Tracked` per call, the request is the task; the phases stay `@Status`. */
class PhasedHello extends TrackedHello {
  override async greet(req: IncomingMessage): Promise<string> {
    return this.render(this.parse(req));
  }
}

/**
 * A polka service answering GET /hello/:who: variant "tracked", "requests" (every request a task
 * through `requestTracker`, phases as `@Status`), "bare", or "bare+als" (untracked,
 * but with proclist's AsyncLocalStorage turned on by one task at startup, which shows what the
 * process-wide async hooks cost apart from proclist's own work).
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const service = options.variant === "tracked" ? new TrackedHello() : options.variant === "requests" ? new PhasedHello() : new BareHello();
  if (options.variant === "bare+als") await new TrackedHello().greet({ url: "/hello/x", method: "GET", socket: {} } as IncomingMessage);
  const app = polka();
  if (options.variant === "requests") app.use(requestTracker());
  app.get("/hello/:who", (req: IncomingMessage, res: ServerResponse) => {
    service
      .greet(req)
      .then((body) => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body));
  });
  const server = app.listen(0, "127.0.0.1").server!;
  await new Promise((resolve) => server.once("listening", resolve));
  return { port: (server.address() as AddressInfo).port };
}
