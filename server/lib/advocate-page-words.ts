/**
 * The hosted advocate page's words, in English and Hindi (the elements on it bring their own),
 * and the page's language: `?lang=` when given, else the browser's Accept-Language.
 */
export type PageLocale = "en" | "hi";

/** `?lang=hi|en` wins; else the first of Hindi or English in Accept-Language, by its weight; else English. */
export function pageLocale(query: string | undefined, acceptLanguage: string | undefined): PageLocale {
  if (query === "hi" || query === "en") return query;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().toLowerCase().split(";");
      const q = Number(
        params
          .find((p) => p.trim().startsWith("q="))
          ?.trim()
          .slice(2) ?? "1",
      );
      return { lang: tag.split("-")[0], q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => (entry.lang === "hi" || entry.lang === "en") && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.lang === "hi" ? "hi" : "en";
}

export type PageWords = {
  signInTitle: (brand: string) => string;
  signInIntro: string;
  email: string;
  emailHint: string;
  send: string;
  badEmail: string;
  checkTitle: string;
  check: (minutes: number) => string;
  checkOther: string;
  tooMany: string;
  confirmTitle: string;
  confirmIntro: string;
  confirm: string;
  goneTitle: string;
  gone: string;
  again: string;
  notFoundTitle: string;
  notFound: string;
  crossSite: string;
  hello: (name: string | null) => string;
  intro: (brand: string) => string;
  cardHeading: string;
  rewardsHeading: string;
  noRewards: string;
  milestonesHeading: string;
  milestoneProgress: (reached: number, next: number, bonus: string) => string;
  milestonesDone: (reached: number) => string;
  milestoneStep: (count: number, bonus: string, reached: boolean) => string;
  storyHeading: string;
  storyIntro: string;
  credentialHeading: string;
  addToLinkedIn: string;
  signOut: string;
  milestoneBonus: (count: number) => string;
  status: {
    heldUntil: (day: string) => string;
    review: (why: string) => string;
    approved: string;
    issued: string;
    refunded: string;
    void: string;
    pending: string;
  };
  language: string;
};

export const pageWords: Record<PageLocale, PageWords> = {
  en: {
    signInTitle: (brand) => `${brand}: your referrals`,
    signInIntro: "Enter your email and we will send you a sign-in link. No password needed.",
    email: "Email address",
    emailHint: "The address you enrolled with.",
    send: "Send me a sign-in link",
    badEmail: "Enter one plain email address, such as name@example.com (no spaces or special letters).",
    checkTitle: "Check your email",
    check: (minutes) =>
      `If this address may sign in here, a sign-in link is on its way. It works once, for ${minutes} minutes.`,
    checkOther: "Nothing arrived? Check your spam folder, or try the address you enrolled with.",
    tooMany: "Too many sign-in requests just now. Wait a few minutes and try again.",
    confirmTitle: "Sign in",
    confirmIntro: "Press the button to finish signing in on this device.",
    confirm: "Sign in",
    goneTitle: "This link no longer works",
    gone: "Sign-in links work once and only for 15 minutes. This one has been used or has expired.",
    again: "Send a new link",
    notFoundTitle: "Page not found",
    notFound: "There is no advocate page at this address.",
    crossSite: "This form can only be sent from this page.",
    hello: (name) => (name ? `Hello ${name}` : "Hello"),
    intro: (brand) => `Share ${brand} with friends, see what your sharing brought, and tell your story.`,
    cardHeading: "Your link",
    rewardsHeading: "Your rewards",
    noRewards: "No rewards yet. When a friend joins with your link, the reward shows here.",
    milestonesHeading: "Milestones",
    milestoneProgress: (reached, next, bonus) =>
      `${reached} of ${next} rewarded referrals: reach ${next} for a bonus of ${bonus}.`,
    milestonesDone: (reached) => `${reached} rewarded referrals: every milestone reached.`,
    milestoneStep: (count, bonus, reached) => `${count} referrals: ${bonus}${reached ? " (reached)" : ""}`,
    storyHeading: "Tell your story",
    storyIntro: "A few lines about what changed for you help the next learner decide.",
    credentialHeading: "Your credential",
    addToLinkedIn: "Add your certificate to LinkedIn",
    signOut: "Sign out",
    milestoneBonus: (count) => `Milestone bonus (${count} referrals)`,
    status: {
      heldUntil: (day) => `On hold until ${day}, in case the purchase is refunded; then approved.`,
      review: (why) => `On hold until a person at the program checks it: ${why}.`,
      approved: "Approved: it will be issued to you next.",
      issued: "Issued.",
      refunded: "Cancelled: your friend's purchase was refunded.",
      void: "Cancelled.",
      pending: "Pending.",
    },
    language: "हिन्दी में देखें",
  },
  hi: {
    signInTitle: (brand) => `${brand}: आपके रेफ़रल`,
    signInIntro: "अपना ईमेल लिखें, हम आपको साइन-इन लिंक भेजेंगे। पासवर्ड की ज़रूरत नहीं।",
    email: "ईमेल पता",
    emailHint: "वही पता जिससे आपने दाख़िला लिया था।",
    send: "मुझे साइन-इन लिंक भेजें",
    badEmail: "एक सामान्य ईमेल पता लिखें, जैसे name@example.com (बिना स्पेस या विशेष अक्षरों के)।",
    checkTitle: "अपना ईमेल देखें",
    check: (minutes) =>
      `अगर यह पता यहाँ साइन इन कर सकता है, तो साइन-इन लिंक भेजा जा रहा है। यह एक बार, ${minutes} मिनट तक काम करता है।`,
    checkOther: "कुछ नहीं आया? स्पैम फ़ोल्डर देखें, या वह पता आज़माएँ जिससे आपने दाख़िला लिया था।",
    tooMany: "अभी बहुत सारे साइन-इन अनुरोध आए हैं। कुछ मिनट रुककर फिर कोशिश करें।",
    confirmTitle: "साइन इन करें",
    confirmIntro: "इस डिवाइस पर साइन इन पूरा करने के लिए बटन दबाएँ।",
    confirm: "साइन इन करें",
    goneTitle: "यह लिंक अब काम नहीं करता",
    gone: "साइन-इन लिंक एक बार और केवल 15 मिनट तक काम करते हैं। यह लिंक इस्तेमाल हो चुका है या इसकी समय-सीमा ख़त्म हो गई है।",
    again: "नया लिंक भेजें",
    notFoundTitle: "पेज नहीं मिला",
    notFound: "इस पते पर कोई पेज नहीं है।",
    crossSite: "यह फ़ॉर्म केवल इसी पेज से भेजा जा सकता है।",
    hello: (name) => (name ? `नमस्ते ${name}` : "नमस्ते"),
    intro: (brand) => `${brand} को मित्रों के साथ साझा करें, देखें कि आपके साझा करने से क्या मिला, और अपनी कहानी बताएँ।`,
    cardHeading: "आपका लिंक",
    rewardsHeading: "आपके इनाम",
    noRewards: "अभी कोई इनाम नहीं। जब कोई मित्र आपके लिंक से जुड़ेगा, इनाम यहाँ दिखेगा।",
    milestonesHeading: "पड़ाव",
    milestoneProgress: (reached, next, bonus) =>
      `${next} में से ${reached} रेफ़रल पर इनाम: ${next} तक पहुँचने पर ${bonus} का बोनस।`,
    milestonesDone: (reached) => `${reached} रेफ़रल पर इनाम: हर पड़ाव पूरा।`,
    milestoneStep: (count, bonus, reached) => `${count} रेफ़रल: ${bonus}${reached ? " (पूरा)" : ""}`,
    storyHeading: "अपनी कहानी बताएँ",
    storyIntro: "आपके लिए क्या बदला, इस पर कुछ पंक्तियाँ अगले शिक्षार्थी को निर्णय लेने में मदद करती हैं।",
    credentialHeading: "आपका प्रमाणपत्र",
    addToLinkedIn: "अपना प्रमाणपत्र LinkedIn पर जोड़ें",
    signOut: "साइन आउट करें",
    milestoneBonus: (count) => `पड़ाव बोनस (${count} रेफ़रल)`,
    status: {
      heldUntil: (day) => `रिफ़ंड की स्थिति के लिए ${day} तक रुका है; उसके बाद स्वीकृत।`,
      review: (why) => `प्रोग्राम का कोई व्यक्ति जाँच करेगा, तब तक रुका है: ${why}।`,
      approved: "स्वीकृत: अगला कदम इसे आपको देना है।",
      issued: "दे दिया गया।",
      refunded: "रद्द: आपके मित्र की ख़रीद का पैसा लौटाया गया।",
      void: "रद्द।",
      pending: "लंबित।",
    },
    language: "View in English",
  },
};
