/**
 * The Node server as one process that owns its database, for fault injection.
 *
 * `startServer` (processes.ts) runs the `tsx` command, which is a wrapper: it spawns a second
 * node process that runs the server and relays signals to it. A SIGKILL cannot be relayed, so
 * killing the wrapper would leave the real server running (and holding the database). Here node
 * itself runs the server with tsx as a loader: the child's pid is the process that opens the file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { freePort, repoRoot } from "./processes.ts";

export type OwnedServer = {
  process: ChildProcess;
  pid: number;
  baseUrl: string;
  output: () => string;
  /** Resolves with the exit code and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export async function startOwnedServer(env: Record<string, string>): Promise<OwnedServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "server/node.ts")], {
    cwd: repoRoot,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code ?? signal}:\n${output}`));
    });
  });
  if (child.pid === undefined) throw new Error("server has no pid");
  return { process: child, pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/** Whether process `pid` has `file` open (Linux /proc); null where /proc cannot tell. */
export function holdsFile(pid: number, file: string): boolean | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const target = realpathSync(file);
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}
