// Check-in rules (domain/checkin.ts): freshness, offline scan times, refusal order, batch
// deduplication, gate ids, and the EIP-712 payload a wallet signs.
import { describe, expect, it } from "vitest";
import { hexToString, recoverTypedDataAddress, type Address } from "viem";
import { devAccount } from "../../config/accounts.js";
import {
  checkInRefusal,
  checkInTypedData,
  firstOccurrences,
  gateIdBytes32,
  isFresh,
  isPlausibleScanTime,
  type CheckInFacts,
} from "../../domain/checkin.js";

const holder = devAccount(10);
const other = devAccount(11);
const NFT = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const NOW = 1_800_000_000n;

function facts(over: Partial<CheckInFacts> = {}): CheckInFacts {
  return {
    payload: { tokenId: 5n, eventId: 2n, timestamp: NOW - 10n },
    signer: holder.address,
    ticket: { tokenId: 5n, eventId: 2n, owner: holder.address.toLowerCase() as Address, checkedIn: false, burned: false },
    event: { id: 2n, status: "ACTIVE" },
    acceptedBefore: false,
    scannedAt: NOW,
    ...over,
  };
}

describe("freshness", () => {
  it("accepts up to 2 minutes old and 30 s ahead", () => {
    expect(isFresh(NOW - 120n, NOW)).toBe(true);
    expect(isFresh(NOW - 121n, NOW)).toBe(false);
    expect(isFresh(NOW + 30n, NOW)).toBe(true);
    expect(isFresh(NOW + 31n, NOW)).toBe(false);
  });
  it("offline scans: not in the future, not older than a day", () => {
    expect(isPlausibleScanTime(NOW - 86_400n, NOW)).toBe(true);
    expect(isPlausibleScanTime(NOW - 86_401n, NOW)).toBe(false);
    expect(isPlausibleScanTime(NOW + 31n, NOW)).toBe(false);
    expect(isPlausibleScanTime(NOW + 30n, NOW)).toBe(true);
  });
});

describe("refusals", () => {
  it("accepts a good check-in", () => expect(checkInRefusal(facts())).toBeNull());
  it("gives each reason", () => {
    expect(checkInRefusal(facts({ ticket: null }))).toBe("unknown_ticket");
    expect(checkInRefusal(facts({ ticket: { ...facts().ticket!, burned: true } }))).toBe("unknown_ticket");
    expect(checkInRefusal(facts({ payload: { ...facts().payload, eventId: 3n } }))).toBe("wrong_event");
    expect(checkInRefusal(facts({ gateEventId: 9n }))).toBe("wrong_event");
    expect(checkInRefusal(facts({ gateEventId: 2n }))).toBeNull();
    expect(checkInRefusal(facts({ event: { id: 2n, status: "COMPLETED" } }))).toBe("event_not_active");
    expect(checkInRefusal(facts({ event: null }))).toBe("event_not_active");
    expect(checkInRefusal(facts({ payload: { ...facts().payload, timestamp: NOW - 500n } }))).toBe("stale");
    expect(checkInRefusal(facts({ ticket: { ...facts().ticket!, checkedIn: true } }))).toBe("already_checked_in");
    expect(checkInRefusal(facts({ acceptedBefore: true }))).toBe("already_checked_in");
    expect(checkInRefusal(facts({ signer: other.address }))).toBe("not_owner");
    expect(checkInRefusal(facts({ signer: null }))).toBe("not_owner");
  });
  it("judges staleness against the scan time, not the upload time", () => {
    const scannedAt = NOW - 3_600n;
    expect(checkInRefusal(facts({ scannedAt, payload: { ...facts().payload, timestamp: scannedAt - 60n } }))).toBeNull();
    expect(checkInRefusal(facts({ scannedAt, payload: { ...facts().payload, timestamp: scannedAt - 180n } }))).toBe("stale");
  });
});

describe("batches", () => {
  it("keep the first occurrence of each token", () => {
    expect(firstOccurrences([1n, 2n, 1n, null, 2n, 3n, null])).toEqual([true, true, false, true, false, true, true]);
  });
});

describe("gate ids", () => {
  it("take bytes32 hex or a short label", () => {
    const hex = `0x${"AB".repeat(32)}`;
    expect(gateIdBytes32(hex)).toEqual({ ok: true, value: hex.toLowerCase() });
    const label = gateIdBytes32("north-gate");
    expect(label.ok && hexToString(label.value, { size: 32 })).toBe("north-gate");
    expect(label.ok && label.value.length).toBe(66);
    expect(gateIdBytes32("x".repeat(32)).ok).toBe(false);
    expect(gateIdBytes32("").ok).toBe(false);
  });
});

describe("the signed payload", () => {
  it("recovers to the holder", async () => {
    const message = { tokenId: 5n, eventId: 2n, timestamp: NOW };
    const typed = checkInTypedData(84532, NFT, message);
    expect(typed.domain).toEqual({ name: "EventTicketNFT", version: "1", chainId: 84532, verifyingContract: NFT });
    const signature = await holder.signTypedData(typed);
    expect(await recoverTypedDataAddress({ ...typed, signature })).toBe(holder.address);
    // Another chain or contract gives another signer: a payload is bound to one deployment.
    expect(await recoverTypedDataAddress({ ...checkInTypedData(8453, NFT, message), signature })).not.toBe(holder.address);
  });
});
