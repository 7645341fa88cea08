/**
 * The operator's files say what the tests do. The Dockerfile's build steps are exactly the
 * commands CI and `npm start` run (`npm ci`, `npm run build`), and its start command, run here
 * with the image's settings, serves a ready server that its HEALTHCHECK accepts and that stops
 * cleanly on `docker stop`'s SIGTERM. (No Docker daemon here: the steps are run, not the image.)
 * The systemd unit passes `systemd-analyze verify` without a warning, and docs/operations.md
 * shows each file as it is.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturedOutput, freePort, repoRoot } from "../support/processes.ts";

const read = (file: string) => readFileSync(join(repoRoot, file), "utf8");

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [op = "", ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

const dockerfile = instructions(read("Dockerfile"));
const argsOf = (op: string) => dockerfile.filter((step) => step.op === op).map((step) => step.args);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-image-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the Dockerfile", () => {
  it("builds with the commands CI and npm start run, and nothing else but the data directory", () => {
    const runs = argsOf("RUN");
    expect(runs.filter((command) => command.startsWith("npm"))).toEqual(["npm ci", "npm run build"]);
    expect(read(".ci/run")).toContain("\nnpm ci ");
    expect(JSON.parse(read("package.json")).scripts.start).toMatch(/^npm run build && /);
    expect(runs.filter((command) => !command.startsWith("npm"))).toEqual([
      "mkdir -p /app/data && chown node:node /app/data",
    ]);
    // Node's major version is the one package.json and the tests use.
    expect(argsOf("FROM")).toEqual([`node:${process.versions.node.split(".")[0]}-bookworm-slim`]);
    expect(argsOf("USER")).toEqual(["node"]);
  });

  it("keeps packages, builds, databases, settings and history out of the image", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    for (const entry of ["node_modules", "dist", "data", "*.db", ".env", ".git"]) expect(ignored).toContain(entry);
  });

  it("starts a ready server with the image's settings, passes its HEALTHCHECK, and stops on SIGTERM", async () => {
    const env: Record<string, string> = {};
    for (const args of argsOf("ENV"))
      for (const [, name = "", value = ""] of args.matchAll(/(\w+)=(\S+)/g)) env[name] = value;
    expect(env).toEqual({
      NODE_ENV: "production",
      HOST: "0.0.0.0",
      PORT: "8787",
      DATABASE_URL: "file:/app/data/chorus.db",
    });
    const [cmd] = argsOf("CMD");
    const argv = JSON.parse(cmd ?? "[]") as string[];
    // The production start (`npm run start:prod`): compiled JavaScript, no TypeScript tooling.
    expect(argv.join(" ")).toBe(JSON.parse(read("package.json")).scripts["start:prod"]);
    const port = String(await freePort());
    // What `docker run -e PUBLIC_URL=… -v …:/app/data` would give it, on a free port and a temporary volume.
    const runEnv = {
      ...process.env,
      ...env,
      HOST: "127.0.0.1",
      PORT: port,
      DATABASE_URL: `file:${join(dir, "chorus.db")}`,
      PUBLIC_URL: "https://go.acme.example",
    };
    const child = spawn(process.execPath, argv.slice(1), { cwd: repoRoot, env: runEnv });
    const output = capturedOutput(child);
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    try {
      await expect
        .poll(() => output().includes("Press Ctrl-C to stop.") || exitCode !== undefined, {
          timeout: 30_000,
          interval: 100,
        })
        .toBe(true);
      expect(exitCode, output()).toBeUndefined();
      expect(output()).toContain("Demo: off (NODE_ENV=production");
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      const [healthcheck] = argsOf("HEALTHCHECK");
      const check = JSON.parse(healthcheck?.replace(/^.*?CMD /, "") ?? "[]") as string[];
      expect(check[0]).toBe("node");
      const healthy = spawnSync(process.execPath, check.slice(1), { env: runEnv, timeout: 10_000 });
      expect(healthy.status).toBe(0);
      // The same check against a port nobody listens on fails: it tests something.
      const nobody = spawnSync(process.execPath, check.slice(1), {
        env: { ...runEnv, PORT: String(await freePort()) },
        timeout: 10_000,
      });
      expect(nobody.status).toBe(1);
    } finally {
      expect(argsOf("STOPSIGNAL")).toEqual(["SIGTERM"]);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
    expect(output()).toContain("Stopped cleanly.");
  });
});

describe("the systemd unit and the proxy examples", () => {
  it("passes systemd-analyze verify without a warning", () => {
    const result = spawnSync("systemd-analyze", ["verify", join(repoRoot, "deploy/chorus.service")], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (result.error) return expect.soft(result.error, "systemd-analyze is not installed").toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  it("are shown in docs/operations.md exactly as they are in deploy/", () => {
    const guide = read("docs/operations.md");
    for (const file of ["deploy/chorus.service", "deploy/Caddyfile", "deploy/nginx.conf", "Dockerfile"])
      expect(guide, file).toContain(read(file).trimEnd());
  });
});
