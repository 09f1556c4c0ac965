import { expect } from "chai";
import { formatDuration, parseTime } from "../../lib/web/browser/time";

describe("web: time", () => {
  describe("parseTime()", () => {
    it("keeps the microseconds Date.parse drops", () => {
      const ms = parseTime("2026-11-24T09:00:00.123456Z");
      expect(ms - Date.UTC(2026, 10, 24, 9)).to.be.closeTo(123.456, 1e-3);
    });

    it("reads offsets and times without a fraction", () => {
      expect(parseTime("2026-11-24T10:00:00+01:00")).to.equal(Date.UTC(2026, 10, 24, 9));
    });
  });

  describe("formatDuration()", () => {
    it("writes each magnitude the way a person reads it", () => {
      expect([0.42, 120.4, 4200, 42_000, 185_000, 7_260_000, 90_000_000, -1].map(formatDuration)).to.deep.equal([
        "0.42 ms",
        "120 ms",
        "4.20 s",
        "42.0 s",
        "3m 05s",
        "2h 01m",
        "1d 01h",
        "0.00 ms",
      ]);
    });
  });
});
