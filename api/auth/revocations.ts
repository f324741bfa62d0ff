// Sign-out. A token is a signed claim no server can take back, so signing out records the token
// (its hash) in the store until it would have expired: every replica reads the same table before
// it lets a token in.
import { createHash } from "node:crypto";
import { eq, lt } from "drizzle-orm";
import type { Store } from "../store/db.js";
import { revokedToken } from "../store/tables/auth.js";

const PRUNE_EVERY_MS = 60_000;
const lastPrune = new WeakMap<Store, number>();

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/** Records `token` as signed out until `expiresAt`; signing out twice is the same as once. */
export async function revokeToken(store: Store, token: string, address: string, expiresAt: Date, now: Date): Promise<void> {
  await store.db
    .insert(revokedToken)
    .values({ tokenHash: hashOf(token), address: address.toLowerCase(), revokedAt: now, expiresAt })
    .onConflictDoNothing();
  if (now.getTime() - (lastPrune.get(store) ?? 0) > PRUNE_EVERY_MS) {
    lastPrune.set(store, now.getTime());
    // An expired token is refused for its expiry anyway.
    await store.db.delete(revokedToken).where(lt(revokedToken.expiresAt, now));
  }
}

export async function isRevoked(store: Store, token: string): Promise<boolean> {
  const rows = await store.db.select({ h: revokedToken.tokenHash }).from(revokedToken).where(eq(revokedToken.tokenHash, hashOf(token))).limit(1);
  return rows.length > 0;
}
