/**
 * JSON that is safe inside `<script type="application/ld+json">`. Deliberately free of imports,
 * so it pulls nothing more into the story wall. `<`, `>` and `&` become `\u003c`, `\u003e`,
 * `\u0026` (no `</script>` or `<!--` can end or confuse the element), and U+2028/U+2029 are
 * escaped for old parsers. The result is still valid JSON that parses back to the same value.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
