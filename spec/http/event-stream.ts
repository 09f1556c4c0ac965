import { get, type ClientRequest, type IncomingMessage } from "node:http";
import type { ServedApi } from "../../lib";
import { tick } from "../helpers";

/** An open event stream: the raw text so far and the parsed messages. */
export class EventStream {
  text = "";
  constructor(
    readonly req: ClientRequest,
    readonly res: IncomingMessage,
  ) {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => (this.text += chunk));
  }

  static open(api: ServedApi, path = "/procs/events"): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = get(api.url + path, (res) => resolve(new EventStream(req, res)));
      req.on("error", reject);
    });
  }

  get messages(): { event: string; data: any }[] {
    return this.text
      .split("\n\n")
      .filter((block) => block.startsWith("event: "))
      .map((block) => {
        const [event, data] = block.split("\n");
        return { event: event.slice(7), data: JSON.parse(data.slice(6)) };
      });
  }

  async waitFor(predicate: (stream: EventStream) => boolean, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (!predicate(this)) {
      if (Date.now() > until) throw new Error(`timed out; stream so far:\n${this.text}`);
      await tick(5);
    }
  }

  close(): void {
    this.req.destroy();
  }
}
