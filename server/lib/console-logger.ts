/**
 * The Workers log: one JSON object per console.log call, which Workers Logs and `wrangler tail`
 * index by field. pino needs Node streams, so Workers gets this; the line has pino's shape
 * (`level` as a number, `time`, `msg`) so one log query reads both runtimes.
 */
import type { LogFields, Logger, LogLevel } from "./telemetry.ts";

const levelNumbers: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** A logger that writes lines at `level` and above through `write` (console.log by default). */
export function consoleLogger(level: LogLevel, write: (line: string) => void = console.log): Logger {
  const threshold = levelNumbers[level];
  const at =
    (name: "error" | "warn" | "info" | "debug") =>
    (fields: LogFields, message: string): void => {
      if (levelNumbers[name] < threshold) return;
      write(JSON.stringify({ level: levelNumbers[name], time: Date.now(), ...fields, msg: message }));
    };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
