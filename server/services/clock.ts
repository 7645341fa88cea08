/** Clocks that services are handed besides the real one. */
import type { Clock } from "./types.ts";

/**
 * A clock stopped at one instant: the rows of one write (a conversion, its rewards, their hold and
 * events; a workspace and its keys) share one timestamp, and the demo's history is told at its
 * own moments.
 */
export function fixedClock(at: Date | number): Clock {
  const date = typeof at === "number" ? new Date(at) : at;
  return { now: () => date };
}
