import { expect } from "chai";
import { baseUrl } from "../../lib/http/server/base-url";

describe("HTTP: serve()'s url", () => {
  it("is the host and port listened on, IPv6 in brackets", () => {
    expect(baseUrl("127.0.0.1", 8081)).to.equal("http://127.0.0.1:8081");
    expect(baseUrl("localhost", 80)).to.equal("http://localhost:80");
    expect(baseUrl("::1", 8081)).to.equal("http://[::1]:8081");
    expect(baseUrl("10.0.0.7", 9000)).to.equal("http://10.0.0.7:9000");
  });

  it("names loopback for a wildcard host, which is no address to connect to", () => {
    expect(baseUrl("0.0.0.0", 8081)).to.equal("http://127.0.0.1:8081");
    expect(baseUrl("::", 8081)).to.equal("http://[::1]:8081");
  });
});
