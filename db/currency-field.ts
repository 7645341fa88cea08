/** An ISO 4217 currency code as settings take it (reward rules, friend offers, payout minimums). */
import { z } from "zod";

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, "an ISO 4217 code such as INR or USD")
  .refine((code) => {
    try {
      return Intl.supportedValuesOf("currency").includes(code);
    } catch {
      // A runtime without the list (older engines) takes any three capitals.
      return true;
    }
  }, "an ISO 4217 currency code");
