// What a booking authorization may say. Pure: the request (already shape-checked by zod) and the
// caller's admin-ness in, the terms or the reason they are refused out. The contract's own limits
// (contracts/BookingEscrow.sol) are repeated here so a request the chain would refuse is never signed.
import { keccak256, toBytes, zeroAddress, type Address, type Hex } from "viem";
import { BPS } from "../../domain/fees.js";
import type { BookingAuthorization } from "./typed-data.js";

export const MAX_PLATFORM_FEE_RATE = 2_000n;
export const MAX_INVITER_FEE_RATE = 1_000n;
/** SPEC §1.1: 10% platform without an inviter; 5% platform + 5% inviter with one. */
export const DEFAULT_RATES = {
  withoutInviter: { platformFeeRate: 1_000n, inviterFeeRate: 0n },
  withInviter: { platformFeeRate: 500n, inviterFeeRate: 500n },
} as const;
/** splitCompletion multiplies the amount by a rate: a larger amount would overflow uint256 there, and the booking could never complete. */
export const MAX_BOOKING_AMOUNT = (2n ** 256n - 1n) / BPS;
export const AUTHORIZATION_TTL_SECONDS = 300n;

export type BookingRequest = {
  customer: Address;
  provider: Address;
  inviter?: Address | null;
  amount: bigint;
  platformFeeRate?: number;
  inviterFeeRate?: number;
};

/** An authorization's terms: everything but its id, expiry and nonce. */
export type BookingTerms = Omit<BookingAuthorization, "bookingId" | "expiry" | "nonce">;

export type Refusal = { status: 400 | 403; code: string; field: string; message: string };
export type TermsResult = { ok: true; terms: BookingTerms } | ({ ok: false } & Refusal);

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const refuse = (status: 400 | 403, code: string, field: string, message: string): TermsResult => ({ ok: false, status, code, field, message });

export function bookingTerms(req: BookingRequest, callerIsAdmin: boolean): TermsResult {
  const inviter = req.inviter && !same(req.inviter, zeroAddress) ? req.inviter : null;
  if (same(req.provider, zeroAddress)) return refuse(400, "invalid_request", "provider", "provider: must not be the zero address");
  if (same(req.provider, req.customer)) return refuse(400, "invalid_request", "provider", "provider: must differ from the customer (the signed-in caller)");
  // An inviter fee paid to a party of the booking would be a hidden discount or surcharge.
  if (inviter && (same(inviter, req.customer) || same(inviter, req.provider))) {
    return refuse(400, "invalid_request", "inviter", "inviter: must be neither the customer nor the provider");
  }
  if (req.amount <= 0n) return refuse(400, "invalid_request", "amount", "amount: must be greater than 0");
  if (req.amount > MAX_BOOKING_AMOUNT) return refuse(400, "invalid_request", "amount", `amount: must be at most ${MAX_BOOKING_AMOUNT}`);
  if ((req.platformFeeRate !== undefined || req.inviterFeeRate !== undefined) && !callerIsAdmin) {
    return refuse(403, "forbidden", req.platformFeeRate !== undefined ? "platformFeeRate" : "inviterFeeRate", "only an admin may set platformFeeRate or inviterFeeRate; leave them out for the default rates");
  }
  const defaults = inviter ? DEFAULT_RATES.withInviter : DEFAULT_RATES.withoutInviter;
  const platformFeeRate = req.platformFeeRate !== undefined ? BigInt(req.platformFeeRate) : defaults.platformFeeRate;
  const inviterFeeRate = req.inviterFeeRate !== undefined ? BigInt(req.inviterFeeRate) : defaults.inviterFeeRate;
  if (platformFeeRate < 0n || platformFeeRate > MAX_PLATFORM_FEE_RATE) {
    return refuse(400, "invalid_request", "platformFeeRate", `platformFeeRate: must be from 0 to ${MAX_PLATFORM_FEE_RATE} basis points`);
  }
  if (inviterFeeRate < 0n || inviterFeeRate > MAX_INVITER_FEE_RATE) {
    return refuse(400, "invalid_request", "inviterFeeRate", `inviterFeeRate: must be from 0 to ${MAX_INVITER_FEE_RATE} basis points`);
  }
  if (!inviter && inviterFeeRate !== 0n) return refuse(400, "invalid_request", "inviterFeeRate", "inviterFeeRate: must be 0 without an inviter");
  return { ok: true, terms: { customer: req.customer, provider: req.provider, inviter: inviter ?? zeroAddress, amount: req.amount, platformFeeRate, inviterFeeRate } };
}

/** The off-chain booking id of an authorization: unique because (signer, nonce) is. */
export function offchainBookingId(signer: Address, nonce: bigint): string {
  return `booking:${signer.toLowerCase()}:${nonce}`;
}

/** SPEC §1.1: booking ids are keccak256(utf8(offchain id)). */
export function bookingIdOf(offchainId: string): Hex {
  return keccak256(toBytes(offchainId));
}
