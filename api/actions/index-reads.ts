// What write actions ask the index: the subjects they act on, and whether an action's
// transaction shows up (its event indexed = rows carrying its tx hash in the table that event
// writes).
import { desc, eq, sql } from "drizzle-orm";
import type { Address, Hex } from "viem";
import type { ReadDeps } from "../rest/db.js";
import type { IndexedEvent, IndexedTicket } from "../../domain/checkin.js";
import type { ActionKind } from "./rules.js";

export type IndexedOrder = { id: Hex; creator: Address; native: boolean; unsettledAmount: bigint };
export type IndexedBooking = { id: Hex; status: "PAID" | "COMPLETED" | "CANCELLED" };
export type IndexedTicketedEvent = IndexedEvent & { organizer: Address };

export async function readOrder({ db, schema }: ReadDeps, id: Hex): Promise<IndexedOrder | null> {
  const [o] = await db.select().from(schema.qrOrder).where(eq(schema.qrOrder.id, id)).limit(1);
  return o ? { id: o.id, creator: o.creator, native: o.native, unsettledAmount: o.unsettledAmount } : null;
}

export async function readBooking({ db, schema }: ReadDeps, id: Hex): Promise<IndexedBooking | null> {
  const [b] = await db.select({ id: schema.booking.id, status: schema.booking.status }).from(schema.booking).where(eq(schema.booking.id, id)).limit(1);
  return b ?? null;
}

export async function readEvent({ db, schema }: ReadDeps, id: bigint): Promise<IndexedTicketedEvent | null> {
  const [e] = await db
    .select({ id: schema.ticketedEvent.id, status: schema.ticketedEvent.status, organizer: schema.ticketedEvent.organizer })
    .from(schema.ticketedEvent)
    .where(eq(schema.ticketedEvent.id, id))
    .limit(1);
  return e ?? null;
}

export async function readTicket({ db, schema }: ReadDeps, tokenId: bigint): Promise<IndexedTicket | null> {
  const [t] = await db.select().from(schema.ticket).where(eq(schema.ticket.tokenId, tokenId)).limit(1);
  return t ? { tokenId: t.tokenId, eventId: t.eventId, owner: t.owner, checkedIn: t.checkedIn, burned: t.burned } : null;
}

export async function highestEventId({ db, schema }: ReadDeps): Promise<bigint | null> {
  const [e] = await db.select({ id: schema.ticketedEvent.id }).from(schema.ticketedEvent).orderBy(desc(schema.ticketedEvent.id)).limit(1);
  return e?.id ?? null;
}

/** Whether the index holds the event this action's transaction emits. */
export async function isIndexed({ db, schema }: ReadDeps, kind: ActionKind, txHash: Hex): Promise<boolean> {
  const hash = txHash.toLowerCase() as Hex;
  const table =
    kind === "qr-settlement"
      ? schema.qrSettlement
      : kind === "booking-emergency-cancel"
        ? schema.bookingHistory
        : kind === "check-in"
          ? schema.checkIn
          : schema.ticketedEventHistory;
  const rows = await db.select({ one: sql<number>`1` }).from(table).where(eq(table.txHash, hash)).limit(1);
  return rows.length > 0;
}
