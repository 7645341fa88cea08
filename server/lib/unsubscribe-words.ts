/**
 * The unsubscribe pages' words, in the language the workspace's emails are written in
 * (`mailLocale`), so the page a learner lands on speaks as the email they clicked did.
 */
import type { mailCategories } from "../services/mail-outbox.ts";

export type UnsubscribeLocale = "en" | "hi";

type Words = {
  title: string;
  question: (what: string) => string;
  button: string;
  doneTitle: string;
  done: (what: string) => string;
  /** What each category's emails are, as the question and the answer name them. */
  categories: Record<(typeof mailCategories)[number], string>;
};

export const unsubscribeWords: Record<UnsubscribeLocale, Words> = {
  en: {
    title: "Unsubscribe",
    question: (what) => `Stop receiving ${what} at this address?`,
    button: "Unsubscribe",
    doneTitle: "Unsubscribed",
    done: (what) => `You will receive no more ${what}. Other emails you asked for are not affected.`,
    categories: {
      rewards: "emails about your rewards",
      completion: "congratulations on completing a course",
      friends: "emails about the friends you referred",
      stories: "requests to tell your story",
      digest: "the team digest",
    },
  },
  hi: {
    title: "ईमेल बंद करें",
    question: (what) => `क्या इस पते पर ${what} बंद करें?`,
    button: "बंद करें",
    doneTitle: "ईमेल बंद हो गए",
    done: (what) => `अब आपको ${what} नहीं मिलेंगे। आपके माँगे दूसरे ईमेल पर इसका असर नहीं है।`,
    categories: {
      rewards: "आपके इनामों के बारे में ईमेल",
      completion: "कोर्स पूरा करने पर बधाई के ईमेल",
      friends: "आपके भेजे मित्रों के बारे में ईमेल",
      stories: "अपनी कहानी बताने के अनुरोध",
      digest: "टीम का सारांश ईमेल",
    },
  },
};
