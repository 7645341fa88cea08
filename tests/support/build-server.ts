/**
 * Global setup of the process tests: compiles the server once (`build/`, as `npm run build`
 * does) before any test file runs, so that tests starting the production build (the Dockerfile's
 * and systemd unit's command, `npm run start:prod`) never race to write it.
 */
import { buildCompiledServer } from "./assets.ts";

export default function setup() {
  buildCompiledServer();
}
