/**
 * axe-core under a strict Content-Security-Policy: the page may not run an injected inline
 * script, so axe is evaluated through the DevTools protocol (which CSP does not govern).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "./processes.ts";

const axeSource = readFileSync(join(repoRoot, "node_modules", "axe-core", "axe.min.js"), "utf8");

export async function seriousViolationsUnderCsp(page: Page) {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
