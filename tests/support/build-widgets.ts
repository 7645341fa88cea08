/** Global setup of the browser tests: the widgets built once per run, as `npm start` builds them. */
import { buildAssets } from "./assets.ts";

export default function setup() {
  buildAssets();
}
