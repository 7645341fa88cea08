/**
 * `<chorus-story-form>` opened from a story request email's link (`?chorus_story=TOKEN` or the
 * `story-token` attribute): the form is pre-filled with the learner's name and course, and the
 * story is sent with the token instead of a learner token. Loaded only on such a page, so the
 * form's usual download does not grow.
 */
import { api } from "./lib/api.ts";
import { ChorusApiError } from "./lib/http.ts";
import { catalog, type Locale } from "./lib/i18n.ts";

/** What this code needs of `<chorus-story-form>`, by shape: importing the form's module would be an import cycle. */
type StoryForm = HTMLElement & {
  course: string;
  learnerToken: string;
  _headers?: Record<string, string>;
  _submitted: boolean;
  _failure: string;
  readonly locale: Locale;
  readonly updateComplete: Promise<boolean>;
  readonly renderRoot: HTMLElement | DocumentFragment;
};

const linkText = catalog(
  {
    used: "This link was already used: your story is in.",
    expired: "This link has expired.",
    unknown: "This link does not work. You can still tell your story here.",
  },
  () => import("./story-form-token.hi.ts"),
);

/** Pre-fills the form from the token, and has it sent with the submission; says so if the link no longer works. */
export async function useStoryToken(form: StoryForm, token: string): Promise<void> {
  const headers = { "Chorus-Story-Token": token };
  try {
    const filled = await api<{ name: string | null; course: string }>("/v1/stories/prefill", { headers });
    form._headers = headers;
    form.learnerToken = "";
    form.course = filled.course;
    await form.updateComplete;
    const name = form.renderRoot.querySelector<HTMLInputElement>("#name");
    if (name && filled.name && !name.value) name.value = filled.name;
  } catch (error) {
    const reason = error instanceof ChorusApiError ? error.details[0]?.message : "";
    await linkText.load(form.locale);
    form._submitted = true;
    form._failure = linkText(form.locale, reason === "used" || reason === "expired" ? reason : "unknown");
  }
}
