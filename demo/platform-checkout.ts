/**
 * The demo shop's checkout acting as a course platform: instead of posting `POST /v1/conversions`
 * from its own server, it sends what Teachable, Thinkific or Kajabi would send to a Chorus
 * connector (their documented payload shapes, Thinkific's signed with its HMAC), so a provider
 * sees the whole loop through a connector. The referral travels as the platforms carry it: the
 * checkout's coupon code (these platforms pass no click id through).
 */
import { hmacSha256Hex } from "../server/lib/crypto.ts";
import { demoCatalog } from "./catalog.ts";

export const demoPlatforms = ["teachable", "thinkific", "kajabi"] as const;
export type DemoPlatform = (typeof demoPlatforms)[number];

type CallChorus = (path: string, init: RequestInit) => Promise<Response>;
type Connector = { path: string; token: string; signingSecret?: string };

export type PlatformOrder = {
  type: "enrollment" | "completion";
  orderId: string;
  customerId: string;
  course: string;
  amount: number;
  code?: string;
};

/** Every demo course, by its slug as the platform's course id. */
const courses = Object.fromEntries(demoCatalog.map((course) => [course.slug, course.slug]));

/** The demo's connectors, made once per platform per server start through the admin API. */
export function platformCheckout(callChorus: CallChorus, secretKey: string) {
  const connectors = new Map<DemoPlatform, Promise<Connector>>();
  const admin = { Authorization: `Bearer ${secretKey}`, "Content-Type": "application/json" };

  async function makeConnector(platform: DemoPlatform): Promise<Connector> {
    const signingSecret = platform === "thinkific" ? `demo-${crypto.randomUUID()}` : undefined;
    const response = await callChorus("/v1/admin/integrations", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({
        platform,
        name: `Demo ${platform} checkout`,
        courses,
        ...(platform === "thinkific" ? { currency: "INR", signingSecret } : {}),
      }),
    });
    if (response.status !== 201) throw new Error(`Chorus answered ${response.status}: ${await response.text()}`);
    const made = (await response.json()) as { path: string; token: string };
    return { path: made.path, token: made.token, ...(signingSecret ? { signingSecret } : {}) };
  }

  /** Posts the order as the platform would; Kajabi sends no completion, so that goes to the API. */
  return async function send(platform: DemoPlatform, order: PlatformOrder): Promise<Response> {
    if (platform === "kajabi" && order.type === "completion") return new Response(null, { status: 204 });
    let connector = connectors.get(platform);
    if (!connector) {
      connector = makeConnector(platform);
      connectors.set(platform, connector);
      connector.catch(() => connectors.delete(platform));
    }
    const { path, token, signingSecret } = await connector;
    const body = JSON.stringify(payload(platform, order, new Date().toISOString()));
    return callChorus(`${path}?token=${token}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(signingSecret ? { "X-Thinkific-Hmac-Sha256": hmacSha256Hex(signingSecret, body) } : {}),
      },
      body,
    });
  };
}

function payload(platform: DemoPlatform, order: PlatformOrder, now: string): unknown {
  const email = `${order.customerId}@learners.skillbridge.example`;
  const coupon = order.code ? { code: order.code } : null;
  if (platform === "teachable") {
    const user = { id: order.customerId, email, name: "Demo friend" };
    return order.type === "enrollment"
      ? {
          id: order.orderId,
          type: "Sale.created",
          created: now,
          hook_event_id: order.orderId,
          object: {
            id: order.orderId,
            final_price: order.amount,
            currency: "INR",
            coupon,
            user,
            product: { id: order.course },
          },
        }
      : {
          id: order.orderId,
          type: "Enrollment.completed",
          created: now,
          hook_event_id: order.orderId,
          object: { id: order.orderId, completed_at: now, user, course: { id: order.course } },
        };
  }
  if (platform === "thinkific") {
    const user = { id: order.customerId, email, first_name: "Demo", last_name: "Friend" };
    return order.type === "enrollment"
      ? {
          id: order.orderId,
          resource: "order",
          action: "created",
          created_at: now,
          payload: {
            id: order.orderId,
            amount_cents: order.amount,
            coupon,
            product_id: order.course,
            user,
            created_at: now,
          },
        }
      : {
          id: order.orderId,
          resource: "enrollment",
          action: "completed",
          created_at: now,
          payload: { id: order.orderId, completed_at: now, course: { id: order.course }, user },
        };
  }
  return [
    {
      id: order.orderId,
      type: "purchases",
      attributes: { amount_in_cents: order.amount, currency: "INR", coupon_code: order.code ?? null, created_at: now },
      relationships: {
        customer: { data: { id: order.customerId, type: "customers" } },
        offer: { data: { id: order.course, type: "offers" } },
      },
    },
    { id: order.customerId, type: "customers", attributes: { name: "Demo friend", email } },
  ];
}
