/** The words of a story's public receipt page (routes/story-receipt.ts), in English and Hindi. */
import type { PageLocale } from "./advocate-page-words.ts";

type Level = "self_reported" | "credential_genuine" | "provider_attested" | "credential_verified";

export type ReceiptWords = {
  title: string;
  level: string;
  levels: Record<Level, string>;
  checks: string;
  result: Record<"pass" | "fail" | "skip", string>;
  issuer: string;
  /** The provider's label for a trusted issuer, shown beside the issuer's own name. */
  listedAs: (label: string) => string;
  claimsToBe: (name: string) => string;
  credential: string;
  checkedAt: string;
  json: string;
  otherLanguage: string;
};

const en: ReceiptWords = {
  title: "How this story was checked",
  level: "Verification",
  levels: {
    credential_verified: "Verified by a credential issued to the author",
    provider_attested: "Completion confirmed by the course provider",
    credential_genuine: "A genuine credential, not shown to be the author's",
    self_reported: "Self-reported: nothing could be checked",
  },
  checks: "Checks",
  result: { pass: "passed", fail: "failed", skip: "not checked" },
  issuer: "Issuer",
  listedAs: (label) => `listed by the provider as ${label}`,
  claimsToBe: (name) => `claims to be ${name}; not on the provider's list of trusted issuers`,
  credential: "Credential",
  checkedAt: "Checked at",
  json: "This receipt as JSON",
  otherLanguage: "हिन्दी में देखें",
};

const hi: ReceiptWords = {
  title: "इस कहानी की जाँच कैसे हुई",
  level: "सत्यापन",
  levels: {
    credential_verified: "लेखक को जारी किए गए क्रेडेंशियल से सत्यापित",
    provider_attested: "कोर्स प्रदाता ने कोर्स पूरा होने की पुष्टि की",
    credential_genuine: "असली क्रेडेंशियल, पर यह लेखक का है, यह साबित नहीं हुआ",
    self_reported: "स्वयं बताई गई: कुछ भी जाँचा नहीं जा सका",
  },
  checks: "जाँचें",
  result: { pass: "सफल", fail: "असफल", skip: "जाँच नहीं हुई" },
  issuer: "जारीकर्ता",
  listedAs: (label) => `प्रदाता की सूची में ${label} नाम से`,
  claimsToBe: (name) => `${name} होने का दावा करता है; प्रदाता के भरोसेमंद जारीकर्ताओं की सूची में नहीं`,
  credential: "क्रेडेंशियल",
  checkedAt: "जाँच का समय",
  json: "यह रसीद JSON में",
  otherLanguage: "View in English",
};

export const receiptWords = (locale: PageLocale): ReceiptWords => (locale === "hi" ? hi : en);
