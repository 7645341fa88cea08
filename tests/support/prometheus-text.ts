/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for the tests:
 * prom-client writes it but exports no parser. Every line must be a `# HELP`, a `# TYPE` or a
 * sample `name{label="value",…} number`; anything else throws, so a malformed page fails.
 */
export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Exposition = { samples: Sample[]; types: Map<string, string>; help: Map<string, string> };

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"/y;

function number(text: string, line: string): number {
  // Case-insensitive, as Prometheus reads them (Go's ParseFloat): prom-client writes "Nan".
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`not a number in: ${line}`);
  return value;
}

function labels(text: string, line: string): Record<string, string> {
  const result: Record<string, string> = {};
  let at = 0;
  while (at < text.length) {
    labelPair.lastIndex = at;
    const match = labelPair.exec(text);
    if (!match) throw new Error(`malformed labels in: ${line}`);
    const [whole, name = "", raw = ""] = match;
    if (name in result) throw new Error(`label ${name} twice in: ${line}`);
    result[name] = raw.replace(/\\(n|"|\\)/g, (_, c: string) => (c === "n" ? "\n" : c));
    at += whole.length;
    if (text[at] === ",") at++;
    else if (at !== text.length) throw new Error(`malformed labels in: ${line}`);
  }
  return result;
}

export function parsePrometheusText(text: string): Exposition {
  const exposition: Exposition = { samples: [], types: new Map(), help: new Map() };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const comment = line.match(/^# (HELP|TYPE) (\S+) (.*)$/);
    if (comment) {
      const [, kind, name = "", rest = ""] = comment;
      if (!metricName.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest))
          throw new Error(`bad type in: ${line}`);
        exposition.types.set(name, rest);
      } else exposition.help.set(name, rest);
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/);
    if (!sample) throw new Error(`not a sample: ${line}`);
    const [, name = "", labelText = "", value = ""] = sample;
    exposition.samples.push({ name, labels: labels(labelText, line), value: number(value, line) });
  }
  return exposition;
}

/** The value of the one sample `name` whose labels include `where` (0 when there is none). */
export function sampleValue(exposition: Exposition, name: string, where: Record<string, string> = {}): number {
  const found = exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(where).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(where)}`);
  return found[0]?.value ?? 0;
}
