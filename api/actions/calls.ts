// The contract call behind each kind of action, fixed when the action is recorded so the
// executor stays generic (it only simulates, signs and sends `target`/`calldata`/`value`).
import { encodeFunctionData, type Address, type Hex } from "viem";
import { BookingEscrowAbi, EventTicketNFTAbi, PaymentProcessorAbi, QRPaymentAbi } from "../../abis/index.js";
import type { KeyRole } from "../chain/keys.js";
import type { ActionRow } from "../store/tables/actions.js";
import type { NewAction } from "./record.js";
import type { ActionKind } from "./rules.js";

/** Which key sends each kind: the role the contract requires of msg.sender. */
export const SENDER_ROLE: Record<ActionKind, KeyRole> = {
  "qr-settlement": "bot",
  "booking-emergency-cancel": "operator",
  "event-create": "owner",
  "event-stake": "owner",
  "event-cancel": "owner",
  "event-complete": "owner",
  "check-in": "validator",
};

export type Call = { target: Address; calldata: Hex; value: bigint };

export function settleCall(qr: Address, native: boolean, beneficiary: Address, orderHash: Hex): Call {
  return {
    target: qr,
    calldata: encodeFunctionData({ abi: QRPaymentAbi, functionName: native ? "settleQROrderNative" : "settleQROrder", args: [beneficiary, orderHash] }),
    value: 0n,
  };
}

export function emergencyCancelCall(escrow: Address, bookingId: Hex, reason: string): Call {
  return { target: escrow, calldata: encodeFunctionData({ abi: BookingEscrowAbi, functionName: "emergencyCancelBooking", args: [bookingId, reason] }), value: 0n };
}

export function createEventCall(nft: Address, eventId: bigint, maxCapacity: bigint, price: bigint, organizer: Address): Call {
  return { target: nft, calldata: encodeFunctionData({ abi: EventTicketNFTAbi, functionName: "createEvent", args: [eventId, maxCapacity, price, organizer] }), value: 0n };
}

export function endEventCall(nft: Address, kind: "event-cancel" | "event-complete", eventId: bigint): Call {
  return {
    target: nft,
    calldata: encodeFunctionData({ abi: EventTicketNFTAbi, functionName: kind === "event-cancel" ? "cancelEvent" : "completeEvent", args: [eventId] }),
    value: 0n,
  };
}

export function checkInCall(nft: Address, tokenId: bigint, gateId: Hex): Call {
  return { target: nft, calldata: encodeFunctionData({ abi: EventTicketNFTAbi, functionName: "checkIn", args: [tokenId, gateId] }), value: 0n };
}

/** The stake of a created event is a second transaction (PaymentProcessor.setEventStake), recorded as a child action. */
export function stakeAction(parent: ActionRow, processor: Address, eventId: bigint, stakeBps: bigint): NewAction {
  return {
    chainId: parent.chainId,
    kind: "event-stake",
    requestedBy: parent.requestedBy,
    idempotencyKey: `stake-of:${parent.id}`,
    request: { eventId: eventId.toString(), stakeBps: Number(stakeBps) },
    senderRole: "owner",
    sender: parent.sender,
    target: processor,
    calldata: encodeFunctionData({ abi: PaymentProcessorAbi, functionName: "setEventStake", args: [eventId, stakeBps] }),
    value: 0n,
    subject: { eventId },
    parentId: parent.id,
  };
}
