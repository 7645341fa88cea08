/**
 * A story's receipt from a plain link, without a key: `GET /v1/stories/{id}/receipt` (JSON, for
 * machines) and `GET /stories/{id}/receipt` (a page, for people). Approved stories only; the
 * receipt is public by design (services/story-receipt.ts).
 */
import { html } from "hono/html";
import { errorResponses } from "../errors.ts";
import { pageLocale } from "../lib/advocate-page-words.ts";
import { page } from "../lib/pages.ts";
import { receiptWords } from "../lib/receipt-page-words.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicReceipt, type StoryReceipt } from "../services/story-receipt.ts";
import { serviceContext } from "./context.ts";
import { StoryVerification, storyIdParam } from "./story-schemas.ts";

const getReceipt = apiRoute({
  method: "get",
  path: "/v1/stories/{id}/receipt",
  tags: ["Stories"],
  summary: "An approved story's receipt, from a plain link",
  description:
    "No key: the receipt of an approved story is public by design (how it was checked, never who the learner is). " +
    "People open the same receipt as a page at `/stories/{id}/receipt`.",
  security: [],
  request: { params: storyIdParam },
  responses: {
    200: { description: "The receipt", content: { "application/json": { schema: StoryVerification } } },
    ...errorResponses(404),
  },
});

function issuerLine(issuer: NonNullable<StoryReceipt["issuer"]>, words: ReturnType<typeof receiptWords>) {
  if (issuer.claimedName) return html`${issuer.id} (${words.claimsToBe(issuer.claimedName)})`;
  const own = issuer.name ?? issuer.id;
  // The provider's label goes beside the issuer's own name, never in its place.
  const label = issuer.label && issuer.label !== issuer.name ? html` (${words.listedAs(issuer.label)})` : "";
  return html`${own}${label}`;
}

export const storyReceiptRoutes = createRouter()
  .openapi(getReceipt, async (c) => {
    const {
      headline: _headline,
      course: _course,
      ...receipt
    } = await publicReceipt(serviceContext(c), {
      id: c.req.valid("param").id,
    });
    return c.json(receipt, 200);
  })
  .get("/stories/:id/receipt", async (c) => {
    const locale = pageLocale(c.req.query("lang"), c.req.header("Accept-Language"));
    const words = receiptWords(locale);
    const id = c.req.param("id");
    const receipt = await publicReceipt(serviceContext(c), { id });
    const jsonPath = `/v1/stories/${encodeURIComponent(id)}/receipt`;
    const credential = receipt.credential;
    return page(
      c,
      words.title,
      html`<h1>${words.title}</h1>
        <p><strong>${receipt.headline}</strong> (${receipt.course})</p>
        <h2>${words.level}</h2>
        <p data-level="${receipt.level}">${words.levels[receipt.level]}</p>
        ${receipt.issuer ? html`<p><strong>${words.issuer}:</strong> ${issuerLine(receipt.issuer, words)}</p>` : ""}
        ${credential?.name ? html`<p><strong>${words.credential}:</strong> ${credential.name}</p>` : ""}
        <p><strong>${words.checkedAt}:</strong> <time datetime="${receipt.checkedAt}">${receipt.checkedAt}</time></p>
        <h2>${words.checks}</h2>
        <ul>
          ${receipt.checks.map(
            (check) => html`<li><strong>${check.check}</strong>: ${words.result[check.result]}. ${check.detail}</li>`,
          )}
        </ul>
        <p><a href="${jsonPath}">${words.json}</a> · <a href="?lang=${locale === "en" ? "hi" : "en"}" lang="${locale === "en" ? "hi" : "en"}">${words.otherLanguage}</a></p>`,
      200,
      locale,
    );
  });
