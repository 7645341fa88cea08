/** Which process holds a file open: the crash test kills the process that owns the database. */
import { readdirSync, readlinkSync, realpathSync } from "node:fs";

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
