// Sign-In with Ethereum (EIP-4361) message rules. Pure: what the message says is checked against
// what this deployment expects (domain, URI, chain, time); the nonce's record is judged by
// `nonceVerdict`. Signatures and the nonce table are handled by the route (api/auth/routes.ts).
//
// The domain and URI a message may name come from configuration, never from the request: a
// phishing site has the wallet sign a message for its own domain (the wallet shows no warning,
// since that is the page asking) and relays it here; taking the domain from its Host header would
// let that message in.
import { getAddress, isAddress, type Address } from "viem";
import { parseSiweMessage } from "viem/siwe";
import { isLoopbackHost } from "../../config/dev-server.js";

/**
 * Where sign-in messages may come from: listed domains (authorities, `host[:port]`) and URI
 * origins, or "loopback": any address of this machine, any port (the local network's default,
 * where only a page served from the developer's own machine can ask the wallet for such a message).
 */
export type SiwePolicy = { domains: string[] | "loopback"; uriOrigins: string[] | "loopback" };

/** Clocks of wallets and servers differ a little; more than this is a wrong or forged time. */
export const MAX_CLOCK_SKEW_MS = 60_000;
export const NONCE_TTL_MS = 5 * 60_000;
export const MAX_MESSAGE_LENGTH = 4096;

export type SiweFailureCode =
  | "invalid_siwe_message"
  | "domain_mismatch"
  | "uri_mismatch"
  | "chain_mismatch"
  | "issued_at_in_future"
  | "message_expired"
  | "not_yet_valid";

export type CheckedSiwe = { address: Address; nonce: string; issuedAt: Date; chainId: number; domain: string };

export type SiweCheck = { ok: true; value: CheckedSiwe } | { ok: false; code: SiweFailureCode; message: string };

const fail = (code: SiweFailureCode, message: string): SiweCheck => ({ ok: false, code, message });
const validDate = (d: Date | undefined): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/** The host of an authority (`host[:port]`, `[v6]:port`), lower-cased, without brackets. */
export function authorityHost(authority: string): string {
  const a = authority.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](:\d+)?$/.exec(a);
  if (v6) return v6[1]!;
  return a.replace(/:\d+$/, "");
}

/** The origin of a URI (`scheme://authority`), or null when it is not an http(s) URL. */
export function uriOrigin(uri: string): string | null {
  try {
    const u = new URL(uri);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : null;
  } catch {
    return null;
  }
}

export function domainAllowed(policy: SiwePolicy, domain: string): boolean {
  if (policy.domains === "loopback") return isLoopbackHost(authorityHost(domain));
  const d = domain.toLowerCase();
  return policy.domains.some((allowed) => allowed.toLowerCase() === d);
}

export function uriAllowed(policy: SiwePolicy, uri: string): boolean {
  const origin = uriOrigin(uri);
  if (origin === null) return false;
  if (policy.uriOrigins === "loopback") return isLoopbackHost(new URL(origin).hostname);
  return policy.uriOrigins.includes(origin);
}

const describeDomains = (policy: SiwePolicy) => (policy.domains === "loopback" ? "an address of this machine (localhost, 127.0.0.1, [::1])" : policy.domains.map((d) => `"${d}"`).join(" or "));
const describeOrigins = (policy: SiwePolicy) => (policy.uriOrigins === "loopback" ? "an http(s) address of this machine" : policy.uriOrigins.join(" or "));

/** `chainIds`: the chains this API serves; a message may name any of them. */
export function checkSiweMessage(raw: string, expected: { policy: SiwePolicy; chainIds: readonly number[]; now: Date }): SiweCheck {
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

  if (!domainAllowed(expected.policy, m.domain!)) {
    return fail("domain_mismatch", `the message is for domain "${m.domain}"; this API takes sign-ins for ${describeDomains(expected.policy)}`);
  }
  if (!uriAllowed(expected.policy, m.uri!)) {
    return fail("uri_mismatch", `the message's URI "${m.uri}" is not at ${describeOrigins(expected.policy)}`);
  }
  if (!expected.chainIds.includes(m.chainId!)) {
    const served = expected.chainIds.length === 1 ? `chain ${expected.chainIds[0]}` : `chains ${expected.chainIds.join(", ")}`;
    return fail("chain_mismatch", `the message is for chain ${m.chainId}, this API serves ${served}`);
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
