// BookingEscrow money rules, mirrored from contracts/BookingEscrow.sol so the index can show the
// expected split of a booking before it settles and attribute every payout to an account and role.
// Pure: no I/O. The figures the contract emits always win; these only fill in what a log lacks.

export const BPS = 10_000n;

/** Role under which BookingEscrow pays an account (`earnings(account)` sums all three). */
export type EarningRole = "PROVIDER" | "INVITER" | "PLATFORM";

export type Address = `0x${string}`;

export type CompletionSplit = { providerAmount: bigint; platformFee: bigint; inviterFee: bigint };

/** `BookingEscrow.splitCompletion`: fees round down, the provider receives the remainder. */
export function splitCompletion(amount: bigint, platformFeeRate: bigint, inviterFeeRate: bigint): CompletionSplit {
  if (amount < 0n || platformFeeRate < 0n || inviterFeeRate < 0n) throw new RangeError("negative amount or rate");
  const platformFee = (amount * platformFeeRate) / BPS;
  const inviterFee = (amount * inviterFeeRate) / BPS;
  const providerAmount = amount - platformFee - inviterFee;
  if (providerAmount < 0n) throw new RangeError("fee rates above 100%");
  return { providerAmount, platformFee, inviterFee };
}

export type Payout = { role: EarningRole; account: Address; amount: bigint };

export type Payees = {
  provider: Address;
  /** null when the booking has no inviter. */
  inviter: Address | null;
  /** The escrow's platform wallet at the time of the payout. */
  platformWallet: Address;
};

/**
 * The earnings credited by one settlement, in the contract's order (provider, platform, inviter).
 * Zero amounts are skipped, as `_payOut` skips them: they never touch `earnings`.
 * The customer's refund on cancellation is not earnings and is not listed.
 */
export function settlementPayouts(
  payees: Payees,
  amounts: { providerAmount: bigint; platformAmount: bigint; inviterAmount: bigint },
): Payout[] {
  const payouts: Payout[] = [];
  if (amounts.providerAmount > 0n) payouts.push({ role: "PROVIDER", account: payees.provider, amount: amounts.providerAmount });
  if (amounts.platformAmount > 0n) payouts.push({ role: "PLATFORM", account: payees.platformWallet, amount: amounts.platformAmount });
  if (amounts.inviterAmount > 0n) {
    if (payees.inviter === null) throw new Error("inviter amount without an inviter");
    payouts.push({ role: "INVITER", account: payees.inviter, amount: amounts.inviterAmount });
  }
  return payouts;
}

/**
 * A cancellation is an emergency one when neither party cancelled: `emergencyCancelBooking` is
 * called by the owner or an operator and refunds the customer in full.
 */
export function isEmergencyCancellation(cancelledBy: Address, customer: Address, provider: Address): boolean {
  const by = cancelledBy.toLowerCase();
  return by !== customer.toLowerCase() && by !== provider.toLowerCase();
}

/** Basis points as a JS number, for columns and GraphQL; rates are bounded by the contracts (≤ 10 000). */
export function bpsToNumber(bps: bigint): number {
  if (bps < 0n || bps > BPS) throw new RangeError(`basis points out of range: ${bps}`);
  return Number(bps);
}
