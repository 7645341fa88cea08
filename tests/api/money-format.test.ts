/** `formatMoney` shows minor units with each currency's own decimals, asked again or not. */
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../server/lib/money.ts";

describe("formatMoney", () => {
  it("uses the currency's minor unit, the same on every call, and two decimals for an unknown code", () => {
    for (let round = 0; round < 2; round++) {
      expect(formatMoney(499_900, "INR")).toBe("4999.00 INR");
      expect(formatMoney(1_500, "JPY")).toBe("1500 JPY");
      expect(formatMoney(12_345, "KWD")).toBe("12.345 KWD");
      expect(formatMoney(250, "ZZZ")).toBe("2.50 ZZZ");
    }
  });
});
