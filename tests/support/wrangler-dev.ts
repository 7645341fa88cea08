/** `wrangler dev` in local mode: the Workers entry running in workerd, as Cloudflare would run it. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capturedOutput, freePort, repoRoot } from "./processes.ts";

export const wranglerBin = join(repoRoot, "node_modules", "wrangler", "bin", "wrangler.js");

/** Keeps wrangler off the network (there is none in CI) and non-interactive. */
export const wranglerEnv = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1" };

export type RunningWorker = { baseUrl: string; output: () => string; stop: () => Promise<void> };

/** Starts `wrangler dev` with the given `--var` bindings; resolves once `/healthz` answers. */
export async function startWranglerDev(vars: Record<string, string>): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), "chorus-wrangler-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const args = [wranglerBin, "dev", "--local", "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--inspector-port", String(inspectorPort), "--persist-to", join(dir, "state"));
  // --test-scheduled exposes /__scheduled, so tests can fire the cron trigger on demand.
  args.push("--show-interactive-dev-session=false", "--live-reload=false", "--test-scheduled");
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  // Its own process group, so stopping it also stops the workerd it spawned.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...wranglerEnv, WRANGLER_LOG_PATH: join(dir, "logs") },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output = capturedOutput(child);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  // Should the test run end without its teardown (Ctrl-C), take wrangler and workerd down with it.
  const orphanGuard = () => signalGroup("SIGKILL");
  process.once("exit", orphanGuard);
  const stop = async () => {
    process.off("exit", orphanGuard);
    signalGroup("SIGTERM");
    const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    signalGroup("SIGKILL"); // workerd, should it outlive wrangler
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 45_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status > 0) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseUrl, output, stop };
}
