// What the cancelling transaction's own input says, for what the BookingCancelled log leaves out:
// the nonce of the CancellationAuthorization it used. Known only for a direct call to
// BookingEscrow.cancelBooking; a call through another contract (a smart wallet, a multisig) has
// other input, and then the nonce stays unknown (null). Pure.
import { decodeFunctionData, isAddressEqual, type Hex } from "viem";
import { BookingEscrowAbi } from "../../abis/BookingEscrow.js";

export function cancellationNonceOf(tx: { to: Hex | null; input: Hex }, escrow: Hex, bookingId: Hex): bigint | null {
  if (!tx.to || !isAddressEqual(tx.to, escrow)) return null;
  try {
    const call = decodeFunctionData({ abi: BookingEscrowAbi, data: tx.input });
    if (call.functionName !== "cancelBooking") return null;
    const [auth] = call.args;
    return auth.bookingId.toLowerCase() === bookingId.toLowerCase() ? auth.nonce : null;
  } catch {
    return null;
  }
}
