/**
 * Why a reward is held for review, in plain words (the fraud rules' names from the decision log):
 * the reward email and the hosted advocate page say it alike. Its own module, so the advocate
 * page does not load every email's words (mail-templates.ts, loaded when mail is sent).
 */

/** Each fraud rule's reason in plain words; an unknown rule is told as a plain review (`default`). */
export const reviewReasonWords: Record<"en" | "hi", Record<string, string>> = {
  en: {
    "self-referral": "it looks as if the friend might be you",
    "disposable-email": "your friend signed up with a throwaway email address",
    velocity: "many friends joined through your link within one day",
    "bot-click": "the click on your link looked automated",
    default: "one of the program's checks asked for it",
  },
  hi: {
    "self-referral": "ऐसा लगता है कि मित्र शायद आप ही हैं",
    "disposable-email": "आपके मित्र ने अस्थायी ईमेल पते से साइन अप किया",
    velocity: "एक ही दिन में आपके लिंक से कई मित्र जुड़े",
    "bot-click": "आपके लिंक पर क्लिक स्वचालित लगा",
    default: "प्रोग्राम की एक जाँच ने इसकी माँग की",
  },
};

/** The reasons of the rules that held the reward, joined; the plain review reason when none is known. */
export function reviewReasons(locale: "en" | "hi", rules: string[]): string {
  const reasons = reviewReasonWords[locale];
  return (
    rules
      .map((rule) => reasons[rule])
      .filter(Boolean)
      .join("; ") ||
    reasons.default ||
    ""
  );
}
