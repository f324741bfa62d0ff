// QR order rules, mirrored from contracts/QRPayment.sol and contracts/OracleHub.sol. Pure: no I/O.

import { encodePacked, keccak256, type Address, type Hex } from "viem";

export type QrOrderStatus = "PAID" | "PARTIALLY_SETTLED" | "SETTLED";

/** `QRPayment.orderDataHash`: keccak256(abi.encodePacked(orderId, referenceString, token, creator)). */
export function orderDataHash(orderId: string, referenceString: string, token: Address, creator: Address): Hex {
  return keccak256(encodePacked(["string", "string", "address", "address"], [orderId, referenceString, token, creator]));
}

/**
 * Status of an order from its running totals (token units). A settlement pays out everything
 * unsettled, so: nothing settled yet → PAID; all settled → SETTLED; a top-up after a settlement
 * → PARTIALLY_SETTLED until the next settlement.
 */
export function qrOrderStatus(paidAmount: bigint, settledAmount: bigint): QrOrderStatus {
  if (paidAmount < 0n || settledAmount < 0n) throw new RangeError("negative total");
  if (settledAmount > paidAmount) throw new RangeError(`settled ${settledAmount} exceeds paid ${paidAmount}`);
  if (settledAmount === 0n) return "PAID";
  return settledAmount === paidAmount ? "SETTLED" : "PARTIALLY_SETTLED";
}

/** Running totals after one `PaymentUpdated` (the event carries this payment's increment, not the total). */
export function applyPayment(
  order: { paidAmount: bigint; paidFiat: bigint; settledAmount: bigint },
  increment: { tokenAmount: bigint; fiatAmount: bigint },
): { paidAmount: bigint; paidFiat: bigint; unsettledAmount: bigint; status: QrOrderStatus } {
  const paidAmount = order.paidAmount + increment.tokenAmount;
  return {
    paidAmount,
    paidFiat: order.paidFiat + increment.fiatAmount,
    unsettledAmount: paidAmount - order.settledAmount,
    status: qrOrderStatus(paidAmount, order.settledAmount),
  };
}

/** Running totals after one `OrderSettled` (it carries the amount settled now: what was unsettled). */
export function applySettlement(
  order: { paidAmount: bigint; settledAmount: bigint; settledFiat: bigint },
  settlement: { tokenAmount: bigint; fiatAmount: bigint },
): { settledAmount: bigint; settledFiat: bigint; unsettledAmount: bigint; status: QrOrderStatus } {
  const settledAmount = order.settledAmount + settlement.tokenAmount;
  return {
    settledAmount,
    settledFiat: order.settledFiat + settlement.fiatAmount,
    unsettledAmount: order.paidAmount - settledAmount,
    status: qrOrderStatus(order.paidAmount, settledAmount),
  };
}
