import { expect } from "chai";
import { parseEndpoint } from "../../lib";
import { parseEndpoints } from "../../lib/client/endpoint";
import { thrownBy } from "../helpers";

describe("parseEndpoint()", () => {
  const good: [string, string, string][] = [
    ["127.0.0.1:8081", "http://127.0.0.1:8081", "127.0.0.1:8081"],
    ["localhost:9000", "http://localhost:9000", "localhost:9000"],
    [":8082", "http://127.0.0.1:8082", "127.0.0.1:8082"],
    ["8083", "http://127.0.0.1:8083", "127.0.0.1:8083"],
    ["[::1]:8081", "http://[::1]:8081", "[::1]:8081"],
    ["http://api1:8081", "http://api1:8081", "http://api1:8081"],
    ["https://ops.example.com/admin/", "https://ops.example.com/admin", "https://ops.example.com/admin"],
    ["http://127.0.0.1:8081/procs/", "http://127.0.0.1:8081", "http://127.0.0.1:8081"],
    [" api2:80 ", "http://api2", "api2"],
  ];
  for (const [text, url, label] of good) {
    it(`reads ${JSON.stringify(text)}`, () => {
      expect(parseEndpoint(text)).to.deep.equal({ url, label });
    });
  }

  for (const text of ["", "localhost", "ftp://x:21", "http://u:p@x:1", "http://x:1/?q=1", "x:99999"]) {
    it(`rejects ${JSON.stringify(text)} with a TypeError quoting it`, () => {
      const error = thrownBy(() => parseEndpoint(text));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain(`invalid endpoint ${JSON.stringify(text)}`);
    });
  }

  it("splits repeated and comma-separated values, drops duplicates, and defaults to 127.0.0.1:8081", () => {
    expect(parseEndpoints(["a:1,b:2", "a:1", " c:3 "]).map((e) => e.label)).to.deep.equal(["a:1", "b:2", "c:3"]);
    expect(parseEndpoints([]).map((e) => e.url)).to.deep.equal(["http://127.0.0.1:8081"]);
  });
});
