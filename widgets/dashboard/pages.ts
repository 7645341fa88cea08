/** The dashboard's pages: route (`#/route`) and the label of its link and heading, in menu order. */
export const pages = [
  ["overview", "Overview"],
  ["advocates", "Advocates"],
  ["courses", "Courses"],
  ["stories", "Stories"],
  ["rewards", "Rewards"],
  ["review", "Review"],
  ["payouts", "Payouts"],
  ["conversions", "Conversions"],
  ["integrations", "Integrations"],
  ["webhooks", "Webhooks"],
  ["mail", "Email"],
  ["settings", "Settings"],
  ["audit", "Audit"],
  ["team", "Team"],
] as const;
export type PageName = (typeof pages)[number][0];
