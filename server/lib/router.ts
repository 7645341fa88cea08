/** Every route module starts from `createRouter()`, so validation failures share one envelope. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../types.ts";
import { validationDetails } from "./validation.ts";

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    // "/demo/" and "/demo" are the same page to a person typing it.
    strict: false,
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === "json" ? "body" : result.target;
        throw new ApiError("invalid_request", `The request ${where} is invalid`, validationDetails(result.error));
      }
    },
  });
}
