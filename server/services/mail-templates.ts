/**
 * The emails' words and layout: each template renders a subject, an HTML part and a plain-text
 * part in English or Hindi, in the provider's name, logo and colour. No remote images but the
 * provider's own logo (no tracking pixels), every link into Chorus tagged `ch=email` (clicks
 * from mail count as the email channel), real headings, alt text, and the accent used only where
 * its text colour is chosen for contrast (black or white, whichever contrasts more).
 */
import { textOn } from "../lib/contrast.ts";
import { shareLinks } from "./referrals.ts";
import { reviewReasons } from "./review-reasons.ts";

export type MailLocale = "en" | "hi";

export type MailBrand = { name: string; logoUrl: string | null; color: string };

/** "A reward was earned", to the advocate whose friend's conversion earned it. */
export type RewardEarnedData = {
  /** The advocate's first name, when known. */
  firstName: string | null;
  /** The reward as words: "₹500.00 credit". */
  reward: string;
  /** Held until this day (ISO), or null when already approved. */
  holdUntil: string | null;
  /** The advocate's referral code, to share their link again. */
  shareCode: string | null;
  /** Held for a person's review: the fraud rules that flagged it (decision-log names); absent or null when not. */
  review?: string[] | null;
};

/** "Congratulations", to the learner whose completion was recorded: their link, their story, their credential. */
export type CompletionData = {
  /** The learner's first name, when known. */
  firstName: string | null;
  /** The learner's referral code (for this course, else their general one). */
  shareCode: string;
  /** The provider's page, where their story can be told; null when the program names none. */
  storyUrl: string | null;
  /** LinkedIn's "add to profile" link for a verified credential of theirs, when one is known. */
  addToLinkedIn: string | null;
};

/** "A friend joined", to the advocate whose link a friend followed to sign up, enrol or complete. */
export type FriendData = {
  /** The advocate's first name, when known. */
  firstName: string | null;
  /** The friend's first name, only when that friend consented to their name being shown; else null ("a friend"). */
  friendName: string | null;
  stage: "signup" | "enrollment" | "completion";
  /** The advocate's referral code, to share their link again. */
  shareCode: string | null;
};

/** "Your reward was approved / issued", to the advocate, when a person or the end of its hold moves it on. */
export type RewardStatusData = {
  firstName: string | null;
  /** The reward as words: "₹500.00 credit". */
  reward: string;
  status: "approved" | "issued";
  shareCode: string | null;
  /** How an issued reward reached the advocate (server/services/reward-delivery.ts, payout-batches.ts). */
  delivery?: RewardDelivery;
};

/** A coupon code to use on the next course, a credit on their Stripe customer balance, or a payout to their method. */
export type RewardDelivery =
  | { kind: "coupon"; code: string }
  | { kind: "credit" }
  | { kind: "cash"; method: string; batchId: string };

/** "You reached a milestone", to the advocate, with the bonus it earned and the next milestone if any. */
export type MilestoneData = {
  firstName: string | null;
  /** Rewarded referrals the milestone counts. */
  count: number;
  /** The bonus as words: "₹1,000.00 credit". */
  bonus: string;
  /** The next milestone of the program, if there is one. */
  next: { count: number; bonus: string } | null;
  shareCode: string | null;
};

/**
 * "Tell your story", days after a completion. The link is the workspace's hosted advocate page
 * (`slug`: no provider code needed) when it has one, else the provider's story page
 * (`storyUrl`); at send time it gains the one-time token (`chorus_story=`), minted from
 * `tokenId` with the server secret (story-request-tokens.ts), so neither token nor link is stored.
 */
export type StoryRequestData = {
  firstName: string | null;
  course: string;
  storyUrl: string | null;
  /** The hosted advocate page's slug when the mail was enqueued (absent in mail queued before it existed). */
  slug?: string | null;
  tokenId: string;
};

/** One kind of waiting work in the team digest: how many, the first few, and where in the dashboard. */
export type DigestSection = { count: number; items: string[] };

/** The team's digest: what waits for a person, in counts and the first few items. */
export type DigestData = {
  frequency: "daily" | "weekly";
  /** The day (ISO) the digest is for. */
  day: string;
  stories: DigestSection;
  rewards: DigestSection;
  holds: DigestSection;
};

/**
 * "Your sign-in link", to an address that asked on the hosted advocate page. The link's token is
 * never stored: the outbox keeps the link's id, and `url` is made from it with the server secret
 * at send time (server/services/magic-link-token.ts).
 */
export type SignInData = {
  /** The magic link's row id (magic_links.id). */
  linkId: string;
  /** The hosted page's slug, as it was when the link was asked for. */
  slug: string;
  /** How long the link works. */
  minutes: number;
  /** The link itself; filled in at send time, never stored. */
  url?: string;
};

/**
 * A dashboard link for a team member: an invitation or a sign-in link they asked for. As with
 * `sign-in`, the outbox keeps the link's id and `url` is made at send time (member-links.ts).
 */
export type TeamLinkData = {
  /** The link's row id (member_links.id). */
  linkId: string;
  purpose: "invite" | "sign-in";
  /** The member's role, named in an invitation. */
  role: string;
  /** How long an invitation works (days) or a sign-in link (minutes). */
  days: number;
  minutes: number;
  /** The link itself; filled in at send time, never stored. */
  url?: string;
};

export type MailTemplates = {
  "reward-earned": RewardEarnedData;
  "sign-in": SignInData;
  "team-link": TeamLinkData;
  completion: CompletionData;
  friend: FriendData;
  "reward-status": RewardStatusData;
  milestone: MilestoneData;
  "story-request": StoryRequestData;
  digest: DigestData;
};
export type MailTemplate = keyof MailTemplates;

export type RenderInput<T extends MailTemplate = MailTemplate> = {
  template: T;
  locale: MailLocale;
  data: MailTemplates[T];
  brand: MailBrand;
  /** The one-click unsubscribe link of this message's category; null for mail that was asked for (a sign-in link). */
  unsubscribeUrl: string | null;
  /** Chorus's public base URL: links into Chorus start with it. */
  publicUrl: string;
};

export type RenderedMail = { subject: string; html: string; text: string };

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );

/** The link with `ch=email` set (kept otherwise as given). */
export function emailLink(url: string): string {
  const link = new URL(url);
  link.searchParams.set("ch", "email");
  return link.toString();
}

/** One message's content, before the shared layout: paragraphs and links, the same in both parts. */
type Block =
  | { kind: "p"; text: string }
  | { kind: "h2"; text: string }
  | { kind: "button"; label: string; href: string }
  | { kind: "links"; links: { label: string; href: string }[] }
  | { kind: "list"; items: string[] };

type Body = { subject: string; heading: string; blocks: Block[]; footer: string; unsubscribe: string | null };

type Common = { greeting: (name: string | null) => string; logoAlt: (brand: string) => string };

const common: Record<MailLocale, Common> = {
  en: { greeting: (name) => (name ? `Hello ${name},` : "Hello,"), logoAlt: (brand) => `${brand} logo` },
  hi: { greeting: (name) => (name ? `नमस्ते ${name},` : "नमस्ते,"), logoAlt: (brand) => `${brand} का लोगो` },
};

type RewardWords = {
  subject: (d: RewardEarnedData, brand: string) => string;
  heading: string;
  earned: (reward: string) => string;
  held: (day: string) => string;
  approved: string;
  /** `why`: the fraud rules' reasons in plain words (review-reasons.ts). */
  review: (why: string) => string;
  share: string;
  footer: (brand: string) => string;
  unsubscribe: string;
};

const rewardWords: Record<MailLocale, RewardWords> = {
  en: {
    subject: (d, brand) => `You earned a reward from ${brand}: ${d.reward}`,
    heading: "You earned a reward",
    earned: (reward) => `A friend you referred joined, and you earned ${reward}.`,
    held: (day) => `It is on hold until ${day}, in case the purchase is refunded; then it is approved.`,
    approved: "It is approved.",
    review: (why) => `It is on hold until a person at the program checks it: ${why}.`,
    share: "Share your link again",
    footer: (brand) => `You receive this because you refer friends to ${brand}.`,
    unsubscribe: "Unsubscribe from reward emails",
  },
  hi: {
    subject: (d, brand) => `${brand} से आपको इनाम मिला: ${d.reward}`,
    heading: "आपको इनाम मिला",
    earned: (reward) => `आपके भेजे एक मित्र ने दाख़िला लिया, और आपको ${reward} मिला।`,
    held: (day) => `रिफ़ंड की स्थिति के लिए यह ${day} तक रुका है; उसके बाद स्वीकृत हो जाएगा।`,
    approved: "यह स्वीकृत है।",
    review: (why) => `प्रोग्राम का कोई व्यक्ति जाँच करेगा, तब तक यह रुका है: ${why}।`,
    share: "अपना लिंक फिर से साझा करें",
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि आप मित्रों को ${brand} से जोड़ते हैं।`,
    unsubscribe: "इनाम वाले ईमेल बंद करें",
  },
};

function rewardEarned(locale: MailLocale, data: RewardEarnedData, brand: string, publicUrl: string): Body {
  const w = rewardWords[locale];
  const share = data.shareCode ? emailLink(`${publicUrl}/r/${encodeURIComponent(data.shareCode)}`) : null;
  return {
    subject: w.subject(data, brand),
    heading: w.heading,
    blocks: [
      { kind: "p", text: common[locale].greeting(data.firstName) },
      { kind: "p", text: w.earned(data.reward) },
      {
        kind: "p",
        text: data.review
          ? w.review(reviewReasons(locale, data.review))
          : data.holdUntil
            ? w.held(data.holdUntil)
            : w.approved,
      },
      ...(share ? [{ kind: "button" as const, label: w.share, href: share }] : []),
    ],
    footer: w.footer(brand),
    unsubscribe: w.unsubscribe,
  };
}

type CompletionWords = {
  subject: (brand: string) => string;
  heading: string;
  done: (brand: string) => string;
  linkHeading: string;
  linkIntro: string;
  yourLink: string;
  shareMessage: (brand: string) => string;
  shareOn: { whatsapp: string; linkedin: string; x: string; email: string };
  storyHeading: string;
  storyIntro: string;
  story: string;
  credentialHeading: string;
  credential: string;
  footer: (brand: string) => string;
  unsubscribe: string;
};

const completionWords: Record<MailLocale, CompletionWords> = {
  en: {
    subject: (brand) => `Congratulations on completing your course with ${brand}`,
    heading: "Congratulations, you did it",
    done: (brand) => `You completed your course with ${brand}. Well done.`,
    linkHeading: "Bring a friend along",
    linkIntro: "Friends who join with your personal link are credited to you.",
    yourLink: "Your link",
    shareMessage: (brand) => `I just completed my course with ${brand}. Join with my link:`,
    shareOn: { whatsapp: "Share on WhatsApp", linkedin: "Share on LinkedIn", x: "Share on X", email: "Share by email" },
    storyHeading: "Tell your story",
    storyIntro: "A few lines about what you learned help the next learner decide.",
    story: "Tell your story",
    credentialHeading: "Your credential",
    credential: "Add your certificate to LinkedIn",
    footer: (brand) => `You receive this because you completed a course with ${brand}.`,
    unsubscribe: "Unsubscribe from course completion emails",
  },
  hi: {
    subject: (brand) => `${brand} के साथ कोर्स पूरा करने पर बधाई`,
    heading: "बधाई हो, आपने कर दिखाया",
    done: (brand) => `आपने ${brand} के साथ अपना कोर्स पूरा कर लिया। शाबाश।`,
    linkHeading: "किसी मित्र को साथ लाएँ",
    linkIntro: "जो मित्र आपके निजी लिंक से जुड़ते हैं, उनका श्रेय आपको मिलता है।",
    yourLink: "आपका लिंक",
    shareMessage: (brand) => `मैंने अभी ${brand} के साथ अपना कोर्स पूरा किया। मेरे लिंक से जुड़ें:`,
    shareOn: {
      whatsapp: "WhatsApp पर साझा करें",
      linkedin: "LinkedIn पर साझा करें",
      x: "X पर साझा करें",
      email: "ईमेल से साझा करें",
    },
    storyHeading: "अपनी कहानी बताएँ",
    storyIntro: "आपने क्या सीखा, इस पर कुछ पंक्तियाँ अगले शिक्षार्थी को निर्णय लेने में मदद करती हैं।",
    story: "अपनी कहानी बताएँ",
    credentialHeading: "आपका प्रमाणपत्र",
    credential: "अपना प्रमाणपत्र LinkedIn पर जोड़ें",
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि आपने ${brand} के साथ एक कोर्स पूरा किया।`,
    unsubscribe: "कोर्स पूरा होने वाले ईमेल बंद करें",
  },
};

function completion(locale: MailLocale, data: CompletionData, brand: string, publicUrl: string): Body {
  const w = completionWords[locale];
  const link = `${publicUrl}/r/${encodeURIComponent(data.shareCode)}`;
  // The share buttons tag each channel itself (ch=whatsapp…), so a friend's click is credited to it.
  const share = shareLinks({ link, message: w.shareMessage(brand) });
  return {
    subject: w.subject(brand),
    heading: w.heading,
    blocks: [
      { kind: "p", text: common[locale].greeting(data.firstName) },
      { kind: "p", text: w.done(brand) },
      { kind: "h2", text: w.linkHeading },
      { kind: "p", text: w.linkIntro },
      { kind: "button", label: w.yourLink, href: emailLink(link) },
      {
        kind: "links",
        links: (["whatsapp", "linkedin", "x", "email"] as const).map((channel) => ({
          label: w.shareOn[channel],
          href: share[channel],
        })),
      },
      ...(data.storyUrl
        ? [
            { kind: "h2" as const, text: w.storyHeading },
            { kind: "p" as const, text: w.storyIntro },
            { kind: "button" as const, label: w.story, href: emailLink(data.storyUrl) },
          ]
        : []),
      ...(data.addToLinkedIn
        ? [
            { kind: "h2" as const, text: w.credentialHeading },
            { kind: "button" as const, label: w.credential, href: data.addToLinkedIn },
          ]
        : []),
    ],
    footer: w.footer(brand),
    unsubscribe: w.unsubscribe,
  };
}

type FriendWords = {
  subject: (friend: string, stage: FriendData["stage"]) => string;
  aFriend: string;
  line: (friend: string, stage: FriendData["stage"], brand: string) => string;
  share: string;
  footer: (brand: string) => string;
  unsubscribe: string;
};

const friendWords: Record<MailLocale, FriendWords> = {
  en: {
    subject: (friend, stage) =>
      ({
        signup: `${friend} signed up with your link`,
        enrollment: `${friend} enrolled with your link`,
        completion: `${friend} completed their course`,
      })[stage],
    aFriend: "A friend",
    line: (friend, stage, brand) =>
      ({
        signup: `${friend} you referred signed up with ${brand}.`,
        enrollment: `${friend} you referred enrolled in a course with ${brand}.`,
        completion: `${friend} you referred completed their course with ${brand}.`,
      })[stage],
    share: "Share your link again",
    footer: (brand) => `You receive this because you refer friends to ${brand}.`,
    unsubscribe: "Unsubscribe from emails about your friends",
  },
  hi: {
    subject: (friend, stage) =>
      ({
        signup: `${friend} आपके लिंक से जुड़े`,
        enrollment: `${friend} ने आपके लिंक से दाख़िला लिया`,
        completion: `${friend} ने अपना कोर्स पूरा किया`,
      })[stage],
    aFriend: "एक मित्र",
    line: (friend, stage, brand) =>
      ({
        signup: `आपके भेजे ${friend} ${brand} से जुड़े।`,
        enrollment: `आपके भेजे ${friend} ने ${brand} के एक कोर्स में दाख़िला लिया।`,
        completion: `आपके भेजे ${friend} ने ${brand} के साथ अपना कोर्स पूरा किया।`,
      })[stage],
    share: "अपना लिंक फिर से साझा करें",
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि आप मित्रों को ${brand} से जोड़ते हैं।`,
    unsubscribe: "मित्रों के बारे में ईमेल बंद करें",
  },
};

function friend(locale: MailLocale, data: FriendData, brand: string, publicUrl: string): Body {
  const w = friendWords[locale];
  const who = data.friendName ?? w.aFriend;
  const share = data.shareCode ? emailLink(`${publicUrl}/r/${encodeURIComponent(data.shareCode)}`) : null;
  return {
    subject: w.subject(who, data.stage),
    heading: w.subject(who, data.stage),
    blocks: [
      { kind: "p", text: common[locale].greeting(data.firstName) },
      { kind: "p", text: w.line(who, data.stage, brand) },
      ...(share ? [{ kind: "button" as const, label: w.share, href: share }] : []),
    ],
    footer: w.footer(brand),
    unsubscribe: w.unsubscribe,
  };
}

const rewardStatusWords: Record<
  MailLocale,
  {
    subject: Record<RewardStatusData["status"], (reward: string) => string>;
    line: Record<RewardStatusData["status"], (reward: string, brand: string) => string>;
    delivery: { [K in RewardDelivery["kind"]]: (delivery: Extract<RewardDelivery, { kind: K }>) => string };
  }
> = {
  en: {
    delivery: {
      coupon: (d) => `Your coupon code for your next course: ${d.code}. Type it at checkout.`,
      credit: () => "It is a credit on your account: it comes off your next payment automatically.",
      cash: (d) => `It is paid to your payout method ${d.method} (batch ${d.batchId}).`,
    },
    subject: {
      approved: (reward) => `Your reward is approved: ${reward}`,
      issued: (reward) => `Your reward is on its way: ${reward}`,
    },
    line: {
      approved: (reward, brand) => `Your reward of ${reward} from ${brand} is approved; it will be issued to you next.`,
      issued: (reward, brand) => `${brand} has issued your reward of ${reward}. Thank you for spreading the word.`,
    },
  },
  hi: {
    delivery: {
      coupon: (d) => `आपके अगले कोर्स के लिए कूपन कोड: ${d.code}। इसे चेकआउट पर लिखें।`,
      credit: () => "यह आपके खाते में क्रेडिट है: आपके अगले भुगतान से अपने-आप कट जाएगा।",
      cash: (d) => `यह आपके भुगतान माध्यम ${d.method} पर भेजा गया है (बैच ${d.batchId})।`,
    },
    subject: {
      approved: (reward) => `आपका इनाम स्वीकृत हुआ: ${reward}`,
      issued: (reward) => `आपका इनाम भेज दिया गया: ${reward}`,
    },
    line: {
      approved: (reward, brand) => `${brand} से आपका ${reward} का इनाम स्वीकृत हो गया है; अगला कदम इसे आपको देना है।`,
      issued: (reward, brand) => `${brand} ने आपका ${reward} का इनाम दे दिया है। बात फैलाने के लिए धन्यवाद।`,
    },
  },
};

function deliveryLine(words: (typeof rewardStatusWords)[MailLocale]["delivery"], delivery: RewardDelivery): string {
  if (delivery.kind === "coupon") return words.coupon(delivery);
  if (delivery.kind === "cash") return words.cash(delivery);
  return words.credit(delivery);
}

function rewardStatus(locale: MailLocale, data: RewardStatusData, brand: string, publicUrl: string): Body {
  const w = rewardStatusWords[locale];
  const share = data.shareCode ? emailLink(`${publicUrl}/r/${encodeURIComponent(data.shareCode)}`) : null;
  return {
    subject: w.subject[data.status](data.reward),
    heading: w.subject[data.status](data.reward),
    blocks: [
      { kind: "p", text: common[locale].greeting(data.firstName) },
      { kind: "p", text: w.line[data.status](data.reward, brand) },
      ...(data.delivery ? [{ kind: "p" as const, text: deliveryLine(w.delivery, data.delivery) }] : []),
      ...(share ? [{ kind: "button" as const, label: rewardWords[locale].share, href: share }] : []),
    ],
    footer: rewardWords[locale].footer(brand),
    unsubscribe: rewardWords[locale].unsubscribe,
  };
}

const milestoneWords: Record<
  MailLocale,
  {
    subject: (count: number) => string;
    line: (count: number, bonus: string, brand: string) => string;
    next: (count: number, bonus: string) => string;
    last: string;
  }
> = {
  en: {
    subject: (count) => `You reached a milestone: ${count} friends referred`,
    line: (count, bonus, brand) =>
      `${count} friends you referred to ${brand} have joined, and that earned you a bonus of ${bonus}.`,
    next: (count, bonus) => `Next milestone: ${count} friends, for a bonus of ${bonus}.`,
    last: "That was the program's last milestone. Thank you for spreading the word.",
  },
  hi: {
    subject: (count) => `आपने एक पड़ाव पार किया: ${count} मित्र जोड़े`,
    line: (count, bonus, brand) => `आपके भेजे ${count} मित्र ${brand} से जुड़ चुके हैं, और इसके लिए आपको ${bonus} का बोनस मिला।`,
    next: (count, bonus) => `अगला पड़ाव: ${count} मित्र, ${bonus} के बोनस के लिए।`,
    last: "यह प्रोग्राम का आख़िरी पड़ाव था। बात फैलाने के लिए धन्यवाद।",
  },
};

function milestone(locale: MailLocale, data: MilestoneData, brand: string, publicUrl: string): Body {
  const w = milestoneWords[locale];
  const share = data.shareCode ? emailLink(`${publicUrl}/r/${encodeURIComponent(data.shareCode)}`) : null;
  return {
    subject: w.subject(data.count),
    heading: w.subject(data.count),
    blocks: [
      { kind: "p", text: common[locale].greeting(data.firstName) },
      { kind: "p", text: w.line(data.count, data.bonus, brand) },
      { kind: "p", text: data.next ? w.next(data.next.count, data.next.bonus) : w.last },
      ...(share ? [{ kind: "button" as const, label: rewardWords[locale].share, href: share }] : []),
    ],
    footer: rewardWords[locale].footer(brand),
    unsubscribe: rewardWords[locale].unsubscribe,
  };
}

const storyRequestWords: Record<
  MailLocale,
  {
    subject: (brand: string) => string;
    heading: string;
    line: (course: string) => string;
    ready: string;
    button: string;
    once: string;
    footer: (brand: string) => string;
    unsubscribe: string;
  }
> = {
  en: {
    subject: (brand) => `How did your course with ${brand} help you?`,
    heading: "Would you tell your story?",
    line: (course) => `A few weeks ago you completed ${course}. What has changed for you since?`,
    ready: "The form is filled in with your name and course: a few lines are enough, and you choose what is published.",
    button: "Tell your story",
    once: "The link works once and for 30 days.",
    footer: (brand) => `You receive this because you completed a course with ${brand}.`,
    unsubscribe: "Unsubscribe from story requests",
  },
  hi: {
    subject: (brand) => `${brand} के कोर्स से आपको क्या मदद मिली?`,
    heading: "क्या आप अपनी कहानी बताएँगे?",
    line: (course) => `कुछ समय पहले आपने ${course} पूरा किया। तब से आपके लिए क्या बदला है?`,
    ready: "फ़ॉर्म में आपका नाम और कोर्स पहले से भरा है: कुछ पंक्तियाँ काफ़ी हैं, और क्या प्रकाशित हो, यह आप चुनते हैं।",
    button: "अपनी कहानी बताएँ",
    once: "यह लिंक एक बार और 30 दिन तक काम करता है।",
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि आपने ${brand} के साथ एक कोर्स पूरा किया।`,
    unsubscribe: "कहानी के अनुरोध वाले ईमेल बंद करें",
  },
};

function storyRequest(locale: MailLocale, data: StoryRequestData, brand: string): Body {
  const w = storyRequestWords[locale];
  return {
    subject: w.subject(brand),
    heading: w.heading,
    blocks: [
      { kind: "p", text: common[locale].greeting(data.firstName) },
      { kind: "p", text: w.line(data.course) },
      { kind: "p", text: w.ready },
      { kind: "button", label: w.button, href: emailLink(data.storyUrl ?? "") },
      { kind: "p", text: w.once },
    ],
    footer: w.footer(brand),
    unsubscribe: w.unsubscribe,
  };
}

const digestWords: Record<
  MailLocale,
  {
    subject: (brand: string, frequency: DigestData["frequency"], day: string) => string;
    heading: Record<DigestData["frequency"], string>;
    intro: (day: string) => string;
    stories: (n: number) => string;
    rewards: (n: number) => string;
    holds: (n: number) => string;
    more: (n: number) => string;
    open: Record<"stories" | "rewards" | "holds", string>;
    footer: (brand: string) => string;
    unsubscribe: string;
  }
> = {
  en: {
    subject: (brand, frequency, day) => `${brand}: your ${frequency} Chorus digest for ${day}`,
    heading: { daily: "Your daily digest", weekly: "Your weekly digest" },
    intro: (day) => `What waits for a person in the referral program, as of ${day}.`,
    stories: (n) => `Stories awaiting moderation: ${n}`,
    rewards: (n) => `Rewards awaiting approval: ${n}`,
    holds: (n) => `Fraud holds to review: ${n}`,
    more: (n) => `and ${n} more`,
    open: { stories: "Moderate stories", rewards: "Approve rewards", holds: "Review fraud holds" },
    footer: (brand) => `You receive this because your address is on ${brand}'s digest list in Chorus.`,
    unsubscribe: "Unsubscribe from the digest",
  },
  hi: {
    subject: (brand, frequency, day) =>
      `${brand}: ${day} का आपका ${frequency === "daily" ? "दैनिक" : "साप्ताहिक"} Chorus सारांश`,
    heading: { daily: "आपका दैनिक सारांश", weekly: "आपका साप्ताहिक सारांश" },
    intro: (day) => `${day} तक रेफ़रल प्रोग्राम में किसी व्यक्ति की प्रतीक्षा में काम।`,
    stories: (n) => `मॉडरेशन की प्रतीक्षा में कहानियाँ: ${n}`,
    rewards: (n) => `स्वीकृति की प्रतीक्षा में इनाम: ${n}`,
    holds: (n) => `जाँच के लिए रोके गए (धोखाधड़ी की आशंका): ${n}`,
    more: (n) => `और ${n} अन्य`,
    open: { stories: "कहानियाँ मॉडरेट करें", rewards: "इनाम स्वीकृत करें", holds: "रोके गए इनाम जाँचें" },
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि आपका पता Chorus में ${brand} की सारांश सूची में है।`,
    unsubscribe: "सारांश वाले ईमेल बंद करें",
  },
};

/** Where each digest section is handled in the dashboard (its `#route`). */
const digestRoutes = { stories: "stories", rewards: "rewards", holds: "rewards" } as const;

function digest(locale: MailLocale, data: DigestData, brand: string, publicUrl: string): Body {
  const w = digestWords[locale];
  const sections = (["stories", "rewards", "holds"] as const).filter((name) => data[name].count > 0);
  return {
    subject: w.subject(brand, data.frequency, data.day),
    heading: w.heading[data.frequency],
    blocks: [
      { kind: "p", text: w.intro(data.day) },
      ...sections.flatMap((name): Block[] => {
        const section = data[name];
        const rest = section.count - section.items.length;
        return [
          { kind: "h2", text: w[name](section.count) },
          ...(section.items.length
            ? [{ kind: "list" as const, items: rest > 0 ? [...section.items, w.more(rest)] : section.items }]
            : []),
          { kind: "button", label: w.open[name], href: `${publicUrl}/dashboard#${digestRoutes[name]}` },
        ];
      }),
    ],
    footer: w.footer(brand),
    unsubscribe: w.unsubscribe,
  };
}

const signInWords: Record<
  MailLocale,
  {
    subject: (brand: string) => string;
    line: (brand: string, minutes: number) => string;
    button: string;
    ignore: string;
    footer: (brand: string) => string;
  }
> = {
  en: {
    subject: (brand) => `Your sign-in link for ${brand}`,
    line: (brand, minutes) =>
      `Use this link to see your referral link, rewards and story with ${brand}. It works once, for ${minutes} minutes.`,
    button: "Sign in",
    ignore: "If you did not ask for it, ignore this email: nobody can sign in without the link.",
    footer: (brand) => `You receive this because this address asked to sign in to ${brand}'s advocate page.`,
  },
  hi: {
    subject: (brand) => `${brand} के लिए आपका साइन-इन लिंक`,
    line: (brand, minutes) =>
      `${brand} के साथ अपना रेफ़रल लिंक, इनाम और कहानी देखने के लिए यह लिंक खोलें। यह एक बार, ${minutes} मिनट तक काम करता है।`,
    button: "साइन इन करें",
    ignore: "अगर आपने यह नहीं माँगा, तो इस ईमेल को अनदेखा करें: लिंक के बिना कोई साइन इन नहीं कर सकता।",
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि इस पते से ${brand} के पेज पर साइन इन माँगा गया।`,
  },
};

function signIn(locale: MailLocale, data: SignInData, brand: string): Body {
  const w = signInWords[locale];
  return {
    subject: w.subject(brand),
    heading: w.subject(brand),
    blocks: [
      { kind: "p", text: common[locale].greeting(null) },
      { kind: "p", text: w.line(brand, data.minutes) },
      { kind: "button", label: w.button, href: data.url ?? "" },
      { kind: "p", text: w.ignore },
    ],
    footer: w.footer(brand),
    // Asked for by the recipient, one at a time: there is nothing to unsubscribe from.
    unsubscribe: null,
  };
}

const teamLinkWords: Record<
  MailLocale,
  {
    inviteSubject: (brand: string) => string;
    inviteLine: (brand: string, role: string, days: number) => string;
    accept: string;
    signInSubject: (brand: string) => string;
    signInLine: (brand: string, minutes: number) => string;
    signIn: string;
    ignore: string;
    footer: (brand: string) => string;
    roles: Record<string, string>;
  }
> = {
  en: {
    inviteSubject: (brand) => `You are invited to ${brand}'s Chorus dashboard`,
    inviteLine: (brand, role, days) =>
      `You were invited to ${brand}'s referral dashboard as ${role}. The link works once, for ${days} days; after that, sign in with a passkey or an emailed link.`,
    accept: "Accept the invitation",
    signInSubject: (brand) => `Your sign-in link for ${brand}'s dashboard`,
    signInLine: (brand, minutes) =>
      `Use this link to sign in to ${brand}'s referral dashboard. It works once, for ${minutes} minutes.`,
    signIn: "Sign in",
    ignore: "If you did not expect this email, ignore it: nobody can sign in without the link.",
    footer: (brand) => `You receive this because of your place on ${brand}'s team.`,
    roles: { owner: "owner", marketer: "marketer", moderator: "moderator", finance: "finance", viewer: "viewer" },
  },
  hi: {
    inviteSubject: (brand) => `आपको ${brand} के Chorus डैशबोर्ड में आमंत्रित किया गया है`,
    inviteLine: (brand, role, days) =>
      `आपको ${brand} के रेफ़रल डैशबोर्ड में ${role} के रूप में आमंत्रित किया गया है। यह लिंक एक बार, ${days} दिन तक काम करता है; उसके बाद पासकी या ईमेल लिंक से साइन इन करें।`,
    accept: "आमंत्रण स्वीकार करें",
    signInSubject: (brand) => `${brand} के डैशबोर्ड के लिए आपका साइन-इन लिंक`,
    signInLine: (brand, minutes) =>
      `${brand} के रेफ़रल डैशबोर्ड में साइन इन करने के लिए यह लिंक खोलें। यह एक बार, ${minutes} मिनट तक काम करता है।`,
    signIn: "साइन इन करें",
    ignore: "अगर आपको यह ईमेल अपेक्षित नहीं था, तो इसे अनदेखा करें: लिंक के बिना कोई साइन इन नहीं कर सकता।",
    footer: (brand) => `आपको यह ईमेल ${brand} की टीम में आपकी भूमिका के कारण मिला।`,
    roles: { owner: "मालिक", marketer: "मार्केटर", moderator: "मॉडरेटर", finance: "वित्त", viewer: "दर्शक" },
  },
};

function teamLink(locale: MailLocale, data: TeamLinkData, brand: string): Body {
  const w = teamLinkWords[locale];
  const invite = data.purpose === "invite";
  const subject = invite ? w.inviteSubject(brand) : w.signInSubject(brand);
  return {
    subject,
    heading: subject,
    blocks: [
      { kind: "p", text: common[locale].greeting(null) },
      {
        kind: "p",
        text: invite
          ? w.inviteLine(brand, w.roles[data.role] ?? data.role, data.days)
          : w.signInLine(brand, data.minutes),
      },
      { kind: "button", label: invite ? w.accept : w.signIn, href: data.url ?? "" },
      { kind: "p", text: w.ignore },
    ],
    footer: w.footer(brand),
    // One link for one person, sent because of their place on the team: nothing to unsubscribe from.
    unsubscribe: null,
  };
}

function body(input: RenderInput): Body {
  const brand = input.brand.name;
  switch (input.template) {
    case "reward-earned":
      return rewardEarned(input.locale, input.data as RewardEarnedData, brand, input.publicUrl);
    case "completion":
      return completion(input.locale, input.data as CompletionData, brand, input.publicUrl);
    case "friend":
      return friend(input.locale, input.data as FriendData, brand, input.publicUrl);
    case "reward-status":
      return rewardStatus(input.locale, input.data as RewardStatusData, brand, input.publicUrl);
    case "milestone":
      return milestone(input.locale, input.data as MilestoneData, brand, input.publicUrl);
    case "story-request":
      return storyRequest(input.locale, input.data as StoryRequestData, brand);
    case "digest":
      return digest(input.locale, input.data as DigestData, brand, input.publicUrl);
    case "sign-in":
      return signIn(input.locale, input.data as SignInData, brand);
    case "team-link":
      return teamLink(input.locale, input.data as TeamLinkData, brand);
  }
}

/** Renders one message: subject, HTML and plain text, from the same words, in one layout. */
export function renderMail(input: RenderInput): RenderedMail {
  const { locale, brand, unsubscribeUrl } = input;
  const e = escapeHtml;
  const { subject, heading, blocks, footer, unsubscribe } = body(input);
  const textBlock = (block: Block): string[] => {
    switch (block.kind) {
      case "p":
        return [block.text];
      case "h2":
        return ["", block.text];
      case "button":
        return [`${block.label}: ${block.href}`];
      case "links":
        return block.links.map((link) => `- ${link.label}: ${link.href}`);
      case "list":
        return block.items.map((item) => `- ${item}`);
    }
  };
  const text = [
    brand.name,
    "",
    heading,
    "",
    ...blocks.flatMap(textBlock),
    "",
    "--",
    footer,
    ...(unsubscribe && unsubscribeUrl ? [`${unsubscribe}: ${unsubscribeUrl}`] : []),
    "",
  ].join("\n");
  const ink = textOn(brand.color);
  const htmlBlock = (block: Block): string => {
    switch (block.kind) {
      case "p":
        return `<p>${e(block.text)}</p>`;
      case "h2":
        return `<h2 style="font-size:18px;margin:24px 0 8px">${e(block.text)}</h2>`;
      case "button":
        return `<p><a href="${e(block.href)}" style="display:inline-block;padding:10px 16px;border-radius:6px;background:${brand.color};color:${ink};text-decoration:none;font-weight:bold">${e(block.label)}</a></p>`;
      case "links":
        return `<ul style="padding-left:20px">${block.links.map((link) => `<li><a href="${e(link.href)}" style="color:#1f2937">${e(link.label)}</a></li>`).join("")}</ul>`;
      case "list":
        return `<ul style="padding-left:20px">${block.items.map((item) => `<li>${e(item)}</li>`).join("")}</ul>`;
    }
  };
  const logo = brand.logoUrl
    ? `<img src="${e(brand.logoUrl)}" alt="${e(common[locale].logoAlt(brand.name))}" height="40" style="display:block;height:40px;border:0">`
    : `<p style="margin:0;font-size:20px;font-weight:bold">${e(brand.name)}</p>`;
  const html = `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
<body style="margin:0;padding:24px;background:#ffffff;color:#1f2937;font-family:system-ui,sans-serif;line-height:1.5">
<div style="max-width:560px;margin:0 auto">
<header style="border-bottom:4px solid ${brand.color};padding-bottom:12px">${logo}</header>
<main>
<h1 style="font-size:22px;margin:24px 0 12px">${e(heading)}</h1>
${blocks.map(htmlBlock).join("\n")}
</main>
<footer style="margin-top:32px;font-size:14px;color:#4b5563">
<p>${e(footer)}</p>
${unsubscribe && unsubscribeUrl ? `<p><a href="${e(unsubscribeUrl)}" style="color:#1f2937">${e(unsubscribe)}</a></p>\n` : ""}</footer>
</div>
</body>
</html>
`;
  return { subject, html, text };
}
