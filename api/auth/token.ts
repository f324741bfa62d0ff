// Sign-in tokens: HS256 JWTs `{ sub: checksummed address, roles, iat, exp, jti }` (hono/jwt). The
// random jti makes every sign-in's token its own, so signing one out leaves the others valid.
import { randomBytes } from "node:crypto";
import { sign, verify } from "hono/jwt";
import { JwtTokenExpired } from "hono/utils/jwt/types";
import { getAddress, isAddress, type Address } from "viem";
import type { StaticRole } from "./config.js";

export type IssuedToken = { token: string; expiresAt: Date };

export async function issueToken(secret: string, address: Address, roles: StaticRole[], ttlSeconds: number, now: Date): Promise<IssuedToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSeconds;
  const token = await sign({ sub: getAddress(address), roles, iat, exp, jti: randomBytes(16).toString("hex") }, secret, "HS256");
  return { token, expiresAt: new Date(exp * 1000) };
}

export type TokenCheck = { ok: true; address: Address; exp: number } | { ok: false; code: "token_expired" | "invalid_token"; message: string };

/** Signature, algorithm, `exp` (required) and the subject's shape; the roles are not trusted from it. */
export async function checkToken(secret: string, token: string): Promise<TokenCheck> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, "HS256")) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof JwtTokenExpired || (err as Error)?.name === "JwtTokenExpired") return { ok: false, code: "token_expired", message: "the token has expired: sign in again" };
    return { ok: false, code: "invalid_token", message: "the token is not valid: sign in again (POST /api/auth/verify)" };
  }
  const { sub, exp } = payload;
  if (typeof sub !== "string" || !isAddress(sub, { strict: false }) || typeof exp !== "number") {
    return { ok: false, code: "invalid_token", message: "the token lacks a subject address or an expiry: sign in again" };
  }
  return { ok: true, address: getAddress(sub), exp };
}
