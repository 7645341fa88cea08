/**
 * The people of the demo history: the advocates who share their links (a few bring most of the
 * clicks), where their friends are and which channels they use, and the names of friends.
 */
import type { Random } from "./random.ts";

export type Channel =
  | "whatsapp"
  | "linkedin"
  | "x"
  | "facebook"
  | "telegram"
  | "email"
  | "sms"
  | "copy"
  | "qr"
  | "direct";
const indiaChannels: Record<Channel, number> = {
  whatsapp: 38,
  linkedin: 18,
  copy: 10,
  telegram: 7,
  x: 5,
  facebook: 6,
  email: 5,
  sms: 4,
  qr: 3,
  direct: 4,
};
const globalChannels: Record<Channel, number> = {
  linkedin: 30,
  whatsapp: 16,
  x: 12,
  email: 12,
  copy: 10,
  facebook: 7,
  telegram: 4,
  sms: 2,
  qr: 3,
  direct: 4,
};

export type Advocate = {
  sub: string;
  name: string;
  email: string;
  course: string;
  /** Relative share of the program's clicks: a few advocates bring most of them. */
  pull: number;
  /** Where their friends are. */
  countries: Record<string, number>;
  channels: Record<Channel, number>;
};

export const advocates: Advocate[] = [
  ["sb-ananya", "Ananya Iyer", "data-analytics", 20, { IN: 90, AE: 5, US: 5 }, indiaChannels],
  ["sb-rohan", "Rohan Mehta", "data-analytics", 14, { IN: 85, GB: 5, SG: 5, US: 5 }, indiaChannels],
  ["sb-fatima", "Fatima Sheikh", "digital-marketing", 11, { IN: 70, AE: 20, SA: 10 }, indiaChannels],
  ["sb-arjun", "Arjun Reddy", "python-for-ai", 10, { IN: 80, US: 15, DE: 5 }, indiaChannels],
  ["sb-meera", "Meera Krishnan", "data-analytics", 9, { IN: 95, SG: 5 }, indiaChannels],
  ["sb-daniel", "Daniel Okafor", "data-analytics", 8, { NG: 60, GB: 20, KE: 10, IN: 10 }, globalChannels],
  ["sb-sofia", "Sofia Martínez", "digital-marketing", 6, { ES: 40, MX: 30, US: 20, IN: 10 }, globalChannels],
  ["sb-kabir", "Kabir Singh", "python-for-ai", 6, { IN: 85, CA: 15 }, indiaChannels],
  ["sb-aisha", "Aisha Rahman", "data-analytics", 5, { AE: 55, IN: 35, GB: 10 }, indiaChannels],
  ["sb-wei", "Wei Chen", "python-for-ai", 4, { SG: 60, MY: 20, IN: 20 }, globalChannels],
  ["sb-neha", "Neha Gupta", "digital-marketing", 4, { IN: 100 }, indiaChannels],
  ["sb-tom", "Tom Whitaker", "data-analytics", 3, { GB: 70, IE: 15, IN: 15 }, globalChannels],
].map(([sub, name, course, pull, countries, channels]) => ({
  sub: sub as string,
  name: name as string,
  email: `${(name as string)
    .normalize("NFD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase()
    .replace(" ", ".")}@example.com`,
  course: course as string,
  pull: pull as number,
  countries: countries as Record<string, number>,
  channels: channels as Record<Channel, number>,
}));

const firstNames = [
  "Aarav",
  "Diya",
  "Ishaan",
  "Kavya",
  "Vihaan",
  "Saanvi",
  "Aditya",
  "Anika",
  "Rahul",
  "Shreya",
  "Siddharth",
  "Tanvi",
  "Varun",
  "Nisha",
  "Amit",
  "Lakshmi",
  "Harpreet",
  "Zoya",
  "Farhan",
  "Divya",
  "Manoj",
  "Riya",
  "Suresh",
  "Gayatri",
  "James",
  "Emma",
  "Chinedu",
  "Amara",
  "Carlos",
  "Lucía",
  "Mei",
  "Omar",
  "Noura",
  "Liam",
  "Chloe",
  "Yusuf",
];
const lastNames = [
  "Sharma",
  "Verma",
  "Patel",
  "Nair",
  "Menon",
  "Joshi",
  "Kulkarni",
  "Banerjee",
  "Chatterjee",
  "Das",
  "Pillai",
  "Agarwal",
  "Kapoor",
  "Malhotra",
  "Bhat",
  "Hegde",
  "Khan",
  "Ali",
  "Smith",
  "Johnson",
  "Adeyemi",
  "García",
  "Tan",
  "Lim",
  "Haddad",
  "O'Brien",
];

export const ascii = (text: string) =>
  text
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();

export const userAgents = [
  "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
];

/** The advocate drawn for one visit, in proportion to their pull. */
export function pickIndex(random: Random, total: number): number {
  let roll = random.next() * total;
  for (const [index, advocate] of advocates.entries()) {
    roll -= advocate.pull;
    if (roll <= 0) return index;
  }
  return advocates.length - 1;
}

/** A friend of an advocate, or a learner who found a course alone. */
export function friendCustomer(random: Random, number: number) {
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  return {
    id: `sb-cust-${number}`,
    name: `${first} ${last}`,
    email: `${ascii(first)}.${ascii(last)}${number}@example.com`,
  };
}
