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

  static open(api: ServedApi, path = "/procs/events", headers: Record<string, string> = {}): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = get(api.url + path, { headers }, (res) => resolve(new EventStream(req, res)));
      req.on("error", reject);
    });
  }

  /** The complete messages so far: `id:` (undefined when none), `event:` and the parsed `data:`. */
  get messages(): { id: string | undefined; event: string; data: any }[] {
    const blocks = this.text.split("\n\n");
    blocks.pop(); // not yet complete
    return blocks
      .map((block) =>
        Object.fromEntries(
          block
            .split("\n")
            .filter((line) => !line.startsWith(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
        ),
      )
      .filter((fields) => fields.event !== undefined)
      .map((fields) => ({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) }));
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
