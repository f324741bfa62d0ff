// Drizzle tables of the auth module, in the offchain schema (api/store/pgschema.ts). The DDL is
// api/store/migrations/0001_auth.ts (revokedToken: 0006_token_revocation.ts) and must match these definitions exactly.
import { bigint, index, integer, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

/** Sign-in (EIP-4361) nonces: issued by GET /api/auth/nonce, consumed once by POST /api/auth/verify. */
export const authNonce = offchain.table(
  "auth_nonce",
  {
    nonce: text("nonce").primaryKey(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Set once, atomically, by the sign-in that consumed it. */
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    usedBy: text("used_by"),
  },
  (t) => [index("auth_nonce_expires_idx").on(t.expiresAt)],
);

/** Request counters per fixed window, shared by every replica; the limit slides over two of them (api/auth/rate-limit.ts). */
export const rateLimitWindow = offchain.table(
  "rate_limit_window",
  {
    name: text("name").notNull(),
    client: text("client").notNull(),
    /** Unix seconds. */
    windowStart: bigint("window_start", { mode: "number" }).notNull(),
    windowEnd: bigint("window_end", { mode: "number" }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.client, t.windowStart] }), index("rate_limit_window_end_idx").on(t.windowEnd)],
);

/** Signed-out tokens (POST /api/auth/logout), refused by every replica until they would have expired, then deleted. */
export const revokedToken = offchain.table(
  "revoked_token",
  {
    /** sha256 of the token, hex: the store never holds a usable token. */
    tokenHash: text("token_hash").primaryKey(),
    address: text("address").notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("revoked_token_expires_idx").on(t.expiresAt)],
);
