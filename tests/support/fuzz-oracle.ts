/**
 * What every answer must satisfy, whatever was sent: no 5xx; every refusal is the error envelope
 * of DESIGN.md section 3 (JSON, exact shape, code matching the status, request id matching the
 * header, no stack trace); a 2xx is one the OpenAPI document declares; and a refused request
 * leaves every table with the row count it had before.
 */
import type { Client } from "@libsql/client";
import { z } from "zod";
import { errorStatus } from "../../server/errors.ts";
import type { FuzzRequest } from "./fuzz-requests.ts";
import type { FuzzTarget } from "./fuzz-routes.ts";

const codes = Object.keys(errorStatus) as [keyof typeof errorStatus, ...(keyof typeof errorStatus)[]];

/** The envelope, exactly: no extra keys at either level. */
export const StrictEnvelope = z
  .object({
    error: z
      .object({
        code: z.enum(codes),
        message: z.string().min(1),
        details: z.unknown().optional(),
        requestId: z.string().min(1),
      })
      .strict(),
  })
  .strict();

const here = process.cwd();
/** Signs of a leaked stack trace or source location. */
export function leaksInternals(text: string): boolean {
  return (
    /\n\s+at\s/.test(text) ||
    text.includes(here) ||
    /node:internal|node_modules\//.test(text) ||
    /\.ts:\d+:\d+/.test(text)
  );
}

export type Answer = { status: number; headers: Headers; text: string };

/** Problems with an error answer, if it is not the envelope. */
export function envelopeProblems(answer: Answer): string[] {
  const problems: string[] = [];
  const type = answer.headers.get("Content-Type") ?? "";
  if (!/^application\/json\b/i.test(type)) problems.push(`error answer with Content-Type "${type}"`);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, "error answer is not JSON"];
  }
  const parsed = StrictEnvelope.safeParse(body);
  if (!parsed.success)
    return [
      ...problems,
      `not the error envelope: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    ];
  const { code, requestId } = parsed.data.error;
  if (errorStatus[code] !== answer.status) problems.push(`code ${code} answered with status ${answer.status}`);
  const header = answer.headers.get("X-Request-Id");
  if (requestId !== header) problems.push(`requestId ${requestId} differs from X-Request-Id ${header}`);
  return problems;
}

function contentMatches(declared: string[], actual: string): boolean {
  const type = actual.split(";")[0]?.trim().toLowerCase() ?? "";
  return declared.some((d) => d.toLowerCase() === type);
}

/** Every problem with one answer to one fuzzed request (empty when all is well). */
export function answerProblems(target: FuzzTarget | null, request: FuzzRequest, answer: Answer): string[] {
  const { status, headers, text } = answer;
  const problems: string[] = [];
  if (status >= 500) problems.push(`server error ${status}`);
  if (leaksInternals(text)) problems.push("answer leaks a stack trace or source path");
  const isPage = request.url.startsWith("/r/") || target?.kind === "redirect";
  if (status >= 400) {
    const html = /^text\/html\b/i.test(headers.get("Content-Type") ?? "");
    // A page for people (the hosted advocate page) answers its declared refusals as pages too.
    const declaredPage =
      target?.kind === "page" && html && "text/html" in (target.operation.responses[String(status)]?.content ?? {});
    const htmlPage = (isPage && status === 404 && html) || declaredPage;
    // A HEAD answer has no body by definition: its headers must still say JSON.
    if (request.method === "HEAD" && !htmlPage) {
      if (!/^application\/json\b/i.test(headers.get("Content-Type") ?? ""))
        problems.push("HEAD error without JSON type");
    } else if (!htmlPage) problems.push(...envelopeProblems(answer));
    return problems;
  }
  if (!target) return problems;
  const declared = target.operation.responses[String(status)];
  if (!declared) {
    problems.push(`status ${status} is not among the declared ${Object.keys(target.operation.responses).join(", ")}`);
    return problems;
  }
  const types = Object.keys(declared.content ?? {});
  if (request.method !== "HEAD" && text.length > 0 && types.length > 0) {
    const type = headers.get("Content-Type") ?? "";
    if (!contentMatches(types, type))
      problems.push(`${status} with Content-Type "${type}", declared ${types.join(", ")}`);
  }
  if (status === 204 && text.length > 0) problems.push("204 with a body");
  if (status >= 300 && status < 400) {
    const location = headers.get("Location");
    if (!location || !URL.canParse(location)) problems.push(`redirect to an unusable Location: ${location}`);
  }
  return problems;
}

/** Row counts of every table (the list read from sqlite_master), in one statement. */
export async function tableCounter(client: Client) {
  const result = await client.execute(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
  );
  const tables = result.rows.map((row) => String(row.name));
  const sql = `select ${tables.map((table, i) => `(select count(*) from "${table.replaceAll('"', '""')}") as c${i}`).join(", ")}`;
  return {
    tables,
    async count(): Promise<number[]> {
      const row = (await client.execute(sql)).rows[0]!;
      return tables.map((_, i) => Number(row[`c${i}`]));
    },
    /** "clicks +1, learners +1" between two counts, or "" when equal. */
    diff(before: number[], after: number[]): string {
      return tables
        .map((table, i) => [table, (after[i] ?? 0) - (before[i] ?? 0)] as const)
        .filter(([, delta]) => delta !== 0)
        .map(([table, delta]) => `${table} ${delta > 0 ? "+" : ""}${delta}`)
        .join(", ");
    },
  };
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** A failure report that is enough to replay the request by hand. */
export function describeFailure(request: FuzzRequest, answer: Answer, problems: string[]): string {
  const body =
    request.body === undefined
      ? "(none)"
      : typeof request.body === "string"
        ? clip(JSON.stringify(request.body), 600)
        : `bytes ${Buffer.from(request.body).toString("hex")}`;
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `  ${name}: ${clip(value, 120)}`)
    .join("\n");
  return [
    problems.join("\n"),
    `request: ${request.method} ${clip(request.url, 400)} (credentials: ${request.credential}${request.freshLearner ? `, fresh learner ${JSON.stringify(request.freshLearner)}` : ""})`,
    headers,
    `body: ${body}`,
    `answer: ${answer.status} ${answer.headers.get("Content-Type") ?? ""} ${clip(answer.text, 600)}`,
  ].join("\n");
}
