// Bearer-token authentication and static roles for any router. `requireAuth` puts the caller in
// the context (a signed-out token is refused, on every replica: api/auth/revocations.ts); `requireRole` (after it) admits callers holding one of the roles. Roles come from
// the current configuration, not from the token, so removing an address from ADMIN_ADDRESSES
// takes effect at the next restart even for tokens already issued.
import type { Context, MiddlewareHandler } from "hono";
import { getAddress } from "viem";
import { errorBody } from "../http/errors.js";
import { rolesOf, type StaticRole } from "./config.js";
import { getStore } from "../store/db.js";
import { isRevoked } from "./revocations.js";
import { authConfig } from "./runtime.js";
import { checkToken } from "./token.js";

export type { StaticRole } from "./config.js";
export type Caller = { address: `0x${string}` /* checksummed */; roles: StaticRole[] };
/** The bearer token the caller sent, and when it expires (for sign-out). */
export type Session = { token: string; expiresAt: Date };
export type AuthEnv = { Variables: { caller: Caller; session: Session } };

function unauthorized(c: Context, code: string, message: string) {
  return c.json(errorBody(code, message), 401, { "WWW-Authenticate": `Bearer error="invalid_token"` });
}

export const requireAuth: MiddlewareHandler<AuthEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  if (header === undefined || header.trim() === "") {
    return unauthorized(c, "unauthorized", "sign in first: send Authorization: Bearer <token> (POST /api/auth/verify issues one)");
  }
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header.trim());
  if (!match) return unauthorized(c, "invalid_token", "the Authorization header must be `Bearer <token>` with the token POST /api/auth/verify issued");
  const config = authConfig();
  const token = match[1]!;
  const check = await checkToken(config.secret, token);
  if (!check.ok) return unauthorized(c, check.code, check.message);
  if (await isRevoked(await getStore(), token)) return unauthorized(c, "token_revoked", "this token was signed out (POST /api/auth/logout): sign in again");
  const address = getAddress(check.address);
  c.set("caller", { address, roles: rolesOf(config, address) });
  c.set("session", { token, expiresAt: new Date(check.exp * 1000) });
  await next();
};

export function requireRole(...roles: StaticRole[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const caller = c.get("caller");
    if (!caller) return unauthorized(c, "unauthorized", "sign in first: send Authorization: Bearer <token>");
    if (!caller.roles.some((r) => roles.includes(r))) {
      return c.json(errorBody("forbidden", `this requires the role ${roles.join(" or ")}; ${caller.address} has ${caller.roles.length ? caller.roles.join(", ") : "none"}`, { required: roles }), 403);
    }
    await next();
  };
}
