/**
 * Password hashing for team members who have neither a passkey nor mail: scrypt (memory-hard,
 * RFC 7914) from @noble/hashes, pure JS, so the same code runs on Node and Workers. Each hash has
 * its own random 16-byte salt and is stored as a PHC string with its parameters
 * (`$scrypt$ln=14,r=8,p=1$<salt>$<hash>`, unpadded base64), so the cost can be raised later:
 * old hashes still verify with their own parameters and are rewritten at the next sign-in
 * (`needsRehash`). Comparison takes the same time wherever the bytes differ.
 *
 * N = 2^14, r = 8, p = 1 uses 16 MiB and took about 68 ms of CPU per hash on Node 20 (measured
 * on the build machine; it runs in slices of 10 ms so other requests are served meanwhile).
 */
/** The parameters new hashes get. */
export const currentParams = { ln: 14, r: 8, p: 1 } as const;
type Params = { ln: number; r: number; p: number };

const keyBytes = 32;
const saltBytes = 16;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "");
}

function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]+$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Typed the same way on any keyboard or platform: the same bytes (NFKC, as RFC 8265 suggests). */
export const normalisePassword = (password: string) => password.normalize("NFKC");

/** scrypt is loaded by the first password checked or set, not at start-up (worker.build.ts). */
async function derive(password: string, salt: Uint8Array, { ln, r, p }: Params): Promise<Uint8Array> {
  const { scryptAsync } = await import("@noble/hashes/scrypt.js");
  return scryptAsync(normalisePassword(password), salt, { N: 2 ** ln, r, p, dkLen: keyBytes });
}

/** A new PHC string for `password`, with a fresh salt and the current parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(saltBytes));
  const key = await derive(password, salt, currentParams);
  const { ln, r, p } = currentParams;
  return `$scrypt$ln=${ln},r=${r},p=${p}$${base64(salt)}$${base64(key)}`;
}

/**
 * A stored string's parts, or null when it is not one of ours. The parameters are bounded, so a
 * tampered row cannot make one sign-in allocate gigabytes.
 */
function parse(stored: string): { params: Params; salt: Uint8Array; key: Uint8Array } | null {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([^$]+)\$([^$]+)$/.exec(stored);
  if (!match) return null;
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return null;
  const salt = fromBase64(match[4] ?? "");
  const key = fromBase64(match[5] ?? "");
  if (!salt || !key || key.length !== keyBytes) return null;
  return { params, salt, key };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Whether `password` matches the stored hash (a malformed hash matches nothing). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  return sameBytes(await derive(password, parsed.salt, parsed.params), parsed.key);
}

/** Whether a stored hash was made with weaker parameters than new ones get. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { ln, r, p } = parsed.params;
  return ln < currentParams.ln || r < currentParams.r || p < currentParams.p;
}

let dummy: Promise<string> | undefined;

/**
 * Spends what checking a real password costs, for sign-ins with no password to check (an unknown
 * address, or a member without one), so the answer's timing does not tell them apart.
 */
export async function verifyNothing(password: string): Promise<void> {
  dummy ??= hashPassword(base64(crypto.getRandomValues(new Uint8Array(saltBytes))));
  await verifyPassword(password, await dummy);
}

/** The most common passwords of 12 characters or more in public breach lists (shorter ones fail the length rule). */
const common = new Set([
  "123456789012",
  "1234567890123",
  "12345678901234",
  "123456123456",
  "123123123123",
  "111111111111",
  "000000000000",
  "password1234",
  "passwordpassword",
  "qwertyuiop12",
  "qwertyuiopasdfghjkl",
  "1q2w3e4r5t6y",
  "iloveyou1234",
  "abcdefghijkl",
  "abc123abc123",
]);

export const passwordMinLength = 12;
export const passwordMaxLength = 256;

/** Why a new password is refused, or null: too short, too long, common, one repeated character, or the address. */
export function passwordProblem(password: string, email: string): string | null {
  const characters = [...normalisePassword(password)];
  if (characters.length < passwordMinLength) return `A password needs at least ${passwordMinLength} characters`;
  if (characters.length > passwordMaxLength) return `A password has at most ${passwordMaxLength} characters`;
  const lower = characters.join("").toLowerCase();
  if (common.has(lower) || new Set(characters).size === 1 || lower === email.trim().toLowerCase())
    return "This password is among the first ones guessed: choose another";
  return null;
}
