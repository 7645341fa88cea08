/** Runs the real CLI and server as child processes, as a person would from a terminal. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");

export function runCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(tsx, [join(repoRoot, "server/cli.ts"), ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the CLI without blocking this process (spawnSync would stop a load generator running
 * beside it): resolves with the exit status and output once it exits. `compiled`: build/cli.js.
 */
export function runCliAsync(
  args: string[],
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [command, first] = options.compiled
    ? [process.execPath, join(repoRoot, "build", "cli.js")]
    : [tsx, join(repoRoot, "server/cli.ts")];
  const child = spawn(command, [first, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Everything a child process prints, stdout and stderr as they interleave, so far. */
export function capturedOutput(child: ChildProcess): () => string {
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return () => output;
}

/**
 * Runs a runner script of tests/support (`conversion-runner.ts`…) with tsx and `env` added to ours;
 * resolves with the last line it prints, parsed as JSON (its report), once it exits 0, and rejects
 * with everything it printed otherwise.
 */
export function runReportingScript<Report>(script: string, env: Record<string, string>): Promise<Report> {
  const child = spawn(tsx, [join(repoRoot, "tests", "support", script)], { env: { ...process.env, ...env } });
  const output = capturedOutput(child);
  return new Promise<Report>((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(output().trim().split("\n").at(-1)!)) : reject(new Error(output())),
    ),
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Runs `server/node.ts` for a start that must fail (bad configuration, an unmigrated database):
 * the exit status and everything it printed. A server that starts anyway is killed at the timeout
 * (status null).
 */
export function runServerExpectingExit(env: Record<string, string>, timeout = 20_000) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "server/node.ts")], {
    cwd: repoRoot,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env },
    encoding: "utf8",
    timeout,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export type RunningServer = {
  process: ChildProcess;
  /** The process that runs the server and opens its database. */
  pid: number;
  output: () => string;
  baseUrl: string;
  /** Resolves with the exit code and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/** The compiled server of `npm run build` (tests/support/assets.ts buildCompiledServer makes it). */
export const compiledServer = join(repoRoot, "build", "node.js");
export const compiledCli = join(repoRoot, "build", "cli.js");

/** Plain node on the compiled build (`npm run start:prod`), or node with tsx as a loader (`npm start`). */
function serverArgs(compiled = false): string[] {
  return compiled ? [compiledServer] : ["--import", "tsx", join(repoRoot, "server/node.ts")];
}

/**
 * Starts `server/node.ts` (or with `compiled`, `build/node.js`, with no TypeScript tooling) and resolves once it prints its banner. Node itself runs it, with tsx as
 * a loader, rather than the `tsx` command: that is a wrapper process that relays signals to a
 * second node, so a SIGKILL would hit the wrapper and leave the real server (and its database)
 * running. Here the child is the server.
 */
export async function startServer(
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, serverArgs(options.compiled), {
    cwd: repoRoot,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = capturedOutput(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    // Generous: a start takes about a second, several at once on a busy 2-core machine far more.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output()}`)), 30_000);
    const check = () => {
      if (output().includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code ?? signal}:\n${output()}`));
    });
  });
  if (child.pid === undefined) throw new Error("server has no pid");
  return {
    process: child,
    pid: child.pid,
    output,
    baseUrl: `http://127.0.0.1:${port}`,
    exited,
    stop: async (signal = "SIGINT") => {
      child.kill(signal);
      return (await exited).code;
    },
  };
}
