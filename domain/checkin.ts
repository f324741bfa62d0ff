// Gate check-ins. The QR code a holder shows is their EIP-712 signature over ticket, event and a
// timestamp; the gate sends it to the API, which accepts it when the index says the signer owns
// the ticket, the ticket belongs to the event, the event is active, it has not checked in, and the
// signature is fresh (a screenshot of an old code is worthless). Pure: unit-tested in
// test/unit/checkin.test.ts.
import { stringToHex, type Address, type Hex } from "viem";

export const CHECK_IN_DOMAIN_NAME = "EventTicketNFT";
export const CHECK_IN_DOMAIN_VERSION = "1";

export const CHECK_IN_TYPES = {
  CheckIn: [
    { name: "tokenId", type: "uint256" },
    { name: "eventId", type: "uint256" },
    { name: "timestamp", type: "uint256" },
  ],
} as const;

export type CheckInMessage = { tokenId: bigint; eventId: bigint; timestamp: bigint };
export type CheckInPayload = CheckInMessage & { signature: Hex };

/** What the holder's wallet signs (and what the API verifies against). */
export function checkInTypedData(chainId: number, ticketContract: Address, message: CheckInMessage) {
  return {
    domain: { name: CHECK_IN_DOMAIN_NAME, version: CHECK_IN_DOMAIN_VERSION, chainId, verifyingContract: ticketContract },
    types: CHECK_IN_TYPES,
    primaryType: "CheckIn" as const,
    message,
  };
}

/** Older than this (seconds) against the moment of scanning is stale. */
export const MAX_PAYLOAD_AGE_S = 120n;
/** Clocks differ: a payload up to this far in the future is still accepted. */
export const MAX_PAYLOAD_SKEW_S = 30n;
/** An offline gate uploads within a day; older scans are refused rather than trusted. */
export const MAX_SCAN_AGE_S = 24n * 3600n;
export const MAX_BATCH_ITEMS = 500;

export type CheckInRefusal =
  | "stale"
  | "already_checked_in"
  | "wrong_event"
  | "not_owner"
  | "unknown_ticket"
  | "event_not_active"
  | "event_closing"
  | "invalid_scanned_at";

export const REFUSAL_MESSAGES: Record<CheckInRefusal, string> = {
  stale: "the QR payload is too old (or from the future): ask the holder to show a fresh code",
  already_checked_in: "this ticket has already checked in",
  wrong_event: "this ticket is for another event",
  not_owner: "the payload is not signed by the ticket's current owner",
  unknown_ticket: "no such ticket",
  event_not_active: "the ticket's event is not active (cancelled or completed)",
  // Completion waits for every accepted check-in; accepting more after it was asked for could
  // postpone it for ever, so the set is closed then.
  event_closing: "the event's completion or cancellation has been requested: check-ins are closed",
  invalid_scanned_at: "scannedAt is in the future or more than 24 hours ago",
};

/** Payload time against the scan time (now, or when an offline gate scanned it). */
export function isFresh(payloadTimestamp: bigint, scannedAt: bigint): boolean {
  return payloadTimestamp >= scannedAt - MAX_PAYLOAD_AGE_S && payloadTimestamp <= scannedAt + MAX_PAYLOAD_SKEW_S;
}

/** An offline scan time is believable: not in the future (beyond skew), not older than a day. */
export function isPlausibleScanTime(scannedAt: bigint, now: bigint): boolean {
  return scannedAt <= now + MAX_PAYLOAD_SKEW_S && scannedAt >= now - MAX_SCAN_AGE_S;
}

export type IndexedTicket = { tokenId: bigint; eventId: bigint; owner: Address; checkedIn: boolean; burned: boolean };
export type IndexedEvent = { id: bigint; status: "ACTIVE" | "CANCELLED" | "COMPLETED" };

export type CheckInFacts = {
  payload: CheckInMessage;
  /** Who signed the payload (null when the signature does not recover). */
  signer: Address | null;
  ticket: IndexedTicket | null;
  event: IndexedEvent | null;
  /** The event the gate admits, when it says. */
  gateEventId?: bigint;
  /** A check-in of this ticket the API already accepted (not failed). */
  acceptedBefore: boolean;
  scannedAt: bigint;
};

/**
 * The first reason to refuse, or null to accept. Order: what the ticket is, then where it may go,
 * then the code's freshness, then whether it was used, then who signed: each refusal tells the
 * gate staff the most useful thing first.
 */
export function checkInRefusal(f: CheckInFacts): CheckInRefusal | null {
  if (!f.ticket || f.ticket.burned) return "unknown_ticket";
  if (f.ticket.eventId !== f.payload.eventId) return "wrong_event";
  if (f.gateEventId !== undefined && f.gateEventId !== f.ticket.eventId) return "wrong_event";
  if (!f.event || f.event.status !== "ACTIVE") return "event_not_active";
  if (!isFresh(f.payload.timestamp, f.scannedAt)) return "stale";
  if (f.ticket.checkedIn || f.acceptedBefore) return "already_checked_in";
  if (!f.signer || f.signer.toLowerCase() !== f.ticket.owner.toLowerCase()) return "not_owner";
  return null;
}

/** Index of each item's first occurrence by token id: later ones are duplicates within the batch. */
export function firstOccurrences(tokenIds: readonly (bigint | null)[]): boolean[] {
  const seen = new Set<bigint>();
  return tokenIds.map((id) => {
    if (id === null) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** A gate id as the contract takes it: bytes32 hex as is, or a short label right-padded (≤ 31 bytes). */
export function gateIdBytes32(raw: string): { ok: true; value: Hex } | { ok: false; error: string } {
  if (/^0x[0-9a-fA-F]{64}$/.test(raw)) return { ok: true, value: raw.toLowerCase() as Hex };
  const bytes = new TextEncoder().encode(raw);
  if (raw.length === 0 || bytes.length > 31) return { ok: false, error: "gateId must be a bytes32 hex value or a label of 1 to 31 bytes" };
  return { ok: true, value: stringToHex(raw, { size: 32 }) };
}
