// GET /api/bookings/{bookingId}: one booking with its whole history. Three queries: the booking,
// its history (oldest first), the escrow's payment token.
import { z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import type { Hex } from "viem";
import type { ReadDeps, Row } from "./db.js";
import { AddressJson, checksum, checksumOrNull, dec, HashJson, OnChainRef, onChainRef, TokenJson, Uint } from "./json.js";
import { escrowToken } from "./tokens.js";

const BookingStatus = z.enum(["PAID", "COMPLETED", "CANCELLED"]);

const Split = z.object({
  customerRefund: Uint,
  providerAmount: Uint,
  platformAmount: Uint,
  inviterAmount: Uint,
});

export const BookingHistoryEntry = z
  .object({
    status: BookingStatus,
    actor: AddressJson.openapi({ description: "Customer on payment, the sender on completion, the canceller on cancellation" }),
    amount: Uint,
    ...Split.shape,
    reason: z.string().nullable(),
    block: Uint,
    timestamp: Uint,
    txHash: HashJson,
    logIndex: z.number().int(),
  })
  .openapi("BookingHistoryEntry");

export const BookingJson = z
  .object({
    chainId: z.number().int().openapi({ description: "The chain the booking is on" }),
    id: HashJson.openapi({ description: "keccak256(utf8(offchain booking id))" }),
    status: BookingStatus,
    customer: AddressJson,
    provider: AddressJson,
    inviter: AddressJson.nullable(),
    token: TokenJson.nullable().openapi({ description: "The escrow's payment token (amounts are in its smallest unit)" }),
    amount: Uint,
    feeRates: z.object({ platformBps: z.number().int(), inviterBps: z.number().int() }),
    expectedCompletion: z
      .object({ providerAmount: Uint, platformFee: Uint, inviterFee: Uint })
      .openapi({ description: "The split a completion pays at these rates (BookingEscrow.splitCompletion)" }),
    paidOut: Split.openapi({ description: "What left escrow at completion or cancellation; zeros while PAID" }),
    platformWallet: AddressJson.nullable().openapi({ description: "The platform wallet paid at settlement" }),
    cancellation: z
      .object({
        cancelledBy: AddressJson,
        reason: z.string(),
        emergency: z.boolean().openapi({ description: "Cancelled by the owner or an operator (full refund), not by a party" }),
      })
      .nullable(),
    created: OnChainRef,
    settled: OnChainRef.nullable(),
    history: z.array(BookingHistoryEntry).openapi({ description: "Every state change, oldest first (block, log index)" }),
  })
  .openapi("Booking");

export type BookingJson = z.infer<typeof BookingJson>;

export function bookingHistoryJson(h: Row<"bookingHistory">): z.infer<typeof BookingHistoryEntry> {
  return {
    status: h.status,
    actor: checksum(h.actor),
    amount: dec(h.amount),
    customerRefund: dec(h.customerRefund),
    providerAmount: dec(h.providerAmount),
    platformAmount: dec(h.platformAmount),
    inviterAmount: dec(h.inviterAmount),
    reason: h.reason,
    block: dec(h.blockNumber),
    timestamp: dec(h.timestamp),
    txHash: h.txHash,
    logIndex: h.logIndex,
  };
}

export function bookingJson(
  b: Row<"booking">,
  history: Row<"bookingHistory">[],
  token: z.infer<typeof TokenJson> | null,
): BookingJson {
  return {
    chainId: b.chainId,
    id: b.id,
    status: b.status,
    customer: checksum(b.customer),
    provider: checksum(b.provider),
    inviter: checksumOrNull(b.inviter),
    token,
    amount: dec(b.amount),
    feeRates: { platformBps: b.platformFeeRate, inviterBps: b.inviterFeeRate },
    expectedCompletion: {
      providerAmount: dec(b.expectedProviderAmount),
      platformFee: dec(b.expectedPlatformFee),
      inviterFee: dec(b.expectedInviterFee),
    },
    paidOut: {
      customerRefund: dec(b.customerRefund),
      providerAmount: dec(b.providerAmount),
      platformAmount: dec(b.platformAmount),
      inviterAmount: dec(b.inviterAmount),
    },
    platformWallet: checksumOrNull(b.platformWallet),
    cancellation:
      b.status === "CANCELLED" && b.cancelledBy !== null
        ? { cancelledBy: checksum(b.cancelledBy), reason: b.cancelReason ?? "", emergency: b.emergency }
        : null,
    created: onChainRef(b.createdBlock, b.createdAt, b.createdTxHash),
    settled:
      b.settledBlock !== null && b.settledAt !== null && b.settledTxHash !== null ? onChainRef(b.settledBlock, b.settledAt, b.settledTxHash) : null,
    history: history.map(bookingHistoryJson),
  };
}

/** null when the index has no such booking. */
export async function readBooking(deps: ReadDeps, chainId: number, id: Hex): Promise<BookingJson | null> {
  const { db, schema } = deps;
  const [rows, history, token] = await Promise.all([
    db
      .select()
      .from(schema.booking)
      .where(and(eq(schema.booking.chainId, chainId), eq(schema.booking.id, id)))
      .limit(1),
    db
      .select()
      .from(schema.bookingHistory)
      .where(and(eq(schema.bookingHistory.chainId, chainId), eq(schema.bookingHistory.bookingId, id)))
      .orderBy(asc(schema.bookingHistory.blockNumber), asc(schema.bookingHistory.logIndex)),
    escrowToken(deps, chainId),
  ]);
  const b = rows[0];
  return b ? bookingJson(b, history, token) : null;
}
