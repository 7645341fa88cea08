/** Every route module starts from `createRouter()`, so validation failures share one envelope. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

export function validationDetails(error: ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

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
