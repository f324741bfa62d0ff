// The cancellation policy: how a PAID booking's amount is split when a party cancels it. Pure;
// the API signs exactly this split (POST /api/sign/cancellation) and BookingEscrow.cancelBooking
// requires the four amounts to sum to the booking amount.
//
//   - The provider cancels: everything back to the customer (the provider let them down).
//   - The customer cancels within 24 h of payment (the booking's paid block timestamp): everything
//     back to the customer.
//   - The customer cancels later: a 10% cancellation fee (rounded down). The platform takes the
//     booking's platform fee rate of that fee (rounded down), the provider the rest of the fee;
//     the inviter gets nothing (nothing was delivered to invite for); the customer gets the amount
//     minus the fee.
// Every rounding goes towards the customer or the provider, and the four parts sum to the amount.
import { BPS } from "./fees.js";

export const FREE_CANCELLATION_SECONDS = 24n * 3600n;
export const LATE_CANCELLATION_FEE_BPS = 1_000n;

export type CancellingParty = "customer" | "provider";
export type CancellationRule = "provider_cancelled" | "customer_within_free_window" | "customer_late_fee";

export type CancellationSplit = {
  customerAmount: bigint;
  providerAmount: bigint;
  platformAmount: bigint;
  inviterAmount: bigint;
  rule: CancellationRule;
};

export type CancellationInput = {
  amount: bigint;
  /** The booking's platform fee rate, basis points. */
  platformFeeRate: bigint;
  /** Block timestamp of the payment (unix seconds). */
  paidAt: bigint;
  /** Now, unix seconds. */
  now: bigint;
  by: CancellingParty;
};

export function cancellationSplit(input: CancellationInput): CancellationSplit {
  const { amount, platformFeeRate, paidAt, now, by } = input;
  if (amount < 0n) throw new RangeError("negative amount");
  if (platformFeeRate < 0n || platformFeeRate > BPS) throw new RangeError(`platform fee rate out of range: ${platformFeeRate}`);
  const full = (rule: CancellationRule): CancellationSplit => ({ customerAmount: amount, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n, rule });
  if (by === "provider") return full("provider_cancelled");
  // A clock behind the payment (now < paidAt) counts as within the window.
  if (now - paidAt <= FREE_CANCELLATION_SECONDS) return full("customer_within_free_window");
  const fee = (amount * LATE_CANCELLATION_FEE_BPS) / BPS;
  const platformAmount = (fee * platformFeeRate) / BPS;
  return { customerAmount: amount - fee, providerAmount: fee - platformAmount, platformAmount, inviterAmount: 0n, rule: "customer_late_fee" };
}

/** A short reason for the chain when the caller gives none. */
export const DEFAULT_CANCELLATION_REASON: Record<CancellationRule, string> = {
  provider_cancelled: "cancelled by the provider",
  customer_within_free_window: "cancelled by the customer within 24 h",
  customer_late_fee: "cancelled by the customer after 24 h (10% fee)",
};
