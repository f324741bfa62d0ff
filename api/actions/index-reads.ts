// What write actions ask the index: the subjects they act on, and whether an action's
// transaction shows up (its event indexed = rows carrying its tx hash in the table that event
// writes). Each action is sent to one chain: every read names that chain, since ids repeat across
// the chains one index may hold (event 1 exists on each).
import { and, desc, eq, sql } from "drizzle-orm";
import type { Address, Hex } from "viem";
import type { ReadDeps } from "../rest/db.js";
import type { IndexedEvent, IndexedTicket } from "../../domain/checkin.js";
import type { ActionKind } from "./rules.js";

export type IndexedOrder = { id: Hex; creator: Address; native: boolean; unsettledAmount: bigint };
export type IndexedBooking = { id: Hex; status: "PAID" | "COMPLETED" | "CANCELLED" };
export type IndexedTicketedEvent = IndexedEvent & { organizer: Address };

export async function readOrder({ db, schema }: ReadDeps, chainId: number, id: Hex): Promise<IndexedOrder | null> {
  const t = schema.qrOrder;
  const [o] = await db
    .select()
    .from(t)
    .where(and(eq(t.chainId, chainId), eq(t.id, id)))
    .limit(1);
  return o ? { id: o.id, creator: o.creator, native: o.native, unsettledAmount: o.unsettledAmount } : null;
}

export async function readBooking({ db, schema }: ReadDeps, chainId: number, id: Hex): Promise<IndexedBooking | null> {
  const t = schema.booking;
  const [b] = await db
    .select({ id: t.id, status: t.status })
    .from(t)
    .where(and(eq(t.chainId, chainId), eq(t.id, id)))
    .limit(1);
  return b ?? null;
}

export async function readEvent({ db, schema }: ReadDeps, chainId: number, id: bigint): Promise<IndexedTicketedEvent | null> {
  const t = schema.ticketedEvent;
  const [e] = await db
    .select({ id: t.id, status: t.status, organizer: t.organizer })
    .from(t)
    .where(and(eq(t.chainId, chainId), eq(t.id, id)))
    .limit(1);
  return e ?? null;
}

export async function readTicket({ db, schema }: ReadDeps, chainId: number, tokenId: bigint): Promise<IndexedTicket | null> {
  const t = schema.ticket;
  const [row] = await db
    .select()
    .from(t)
    .where(and(eq(t.chainId, chainId), eq(t.tokenId, tokenId)))
    .limit(1);
  return row ? { tokenId: row.tokenId, eventId: row.eventId, owner: row.owner, checkedIn: row.checkedIn, burned: row.burned } : null;
}

/** The highest event id on this chain (another chain's ids say nothing about which are free here). */
export async function highestEventId({ db, schema }: ReadDeps, chainId: number): Promise<bigint | null> {
  const t = schema.ticketedEvent;
  const [e] = await db.select({ id: t.id }).from(t).where(eq(t.chainId, chainId)).orderBy(desc(t.id)).limit(1);
  return e?.id ?? null;
}

/** Whether the index holds, on this chain, the event this action's transaction emits. */
export async function isIndexed({ db, schema }: ReadDeps, chainId: number, kind: ActionKind, txHash: Hex): Promise<boolean> {
  const hash = txHash.toLowerCase() as Hex;
  const table =
    kind === "qr-settlement"
      ? schema.qrSettlement
      : kind === "booking-emergency-cancel"
        ? schema.bookingHistory
        : kind === "check-in"
          ? schema.checkIn
          : schema.ticketedEventHistory;
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(table)
    .where(and(eq(table.chainId, chainId), eq(table.txHash, hash)))
    .limit(1);
  return rows.length > 0;
}
