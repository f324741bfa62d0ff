// Sign-In with Ethereum (EIP-4361) message rules. Pure: what the message says is checked against
// what this deployment expects (domain, chain, time); the nonce's record is judged by
// `nonceVerdict`. Signatures and the nonce table are handled by the route (api/auth/routes.ts).
import { getAddress, isAddress, type Address } from "viem";
import { parseSiweMessage } from "viem/siwe";

/** Clocks of wallets and servers differ a little; more than this is a wrong or forged time. */
export const MAX_CLOCK_SKEW_MS = 60_000;
export const NONCE_TTL_MS = 5 * 60_000;
export const MAX_MESSAGE_LENGTH = 4096;

export type SiweFailureCode =
  | "invalid_siwe_message"
  | "domain_mismatch"
  | "chain_mismatch"
  | "issued_at_in_future"
  | "message_expired"
  | "not_yet_valid";

export type CheckedSiwe = { address: Address; nonce: string; issuedAt: Date; chainId: number; domain: string };

export type SiweCheck = { ok: true; value: CheckedSiwe } | { ok: false; code: SiweFailureCode; message: string };

const fail = (code: SiweFailureCode, message: string): SiweCheck => ({ ok: false, code, message });
const validDate = (d: Date | undefined): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

export function checkSiweMessage(raw: string, expected: { domain: string; chainId: number; now: Date }): SiweCheck {
  if (raw.length > MAX_MESSAGE_LENGTH) return fail("invalid_siwe_message", `message: longer than ${MAX_MESSAGE_LENGTH} characters`);
  const m = parseSiweMessage(raw);
  const missing = (["domain", "address", "uri", "version", "chainId", "nonce", "issuedAt"] as const).filter((k) => m[k] === undefined);
  if (missing.length > 0) {
    return fail("invalid_siwe_message", `message: not an EIP-4361 sign-in message (missing ${missing.join(", ")}); create it with viem's createSiweMessage or siwe`);
  }
  if (m.version !== "1") return fail("invalid_siwe_message", `message: Version must be 1, got "${m.version}"`);
  if (!isAddress(m.address!, { strict: false })) return fail("invalid_siwe_message", "message: the address line is not an address");
  if (!/^[a-zA-Z0-9]{8,}$/.test(m.nonce!)) return fail("invalid_siwe_message", "message: Nonce must be at least 8 letters or digits");
  if (!validDate(m.issuedAt)) return fail("invalid_siwe_message", "message: Issued At is not an RFC 3339 date-time");
  if (m.expirationTime !== undefined && !validDate(m.expirationTime)) return fail("invalid_siwe_message", "message: Expiration Time is not an RFC 3339 date-time");
  if (m.notBefore !== undefined && !validDate(m.notBefore)) return fail("invalid_siwe_message", "message: Not Before is not an RFC 3339 date-time");

  if (m.domain !== expected.domain) {
    return fail("domain_mismatch", `the message is for domain "${m.domain}", this API is "${expected.domain}"`);
  }
  if (m.chainId !== expected.chainId) {
    return fail("chain_mismatch", `the message is for chain ${m.chainId}, this API serves chain ${expected.chainId}`);
  }
  const now = expected.now.getTime();
  if (m.issuedAt.getTime() > now + MAX_CLOCK_SKEW_MS) return fail("issued_at_in_future", "Issued At is in the future: check the device's clock");
  if (m.expirationTime !== undefined && m.expirationTime.getTime() <= now) return fail("message_expired", "the message's Expiration Time has passed: sign a new one");
  if (m.notBefore !== undefined && m.notBefore.getTime() > now + MAX_CLOCK_SKEW_MS) return fail("not_yet_valid", "the message's Not Before time has not come yet");

  return { ok: true, value: { address: getAddress(m.address!), nonce: m.nonce!, issuedAt: m.issuedAt, chainId: m.chainId!, domain: m.domain! } };
}

export type NonceRecord = { createdAt: Date; expiresAt: Date; usedAt: Date | null };

export type NonceVerdict = { ok: true } | { ok: false; code: "nonce_unknown" | "nonce_used" | "nonce_expired" | "issued_before_nonce"; message: string };

/** Whether a sign-in message may consume this nonce record (null: never issued here). */
export function nonceVerdict(record: NonceRecord | null, issuedAt: Date, now: Date): NonceVerdict {
  if (record === null) return { ok: false, code: "nonce_unknown", message: "the message's nonce was not issued by this API: get one from GET /api/auth/nonce" };
  if (record.usedAt !== null) return { ok: false, code: "nonce_used", message: "the message's nonce has already been used: get a new nonce and sign again" };
  if (record.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "nonce_expired", message: "the message's nonce has expired: get a new nonce and sign again" };
  // A message cannot have been written before its nonce existed: an older Issued At is made up.
  if (issuedAt.getTime() < record.createdAt.getTime() - MAX_CLOCK_SKEW_MS) {
    return { ok: false, code: "issued_before_nonce", message: "Issued At is earlier than the nonce it carries: sign a fresh message" };
  }
  return { ok: true };
}
