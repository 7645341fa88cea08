/**
 * Learner tokens: JWTs (HS256) that the provider's server signs with the workspace's token
 * secret, so a widget can act for one learner without Chorus holding passwords.
 */
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { DomainError } from "./errors.ts";
import type { ServiceContext, Workspace } from "./types.ts";

export const LearnerClaims = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.email().max(320).optional(),
});

export type LearnerClaims = z.infer<typeof LearnerClaims>;

const keyOf = (tokenSecret: string) => new TextEncoder().encode(tokenSecret);

/** The claims of a learner token signed with the workspace's token secret, or a refusal (401). */
export async function verifyLearnerToken(
  { clock, workspace }: Pick<ServiceContext, "clock"> & { workspace: Pick<Workspace, "tokenSecret"> },
  { token }: { token: string },
): Promise<LearnerClaims> {
  try {
    const { payload } = await jwtVerify(token, keyOf(workspace.tokenSecret), {
      algorithms: ["HS256"],
      currentDate: clock.now(),
      clockTolerance: 30,
      // A token without an expiry would act for its learner forever once leaked.
      requiredClaims: ["sub", "exp"],
    });
    const claims = LearnerClaims.safeParse(payload);
    if (!claims.success) throw new DomainError("unauthorized", "Learner token claims are invalid", claims.error.issues);
    return claims.data;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof errors.JWTExpired) throw new DomainError("unauthorized", "Learner token has expired");
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === "exp")
      throw new DomainError("unauthorized", "Learner token needs an expiry (`exp`)");
    throw new DomainError("unauthorized", "Learner token is invalid for this workspace");
  }
}

/** Signs a learner token, as a provider's server would (used by the CLI, the demo and tests). */
export async function mintLearnerToken(options: {
  claims: LearnerClaims;
  tokenSecret: string;
  /** When it is issued; now when absent. */
  now?: Date | undefined;
  ttlSeconds?: number | undefined;
}): Promise<string> {
  const { claims, tokenSecret } = options;
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? 3600))
    .sign(keyOf(tokenSecret));
}
