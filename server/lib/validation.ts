/** How a zod failure is reported in `error.details`: one `{ path, message }` per problem. */
import type { ZodError } from "zod";

export function validationDetails(error: ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}
