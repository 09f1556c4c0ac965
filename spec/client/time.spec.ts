import { expect } from "chai";
import { formatTime, parseTime } from "../../lib/client/time";

describe("wire times", () => {
  it("keeps microseconds that Date.parse would drop", () => {
    expect(parseTime("2026-11-24T09:00:00.123456Z")).to.be.closeTo(Date.parse("2026-11-24T09:00:00.123Z") + 0.456, 1e-3);
  });

  it("reads the Go original's nanoseconds and local offsets", () => {
    expect(parseTime("2026-11-24T04:00:00.5-05:00")).to.equal(Date.parse("2026-11-24T09:00:00.500Z"));
    expect(parseTime("2026-11-24T10:00:00.000000001+01:00")).to.be.closeTo(Date.parse("2026-11-24T09:00:00Z"), 1e-3);
  });

  it("answers NaN for what is not RFC 3339", () => {
    for (const text of ["2026-11-24", "2026-11-24 09:00:00Z", "2026-11-24T09:00:00", "2026-13-01T00:00:00Z"])
      expect(parseTime(text)).to.be.NaN;
  });

  it("formats UTC with microseconds and reads its own output back", () => {
    const ms = Date.parse("2026-11-24T09:00:00.123Z") + 0.4567;
    expect(formatTime(ms)).to.equal("2026-11-24T09:00:00.123457Z");
    expect(parseTime(formatTime(ms))).to.be.closeTo(ms, 1e-3);
    expect(formatTime(Date.parse("2026-11-24T09:00:00.999Z") + 0.9999)).to.equal("2026-11-24T09:00:01.000000Z");
  });
});
