// Sign-in nonces in the offchain store. Consumption is one conditional UPDATE, so a message
// replayed concurrently, or on another replica, wins at most once.
import { randomBytes } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import type { Store } from "../store/db.js";
import { authNonce } from "../store/tables/auth.js";
import { NONCE_TTL_MS, nonceVerdict, type NonceVerdict } from "./siwe.js";

/** Expired nonces are kept a day (to answer "already used" rather than "unknown"), then deleted. */
const KEEP_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 60_000;
let lastPrune = 0;

export async function issueNonce(store: Store, now: Date): Promise<{ nonce: string; expiresAt: Date }> {
  // EIP-4361 nonces are alphanumeric; 128 random bits (viem's generateSiweNonce uses Math.random).
  const nonce = randomBytes(16).toString("hex");
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
  await store.db.insert(authNonce).values({ nonce, createdAt: now, expiresAt });
  if (now.getTime() - lastPrune > PRUNE_EVERY_MS) {
    lastPrune = now.getTime();
    await store.db.delete(authNonce).where(lt(authNonce.expiresAt, new Date(now.getTime() - KEEP_MS)));
  }
  return { nonce, expiresAt };
}

export async function consumeNonce(store: Store, nonce: string, issuedAt: Date, address: string, now: Date): Promise<NonceVerdict> {
  const [row] = await store.db.select().from(authNonce).where(eq(authNonce.nonce, nonce));
  const verdict = nonceVerdict(row ?? null, issuedAt, now);
  if (!verdict.ok) return verdict;
  const taken = await store.db
    .update(authNonce)
    .set({ usedAt: now, usedBy: address.toLowerCase() })
    .where(and(eq(authNonce.nonce, nonce), isNull(authNonce.usedAt)))
    .returning({ nonce: authNonce.nonce });
  if (taken.length === 0) return nonceVerdict({ ...row!, usedAt: now }, issuedAt, now);
  return verdict;
}
