/**
 * Hostile requests for one route: path parameters, query, headers, credentials and body, each
 * drawn from the route's own schema (valid-looking, often with real ids), mutated, or random.
 * Credentials are right most of the time, so a request gets past auth into the handler.
 */
import fc from "fast-check";
import type { FuzzTarget } from "./fuzz-routes.ts";
import {
  bodyText,
  encodeSegment,
  headerSafe,
  hostileText,
  type JsonSchema,
  type OpenApiDoc,
  type SchemaContext,
  validValue,
  wellFormed,
  writeJson,
} from "./fuzz-values.ts";
import { exampleBodies, type FuzzWorld, knownValues } from "./fuzz-world.ts";

export type FuzzRequest = {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Which credentials were sent, for the failure report. */
  credential: string;
  /** Send a learner token minted for this new learner id (minting is async, so `send` does it). */
  freshLearner?: string;
};

const browserAgent =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/** Path segments that are already encoded, or half-encoded, or special to routers. */
const rawSegments = ["%", "%2F", "%2f..%2f", "%00", "%E0%A4%A", "%C0%AF", "a%20b", "%25", ";x=1", "~", "%u0041"];

const queryJunk = [
  "",
  "&",
  "&&=&",
  "&=x",
  "&%",
  "&limit=1&limit=2",
  "&course[]=x",
  "&__proto__[polluted]=1",
  "&constructor[prototype][polluted]=1",
  "&limit=%00",
  "&course=%E0%A4%A",
  "&cursor=%ZZ",
  "#fragment",
];

const contentTypes = [
  "application/json",
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/JSON",
  "application/vnd.api+json",
  "application/json; charset=latin1",
  "text/plain",
  "text/plain;charset=UTF-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/jsonx",
  "json",
  "application/json, text/plain",
  "*/*",
  "",
];

/** Origins a browser could send: allowed, this server's own, foreign, opaque, broken. */
function origins(world: FuzzWorld) {
  return fc.oneof(
    { arbitrary: fc.constant(world.origin), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        "https://chorus.test",
        "https://evil.example",
        "null",
        "https://academy.example.evil.example",
        "http://academy.example",
        "https://ACADEMY.example",
        "https://academy.example/",
        "file://",
        "",
      ),
      weight: 2,
    },
    { arbitrary: hostileText.map(headerSafe), weight: 1 },
  );
}

type Credentials = { name: string; headers: Record<string, string>; freshLearner?: string };

/** The credentials the route asks for, right or subtly wrong. */
function rightCredentials(target: FuzzTarget, world: FuzzWorld): fc.Arbitrary<Credentials> {
  const schemes = target.operation.security ?? [];
  if (schemes.length === 0) return fc.constant({ name: "none needed", headers: {} });
  return fc
    .tuple(
      fc.constantFrom(...schemes),
      origins(world),
      fc.boolean(),
      fc.nat({ max: 9 }),
      fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 20 }),
    )
    .map(([alternative, origin, withOrigin, dice, sub]): Credentials => {
      const names = Object.keys(alternative);
      const headers: Record<string, string> = {};
      const parts: string[] = [];
      if (names.includes("secretKey")) {
        headers.Authorization = `Bearer ${world.a.secretKey}`;
        parts.push("secret key");
      }
      if (names.includes("dashboardSession")) {
        headers.Cookie = world.sessionCookie;
        // The CSRF header is part of the credential for changes: usually sent, sometimes forgotten.
        if (dice > 0) headers["X-Chorus-Dashboard"] = "1";
        parts.push(dice > 0 ? "session" : "session without X-Chorus-Dashboard");
      }
      if (names.includes("publishableKey")) {
        headers["Chorus-Key"] = world.a.publishableKey;
        if (withOrigin) headers.Origin = origin;
        parts.push(`publishable key from ${withOrigin ? origin : "no origin"}`);
      }
      if (!names.includes("learnerToken")) return { name: parts.join(" + "), headers };
      // Known learners mostly; now and then one never seen, whose first request would create a row.
      if (dice >= 3) {
        headers.Authorization = `Bearer ${world.tokens.a}`;
        return { name: [...parts, "learner token"].join(" + "), headers };
      }
      return { name: [...parts, "fresh learner token"].join(" + "), headers, freshLearner: sub };
    });
}

/** Credentials that must not work here: revoked, another workspace's, the wrong kind, malformed. */
function wrongCredentials(world: FuzzWorld): fc.Arbitrary<Credentials> {
  const { a, b, tokens } = world;
  const cases: Credentials[] = [
    { name: "revoked secret key", headers: { Authorization: `Bearer ${world.revokedSecret}` } },
    { name: "other workspace's secret key", headers: { Authorization: `Bearer ${b.secretKey}` } },
    { name: "publishable key as bearer", headers: { Authorization: `Bearer ${a.publishableKey}` } },
    { name: "secret key as Chorus-Key", headers: { "Chorus-Key": a.secretKey, Origin: world.origin } },
    { name: "revoked publishable key", headers: { "Chorus-Key": world.revokedPublishable, Origin: world.origin } },
    { name: "other workspace's publishable key", headers: { "Chorus-Key": b.publishableKey, Origin: world.origin } },
    {
      name: "publishable key from a foreign origin",
      headers: { "Chorus-Key": a.publishableKey, Origin: "https://evil.example" },
    },
    {
      name: "other workspace's learner token",
      headers: { "Chorus-Key": a.publishableKey, Origin: world.origin, Authorization: `Bearer ${tokens.b}` },
    },
    {
      name: "expired learner token",
      headers: { "Chorus-Key": a.publishableKey, Authorization: `Bearer ${tokens.expired}` },
    },
    {
      name: "alg:none learner token",
      headers: { "Chorus-Key": a.publishableKey, Authorization: `Bearer ${tokens.none}` },
    },
    {
      name: "learner token with bad claims",
      headers: { "Chorus-Key": a.publishableKey, Authorization: `Bearer ${tokens.badClaims}` },
    },
    { name: "other workspace's session", headers: { Cookie: world.sessionCookieB, "X-Chorus-Dashboard": "1" } },
    {
      name: "forged session",
      headers: { Cookie: "chorus_session=eyJhbGciOiJub25lIn0.e30.", "X-Chorus-Dashboard": "1" },
    },
    { name: "huge cookie", headers: { Cookie: `chorus_session=${"x".repeat(8_000)}` } },
    { name: "cookie junk", headers: { Cookie: 'chorus_session="quoted"; chorus_session=; =; ;;; a' } },
    {
      name: "session and revoked key",
      headers: { Cookie: world.sessionCookie, Authorization: `Bearer ${world.revokedSecret}` },
    },
    { name: "Bearer alone", headers: { Authorization: "Bearer" } },
    { name: "Bearer with spaces", headers: { Authorization: "Bearer    " } },
    { name: "Basic auth", headers: { Authorization: "Basic Zm9vOmJhcg==" } },
    { name: "two bearers", headers: { Authorization: `Bearer ${a.secretKey} Bearer ${a.secretKey}` } },
    { name: "lower-case bearer", headers: { Authorization: `bearer ${a.secretKey}` } },
    { name: "sk_ prefix only", headers: { Authorization: "Bearer sk_" } },
    { name: "truncated secret key", headers: { Authorization: `Bearer ${a.secretKey.slice(0, -2)}` } },
    { name: "pk_ prefix only", headers: { "Chorus-Key": "pk_", Origin: world.origin } },
  ];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...cases), weight: 5 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom("Authorization", "Chorus-Key", "Cookie", "Origin"), hostileText)
        .map(([name, value]) => ({
          name: `hostile ${name}`,
          headers: { [name]: headerSafe(`${name === "Authorization" ? "Bearer " : ""}${value}`) },
        })),
      weight: 2,
    },
  );
}

/** Extra headers anyone can send: content-length lies, proxies, agents, request ids, junk. */
function extraHeaders(world: FuzzWorld): fc.Arbitrary<Record<string, string>> {
  const pairs = fc.oneof(
    fc.constantFrom<[string, string]>(
      ["Content-Length", "0"],
      ["Content-Length", "99999999999"],
      ["Content-Length", "-1"],
      ["Content-Length", "abc"],
      ["Transfer-Encoding", "chunked"],
      ["X-Forwarded-For", "203.0.113.9, 10.0.0.1"],
      ["X-Forwarded-For", "not-an-ip"],
      ["X-Forwarded-For", ""],
      ["CF-IPCountry", "IN"],
      ["CF-IPCountry", "XX"],
      ["User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)"],
      ["User-Agent", ""],
      ["X-Request-Id", "abc-123"],
      ["X-Request-Id", "x".repeat(300)],
      ["X-Request-Id", "<script>"],
      ["Accept", "text/html"],
      ["Accept-Encoding", "gzip, br"],
      ["X-HTTP-Method-Override", "DELETE"],
      ["Chorus-Edit-Token", world.seedA.editToken],
      ["Chorus-Edit-Token", world.seedB.editToken],
      ["Stripe-Signature", "t=1,v1=00"],
      ["Origin", "https://evil.example"],
      ["Host", "evil.example"],
    ),
    fc
      .tuple(
        fc.constantFrom(
          "X-Forwarded-For",
          "User-Agent",
          "Chorus-Edit-Token",
          "Stripe-Signature",
          "X-Request-Id",
          "Accept-Language",
          "Referer",
          "X-Chorus-Dashboard",
          "CF-Connecting-IP",
        ),
        hostileText,
      )
      .map(([name, value]): [string, string] => [name, headerSafe(value)]),
  );
  return fc.array(pairs, { maxLength: 3 }).map((list) => Object.fromEntries(list));
}

function stripeEvent(world: FuzzWorld): fc.Arbitrary<unknown> {
  const nowSeconds = Math.floor(world.t.clock.now().getTime() / 1000);
  const { seedA } = world;
  const mostly = <T>(usual: T, ...others: T[]) =>
    fc.oneof({ arbitrary: fc.constant(usual), weight: 4 }, { arbitrary: fc.constantFrom(usual, ...others), weight: 1 });
  return fc.record({
    id: fc.oneof(fc.stringMatching(/^evt_[a-z0-9]{4,10}$/), fc.string({ minLength: 1, maxLength: 20 })),
    type: fc.constantFrom(
      "checkout.session.completed",
      "checkout.session.completed",
      "charge.refunded",
      "customer.created",
    ),
    created: fc.oneof(
      { arbitrary: fc.constant(nowSeconds - 60), weight: 4 },
      { arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }), weight: 1 },
      { arbitrary: fc.constantFrom(2 ** 53 - 1, 1e13, 8.64e12 + 1), weight: 1 },
    ),
    data: fc.record({
      object: fc.record(
        {
          id: fc.constantFrom("cs_1", "ch_1", "cs_2"),
          client_reference_id: mostly<string | null>(seedA.clickId, seedA.code, null, "clk_unknown", "NO SUCH CODE"),
          customer: fc.constantFrom("cus_1", null),
          customer_details: fc.record({ email: mostly("meera@example.org", "nope"), name: fc.string() }),
          amount_total: fc.oneof(
            { arbitrary: fc.integer({ min: 0, max: 10_000_000 }), weight: 4 },
            { arbitrary: fc.constantFrom(-1, 2 ** 53 - 1), weight: 1 },
          ),
          amount_refunded: fc.integer({ min: 0, max: 10_000_000 }),
          currency: mostly("inr", "usd", "xx", "INRR"),
          payment_intent: fc.oneof(fc.stringMatching(/^pi_[a-z0-9]{1,6}$/), fc.constant(null)),
          metadata: fc.record({ chorus_course: mostly("data-analytics", "NOT A SLUG") }),
        },
        { requiredKeys: ["id", "currency", "amount_total"] },
      ),
    }),
  });
}

/**
 * Requests for one route: three in ten are clean (valid everything, right credentials) so the
 * handler's deep paths and writes run; the rest break something, or everything.
 */
export function requestArbitrary(target: FuzzTarget, world: FuzzWorld, doc: OpenApiDoc): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { arbitrary: buildRequest(target, world, doc, true), weight: 3 },
    { arbitrary: buildRequest(target, world, doc, false), weight: 7 },
  );
}

function buildRequest(
  target: FuzzTarget,
  world: FuzzWorld,
  doc: OpenApiDoc,
  clean: boolean,
): fc.Arbitrary<FuzzRequest> {
  const ctx: SchemaContext = { doc, known: knownValues(world, target.path) };
  const parameters = target.operation.parameters ?? [];
  const paramValue = (schema: JsonSchema | undefined, name: string) =>
    validValue(schema ?? { type: "string" }, ctx, name).map((value) =>
      typeof value === "string" ? value : writeJson(value),
    );

  const pathNames = [...target.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const path = fc
    .tuple(
      ...pathNames.map((name) => {
        const schema = parameters.find((p) => p.in === "path" && p.name === name)?.schema;
        if (clean) return paramValue(schema, name).map(encodeSegment);
        return fc.oneof(
          { arbitrary: paramValue(schema, name).map(encodeSegment), weight: 6 },
          { arbitrary: hostileText.map(encodeSegment), weight: 3 },
          { arbitrary: fc.constantFrom(...rawSegments), weight: 1 },
        );
      }),
    )
    .map((segments) => {
      let i = 0;
      return target.path.replace(/\{[^}]+\}/g, () => segments[i++] ?? "x");
    });

  const isStripe = target.key === "POST /v1/integrations/stripe";
  // Stripe's `workspace` is set below (a real one, mostly): a second would make an array.
  const queryParameters = parameters.filter((p) => p.in === "query" && !(isStripe && p.name === "workspace"));
  const query = fc
    .tuple(
      fc.tuple(
        ...queryParameters.map((p) =>
          clean
            ? p.name === "cursor"
              ? fc.constant(undefined)
              : p.required
                ? paramValue(p.schema, p.name)
                : fc.option(paramValue(p.schema, p.name), { nil: undefined })
            : fc.oneof(
                { arbitrary: fc.constant(undefined), weight: p.required ? 1 : 3 },
                { arbitrary: paramValue(p.schema, p.name), weight: 5 },
                { arbitrary: hostileText, weight: 2 },
              ),
        ),
      ),
      fc.array(fc.tuple(fc.oneof(fc.constantFrom("__proto__", "constructor", "x"), hostileText), hostileText), {
        maxLength: clean ? 0 : 2,
      }),
      clean ? fc.constant("") : fc.constantFrom(...queryJunk),
    )
    .map(([values, extra, junk]) => {
      const search = new URLSearchParams();
      queryParameters.forEach((p, i) => {
        const value = values[i];
        if (value !== undefined) search.append(p.name, wellFormed(value));
      });
      for (const [key, value] of extra) search.append(wellFormed(key), wellFormed(value));
      const text = `${search.toString()}${junk}`;
      return text ? `?${text}` : "";
    });

  const credentials: fc.Arbitrary<Credentials> = clean
    ? rightCredentials(target, world)
    : fc.oneof(
        { arbitrary: rightCredentials(target, world), weight: 7 },
        { arbitrary: wrongCredentials(world), weight: 3 },
        { arbitrary: fc.constant({ name: "no credentials", headers: {} }), weight: 1 },
      );

  const bodySchema = target.operation.requestBody?.content?.["application/json"]?.schema;
  const canHaveBody = ["POST", "PUT", "PATCH", "DELETE"].includes(target.method);
  const example = exampleBodies(world)[target.key];
  const fromSchema = bodySchema ? validValue(bodySchema, ctx) : fc.constant({});
  const validBody = isStripe
    ? fc.oneof(stripeEvent(world), fromSchema)
    : example
      ? fc.oneof({ arbitrary: example, weight: 2 }, { arbitrary: fromSchema, weight: 1 })
      : fromSchema;
  const body: fc.Arbitrary<string | Uint8Array | undefined> = !canHaveBody
    ? fc.constant(undefined)
    : clean
      ? bodySchema || isStripe
        ? validBody.map(writeJson)
        : fc.constant(undefined)
      : fc.oneof(
          { arbitrary: bodyText(validBody), weight: bodySchema || isStripe ? 12 : 1 },
          { arbitrary: fc.constant(undefined), weight: bodySchema ? 1 : 4 },
          // Bytes that are not UTF-8 at all.
          {
            arbitrary: fc.constantFrom(
              new Uint8Array([0xff, 0xfe, 0x00]),
              new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
            ),
            weight: 1,
          },
        );

  const contentType = clean
    ? fc.constant("application/json")
    : fc.oneof(
        { arbitrary: fc.constant("application/json"), weight: 14 },
        { arbitrary: fc.constantFrom(...contentTypes), weight: 4 },
        { arbitrary: fc.constant(undefined), weight: 1 },
        { arbitrary: hostileText.map(headerSafe), weight: 1 },
      );

  const agent = clean
    ? fc.nat().map((n) => `${browserAgent} fuzz/${n}`)
    : fc.oneof(
        { arbitrary: fc.nat().map((n) => `${browserAgent} fuzz/${n}`), weight: 8 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      );

  const stripeSignature = clean
    ? fc.constant("valid")
    : fc.constantFrom("valid", "valid", "valid", "absent", "stale", "wrong key");

  return fc
    .tuple(
      path,
      query,
      credentials,
      clean ? fc.constant({}) : extraHeaders(world),
      body,
      contentType,
      agent,
      stripeSignature,
      fc.nat(),
    )
    .map(([pathText, queryText, credential, extra, bodyValue, type, userAgent, signature, n]): FuzzRequest => {
      {
        const headers: Record<string, string> = { ...credential.headers };
        if (userAgent) headers["User-Agent"] = userAgent;
        if (bodyValue !== undefined && type !== undefined) headers["Content-Type"] = type;
        let url = `${pathText}${queryText}`;
        if (isStripe) {
          url = `${pathText}?workspace=${n % 5 === 0 ? world.b.id : world.a.id}${queryText.replace(/^\?/, "&")}`;
          const text = typeof bodyValue === "string" ? bodyValue : "";
          if (signature === "valid") headers["Stripe-Signature"] = world.stripeSignature(text);
          if (signature === "wrong key") headers["Stripe-Signature"] = world.stripeSignature(text, "whsec_other");
          if (signature === "stale") headers["Stripe-Signature"] = `t=1,v1=${"0".repeat(64)}`;
        }
        Object.assign(headers, extra);
        return {
          method: target.method,
          url,
          headers,
          body: bodyValue,
          credential: `${clean ? "clean request, " : ""}${credential.name}`,
          ...(credential.freshLearner ? { freshLearner: credential.freshLearner } : {}),
        };
      }
    });
}

/** Random method and path: unknown routes and wrong methods answer the envelope too. */
export function strayRequest(doc: OpenApiDoc): fc.Arbitrary<FuzzRequest> {
  const paths = Object.keys(doc.paths).map((path) => path.replace(/\{[^}]+\}/g, "x"));
  return fc
    .tuple(
      fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "PURGE", "FOO"),
      fc.oneof(
        fc.constantFrom(...paths),
        fc.constantFrom(
          "/v1",
          "/v1/",
          "/v1//stories",
          "/V1/STORIES",
          "/v1/stories/../admin/program",
          "/r",
          "/r/",
          "//",
          "/%2e%2e/",
          "/v2/x",
        ),
        fc.array(hostileText.map(encodeSegment), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`),
        fc.array(hostileText.map(encodeSegment), { maxLength: 3 }).map((parts) => `/v1/${parts.join("/")}`),
      ),
      fc.oneof(
        fc.constant(""),
        fc.constantFrom(...queryJunk).map((junk) => `?${junk}`),
      ),
      fc.option(fc.constantFrom("https://academy.example", "https://evil.example")),
      fc.option(fc.constantFrom("Access-Control-Request-Method", "Access-Control-Request-Headers")),
    )
    .map(([method, path, query, origin, preflight]) => {
      const headers: Record<string, string> = { "User-Agent": browserAgent };
      if (origin) headers.Origin = origin;
      if (preflight) headers[preflight] = preflight.endsWith("Method") ? "POST" : "Chorus-Key, Content-Type";
      const hasBody = ["POST", "PUT", "PATCH"].includes(method);
      if (hasBody) headers["Content-Type"] = "application/json";
      return { method, url: `${path}${query}`, headers, body: hasBody ? "{}" : undefined, credential: "none" };
    });
}
