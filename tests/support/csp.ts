/** Content-Security-Policy helpers for browser tests: every violation a page reports, collected. */
import type { BrowserContext } from "playwright-core";

export type Violation = { directive: string; blocked: string; source: string; sample: string; page: string };

/**
 * Records every `securitypolicyviolation` event of every page and frame of the context, from
 * before the first script runs, plus Chromium's own "Refused to …" console messages.
 */
export async function recordViolations(context: BrowserContext): Promise<Violation[]> {
  const violations: Violation[] = [];
  await context.exposeBinding("__chorusCspViolation", (_source, violation: Violation) => {
    violations.push(violation);
  });
  await context.addInitScript(() => {
    const report = (event: SecurityPolicyViolationEvent) =>
      (window as unknown as { __chorusCspViolation: (v: unknown) => void }).__chorusCspViolation({
        directive: event.effectiveDirective || event.violatedDirective,
        blocked: event.blockedURI,
        source: `${event.sourceFile}:${event.lineNumber}`,
        sample: event.sample,
        page: location.href,
      });
    // Capturing on window also sees violations dispatched at elements inside shadow roots.
    window.addEventListener("securitypolicyviolation", report, true);
  });
  context.on("console", (message) => {
    if (/Refused to|Content Security Policy/i.test(message.text()))
      violations.push({ directive: "console", blocked: "", source: "", sample: message.text(), page: "" });
  });
  return violations;
}

/** The directives of a policy, by name. */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}
