/**
 * A small sample event per platform, for the integrations page's test button (shaped as each
 * platform documents its webhooks: tests/fixtures/ has the full examples and their sources).
 */
export const integrationSamples: Record<string, unknown> = {
  teachable: {
    id: 1,
    type: "Sale.created",
    created: "2026-01-15T09:00:00Z",
    hook_event_id: 1,
    object: {
      id: 1,
      final_price: 49900,
      currency: "INR",
      coupon: { code: "YOURCODE" },
      user: { id: 1, email: "learner@example.com", name: "Learner" },
      product: { id: 1001, name: "Your course" },
    },
  },
  thinkific: {
    id: "1",
    resource: "order",
    action: "created",
    created_at: "2026-01-15T09:00:00Z",
    payload: {
      id: 1,
      amount_cents: 4900,
      coupon: { code: "YOURCODE" },
      product_id: 1001,
      user: { id: 1, email: "learner@example.com", first_name: "Learner" },
    },
  },
  kajabi: [
    {
      id: "1",
      type: "purchases",
      attributes: {
        amount_in_cents: 4900,
        currency: "USD",
        coupon_code: "YOURCODE",
        created_at: "2026-01-15T09:00:00Z",
      },
      relationships: {
        customer: { data: { id: "1", type: "customers" } },
        offer: { data: { id: "1001", type: "offers" } },
      },
    },
    { id: "1", type: "customers", attributes: { name: "Learner", email: "learner@example.com" } },
  ],
  custom: {
    action: "course_completed",
    hook_id: "1",
    user: { user_email: "learner@example.com", display_name: "Learner" },
    course: { slug: "data-analytics" },
  },
};

/** A starting mapping for a LearnDash-style payload (the custom sample above). */
export const sampleMapping = {
  id: { pointer: "/hook_id" },
  type: { pointer: "/action" },
  types: { course_enrolled: "enrollment", course_completed: "completion" },
  email: { pointer: "/user/user_email" },
  name: { pointer: "/user/display_name" },
  course: { pointer: "/course/slug" },
};
