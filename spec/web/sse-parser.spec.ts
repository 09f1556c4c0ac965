import { expect } from "chai";
import { SseParser, type SseMessage } from "../../lib/web/browser/sse-parser";

function parse(...chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = new SseParser((m) => out.push(m));
  for (const chunk of chunks) parser.push(chunk);
  return out;
}

describe("web: SseParser", () => {
  it("decodes event and data fields, one message per blank line", () => {
    expect(parse('event: start\ndata: {"a":1}\n\nevent: done\ndata: {}\n\n')).to.deep.equal([
      { event: "start", data: '{"a":1}' },
      { event: "done", data: "{}" },
    ]);
  });

  it("joins a message split anywhere across chunks, CRLF included", () => {
    const text = "event: status\r\ndata: one\r\ndata: two\r\n\r\n";
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse(text.slice(0, cut), text.slice(cut)), `cut at ${cut}`).to.deep.equal([{ event: "status", data: "one\ntwo" }]);
    }
  });

  it("ignores comments and messages without data, and names untyped messages `message`", () => {
    expect(parse(": keep-alive\n\nretry: 10\n\nevent: x\n\ndata:plain\n\n")).to.deep.equal([{ event: "message", data: "plain" }]);
  });

  it("keeps an unfinished message until its blank line arrives", () => {
    expect(parse("event: kill\ndata: {}\n")).to.deep.equal([]);
  });
});
