// Whether an issued authorization was used, read from the index at request time (the index is the
// source of truth; indexing code knows nothing of authorizations). Pure.
//   booking:      used once a booking with its id exists (the id is unique to the authorization).
//   cancellation: used once its booking is CANCELLED by a party (not an emergency cancel) with its
//                 nonce, when the index decoded one from the transaction (a direct cancelBooking
//                 call); otherwise (a call through a smart wallet) with exactly its four amounts and
//                 reason, so two identical authorizations for one booking would both read as used.
//   otherwise:    expired once now > expiry (the contract refuses block.timestamp > expiry), else issued.
import type { Hex } from "viem";
import { withoutNul } from "../../domain/text.js";
import type { AuthorizationKind } from "../store/tables/signing.js";

export type AuthorizationStatus = "issued" | "used" | "expired";

export type IndexedBooking = {
  status: "PAID" | "COMPLETED" | "CANCELLED";
  emergency: boolean;
  customerRefund: bigint;
  providerAmount: bigint;
  platformAmount: bigint;
  inviterAmount: bigint;
  cancelReason: string | null;
  cancellationNonce: bigint | null;
  createdTxHash: Hex;
  settledTxHash: Hex | null;
};

export type StatusInput = {
  kind: AuthorizationKind;
  expiry: bigint;
  /** The signed message, uint256 values as decimal strings. */
  message: Record<string, string>;
};

export function authorizationStatus(auth: StatusInput, booking: IndexedBooking | null, nowSeconds: bigint): { status: AuthorizationStatus; txHash: Hex | null } {
  if (booking) {
    if (auth.kind === "booking") return { status: "used", txHash: booking.createdTxHash };
    const m = auth.message;
    const cancelled = booking.status === "CANCELLED" && !booking.emergency;
    const matches =
      cancelled &&
      (booking.cancellationNonce !== null
        ? booking.cancellationNonce === BigInt(m.nonce ?? -1)
        : booking.customerRefund === BigInt(m.customerAmount ?? -1) &&
          booking.providerAmount === BigInt(m.providerAmount ?? -1) &&
          booking.platformAmount === BigInt(m.platformAmount ?? -1) &&
          booking.inviterAmount === BigInt(m.inviterAmount ?? -1) &&
          booking.cancelReason === withoutNul(m.reason ?? ""));
    if (matches) return { status: "used", txHash: booking.settledTxHash };
  }
  return { status: nowSeconds > auth.expiry ? "expired" : "issued", txHash: null };
}
