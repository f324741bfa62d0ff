// Ticket sale rules, mirrored from contracts/EventTicketNFT.sol and contracts/PaymentProcessor.sol.
// Pure: no I/O.

import { BPS } from "./fees.js";

export const PLATFORM_FEE_BPS = 500n;

export type TicketedEventStatus = "ACTIVE" | "CANCELLED" | "COMPLETED";

/**
 * Life of the attendance stake paid with a ticket sold through the PaymentProcessor:
 * HELD until the event ends; at completion CLAIMABLE (checked in) or FORFEITED (no-show, credited
 * to the organizer); CLAIMED once its holder claims it; REFUNDED with its payment when the event
 * is cancelled.
 */
export type StakeStatus = "HELD" | "CLAIMABLE" | "CLAIMED" | "FORFEITED" | "REFUNDED";

/** `PaymentProcessor.stakePerTicket`. */
export function stakePerTicket(price: bigint, stakeBps: bigint): bigint {
  return (price * stakeBps) / BPS;
}

/** What a purchase of `quantity` tickets must pay (`purchaseTickets` requires exactly this). */
export function purchaseAmount(price: bigint, stakeBps: bigint, quantity: bigint): bigint {
  return (price + stakePerTicket(price, stakeBps)) * quantity;
}

/** The settlement `onEventCompleted` computes; the index takes the emitted figures, this explains them. */
export function eventSettlement(input: {
  price: bigint;
  stakeBps: bigint;
  /** Price plus stake of every confirmed, unrefunded sale. */
  escrowed: bigint;
  paidTickets: bigint;
  paidCheckedIn: bigint;
}): { organizerAmount: bigint; platformFee: bigint; stakesHeld: bigint; noShows: bigint; forfeited: bigint } {
  const stake = stakePerTicket(input.price, input.stakeBps);
  const revenue = input.escrowed - stake * input.paidTickets;
  const platformFee = (revenue * PLATFORM_FEE_BPS) / BPS;
  const noShows = input.paidTickets - input.paidCheckedIn;
  return {
    organizerAmount: revenue - platformFee,
    platformFee,
    stakesHeld: stake * input.paidCheckedIn,
    noShows,
    forfeited: stake * noShows,
  };
}

/** Stake state when its event completes: the check-ins recorded on chain are the attendance. */
export function stakeStatusAtCompletion(checkedIn: boolean): StakeStatus {
  return checkedIn ? "CLAIMABLE" : "FORFEITED";
}

/** `PaymentProcessor.claimableStake` from the indexed state of one stake. */
export function claimableAmount(status: StakeStatus, amount: bigint): bigint {
  return status === "CLAIMABLE" ? amount : 0n;
}

/** A ticket checks in only while its event is active, and only once. */
export function canCheckIn(status: TicketedEventStatus, alreadyCheckedIn: boolean): boolean {
  return status === "ACTIVE" && !alreadyCheckedIn;
}
