/**
 * Loading, error and data for an element's request: one small Lit reactive controller, the part
 * of `@lit/task` the elements use under its names (`Task`, `status`, `value`, `error`, `run`,
 * `initialState`), in a fraction of its bytes (the English page's 25 KB budget).
 *
 * With an `args` function, the task runs before each render whose arguments changed (compared
 * with `===`, element by element); without one it runs only when `run` is called. Only the latest
 * run may settle: the outcome of a run overtaken by another one is dropped.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";

/** `status`: nothing to load (yet), loading, loaded (`value`), failed (`error`). */
export const INITIAL = 0;
export const PENDING = 1;
export const COMPLETE = 2;
export const ERROR = 3;
export type TaskStatus = typeof INITIAL | typeof PENDING | typeof COMPLETE | typeof ERROR;

/** Returned by a task instead of a promise: nothing to load, back to `INITIAL` (say, no learner signed in). */
export const initialState = Symbol();

export class Task<T, A extends readonly unknown[] = readonly unknown[]> implements ReactiveController {
  status: TaskStatus = INITIAL;
  /** The latest successful run's value (kept while a next run is pending or after it failed). */
  value?: T;
  /** The latest failed run's error. */
  error?: unknown;
  /** The latest run's arguments. */
  args?: A;
  private _runs = 0;

  constructor(
    private readonly _host: ReactiveControllerHost,
    private readonly _task: (args: A) => Promise<T> | typeof initialState,
    private readonly _args?: () => A,
    /** Called with the latest run's value, before the element renders it. */
    private readonly _onComplete?: (value: T, args: A) => void,
  ) {
    _host.addController(this);
  }

  hostUpdate() {
    const args = this._args?.();
    if (args && (!this.args || args.some((value, i) => value !== this.args?.[i]))) void this.run(args);
  }

  /** Runs the task now (again): with `args`, else with the element's current ones. Settles when the run does. */
  run(args = (this._args as () => A)()): Promise<void> | undefined {
    const run = ++this._runs;
    this.args = args;
    const result = this._task(args);
    if (result === initialState) return this._set(INITIAL);
    this._set(PENDING);
    return result.then(
      (value) => {
        if (run !== this._runs) return;
        this.value = value;
        this._onComplete?.(value, args);
        this._set(COMPLETE);
      },
      (error: unknown) => {
        if (run !== this._runs) return;
        this.error = error;
        this._set(ERROR);
      },
    );
  }

  private _set(status: TaskStatus): undefined {
    this.status = status;
    this._host.requestUpdate();
  }
}
