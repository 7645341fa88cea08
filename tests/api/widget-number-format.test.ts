/**
 * The widgets' numbers: whole numbers under 1,000 skip Intl (its first use in a tab loads locale
 * data and held up the story wall's first cards), so they must read exactly as Intl writes them.
 */
import { describe, expect, it } from "vitest";
import { formatNumber } from "../../widgets/lib/i18n.ts";

describe("formatNumber", () => {
  for (const [locale, intl] of [
    ["en", "en-IN"],
    ["hi", "hi-IN"],
  ] as const)
    it(`writes every number as Intl's ${intl} does`, () => {
      const format = new Intl.NumberFormat(intl);
      const values = [...Array.from({ length: 1000 }, (_, i) => i), 1000, 1500, 123456, 2.5, 999.5, -3, -0.5];
      expect(values.map((value) => formatNumber(locale, value))).toEqual(values.map((value) => format.format(value)));
    });
});
