import { expect } from "chai";
import { SseParser } from "../../lib/client/sse";

const STREAM =
  '\uFEFF: hello\r\nevent: start\r\ndata: {"a":1}\r\nid: 7\r\n\r\nevent: status\ndata: line one\ndata: line two\n\nretry: 1500\n\ndata:no space\r\r';

describe("SseParser", () => {
  it("parses events, multi-line data, ids, comments, retry and every line ending", () => {
    const parser = new SseParser();
    expect(parser.feed(STREAM)).to.deep.equal([
      { event: "start", data: '{"a":1}', lastEventId: "7" },
      { event: "status", data: "line one\nline two", lastEventId: "7" },
      { event: "message", data: "no space", lastEventId: "7" },
    ]);
    expect(parser.retryMs).to.equal(1500);
  });

  it("gives the same messages whatever the chunk boundaries, CRLF split included", () => {
    const whole = new SseParser().feed(STREAM);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const out = [];
      for (let i = 0; i < STREAM.length; i += size) out.push(...parser.feed(STREAM.slice(i, i + size)));
      expect(out, `chunks of ${size}`).to.deep.equal(whole);
    }
  });

  it("throws a RangeError once a line or a message passes its bound, counting only the message under way", () => {
    const parser = new SseParser(100);
    for (let i = 0; i < 5; i++) expect(parser.feed(`data: ${"a".repeat(80)}\n\n`)).to.have.length(1);
    parser.feed(`data: ${"b".repeat(50)}\n`);
    expect(() => parser.feed(`data: ${"c".repeat(50)}\n`)).to.throw(RangeError, "longer than 100 characters");
    const line = new SseParser(100);
    expect(line.feed("x".repeat(60))).to.deep.equal([]);
    expect(() => line.feed("x".repeat(41))).to.throw(RangeError);
  });

  it("dispatches nothing for a block without data, and keeps an unfinished block for the next chunk", () => {
    const parser = new SseParser();
    expect(parser.feed("event: start\n\n")).to.deep.equal([]);
    expect(parser.feed("data: x")).to.deep.equal([]);
    expect(parser.feed("\n\n")).to.deep.equal([{ event: "message", data: "x", lastEventId: "" }]);
  });
});
