// GET /api/events/{eventId} (four queries: the event, its history, its stakes and refunds
// aggregated by SQL) and GET /api/events/{eventId}/tickets (keyset pages by token id; two queries).
import { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { ReadDeps, Row } from "./db.js";
import { AddressJson, bigintOfText, checksum, checksumOrNull, dec, decOrNull, HashJson, OnChainRef, onChainRef, Uint } from "./json.js";

const EventStatus = z.enum(["ACTIVE", "CANCELLED", "COMPLETED"]);
export const STAKE_STATUSES = ["HELD", "CLAIMABLE", "CLAIMED", "FORFEITED", "REFUNDED"] as const;
export type StakeStatus = (typeof STAKE_STATUSES)[number];

const CountAndAmount = z.object({ count: z.number().int(), amount: Uint });

export const EventHistoryEntry = z
  .object({
    action: z.enum(["CREATED", "STAKE_SET", "CANCELLED", "COMPLETED", "SETTLED"]),
    status: EventStatus,
    stakeBps: z.number().int().nullable(),
    organizerAmount: Uint.nullable(),
    platformFee: Uint.nullable(),
    stakesHeld: Uint.nullable(),
    block: Uint,
    timestamp: Uint,
    txHash: HashJson,
    logIndex: z.number().int(),
  })
  .openapi("TicketedEventHistoryEntry");

export const TicketedEventJson = z
  .object({
    chainId: z.number().int().openapi({ description: "The chain the event is on" }),
    id: Uint,
    status: EventStatus,
    organizer: AddressJson,
    currency: z.literal("native").openapi({ description: "Tickets are paid in the chain's native coin; amounts are in wei" }),
    price: Uint,
    stakeBps: z.number().int().openapi({ description: "Attendance stake in basis points of the price" }),
    stakePerTicket: Uint,
    ticketCost: Uint.openapi({ description: "What one ticket costs a buyer: price + stake" }),
    maxCapacity: Uint,
    sold: Uint.openapi({ description: "Tickets minted, complimentary and later-refunded ones included (getEvent.sold)" }),
    remaining: Uint.openapi({ description: "maxCapacity - sold: what can still be minted while the event is active" }),
    onSale: z.boolean().openapi({ description: "The event is active and has capacity left" }),
    paidTickets: Uint.openapi({ description: "Sold through the PaymentProcessor and not refunded (eventSales.paidTickets)" }),
    complimentaryTickets: Uint,
    burned: Uint.openapi({ description: "Tickets burned by refunds" }),
    checkedIn: Uint,
    paidCheckedIn: Uint,
    escrowed: Uint.openapi({ description: "Price plus stake held for the event until it completes (eventSales.escrowed)" }),
    settled: z.boolean(),
    settlement: z
      .object({ organizerAmount: Uint, platformFee: Uint, stakesHeld: Uint, noShows: Uint, forfeitedStakes: Uint })
      .nullable()
      .openapi({ description: "Credited at completion (EventSettled, StakeForfeited); null until then" }),
    stakes: z
      .object(Object.fromEntries(STAKE_STATUSES.map((s) => [s, CountAndAmount])) as Record<StakeStatus, typeof CountAndAmount>)
      .openapi({ description: "Tickets' attendance stakes by state: count and total" }),
    refunds: CountAndAmount.openapi({ description: "Refunded payments (price and stake returned)" }),
    created: OnChainRef,
    ended: z.object({ block: Uint, timestamp: Uint }).nullable(),
    history: z.array(EventHistoryEntry).openapi({ description: "Every state change, oldest first (block, log index)" }),
  })
  .openapi("TicketedEvent");

export type TicketedEventJson = z.infer<typeof TicketedEventJson>;

/** Capacity the contract would still mint (CapacityExceeded reports the same figure). */
export function remainingCapacity(maxCapacity: bigint, sold: bigint): bigint {
  return sold >= maxCapacity ? 0n : maxCapacity - sold;
}

/** Every stake state present, zeros for those no row has. */
export function stakeSummary(rows: { status: StakeStatus; count: number; amount: bigint }[]): TicketedEventJson["stakes"] {
  const summary = Object.fromEntries(STAKE_STATUSES.map((s) => [s, { count: 0, amount: "0" }])) as TicketedEventJson["stakes"];
  for (const r of rows) summary[r.status] = { count: r.count, amount: dec(r.amount) };
  return summary;
}

export function eventHistoryJson(h: Row<"ticketedEventHistory">): z.infer<typeof EventHistoryEntry> {
  return {
    action: h.action,
    status: h.status,
    stakeBps: h.stakeBps,
    organizerAmount: decOrNull(h.organizerAmount),
    platformFee: decOrNull(h.platformFee),
    stakesHeld: decOrNull(h.stakesHeld),
    block: dec(h.blockNumber),
    timestamp: dec(h.timestamp),
    txHash: h.txHash,
    logIndex: h.logIndex,
  };
}

export function ticketedEventJson(
  e: Row<"ticketedEvent">,
  history: Row<"ticketedEventHistory">[],
  stakes: { status: StakeStatus; count: number; amount: bigint }[],
  refunds: { count: number; amount: bigint },
): TicketedEventJson {
  const remaining = remainingCapacity(e.maxCapacity, e.sold);
  return {
    chainId: e.chainId,
    id: dec(e.id),
    status: e.status,
    organizer: checksum(e.organizer),
    currency: "native",
    price: dec(e.price),
    stakeBps: e.stakeBps,
    stakePerTicket: dec(e.stakePerTicket),
    ticketCost: dec(e.price + e.stakePerTicket),
    maxCapacity: dec(e.maxCapacity),
    sold: dec(e.sold),
    remaining: dec(remaining),
    onSale: e.status === "ACTIVE" && remaining > 0n,
    paidTickets: dec(e.paidTickets),
    complimentaryTickets: dec(e.complimentaryTickets),
    burned: dec(e.burned),
    checkedIn: dec(e.checkedIn),
    paidCheckedIn: dec(e.paidCheckedIn),
    escrowed: dec(e.escrowed),
    settled: e.settled,
    settlement: e.settled
      ? {
          organizerAmount: dec(e.organizerAmount ?? 0n),
          platformFee: dec(e.platformFee ?? 0n),
          stakesHeld: dec(e.stakesHeld ?? 0n),
          noShows: dec(e.noShows ?? 0n),
          forfeitedStakes: dec(e.forfeitedStakes ?? 0n),
        }
      : null,
    stakes: stakeSummary(stakes),
    refunds: { count: refunds.count, amount: dec(refunds.amount) },
    created: onChainRef(e.createdBlock, e.createdAt, e.createdTxHash),
    ended: e.endedBlock !== null && e.endedAt !== null ? { block: dec(e.endedBlock), timestamp: dec(e.endedAt) } : null,
    history: history.map(eventHistoryJson),
  };
}

/** null when the index has no such event. */
export async function readTicketedEvent({ db, schema }: ReadDeps, chainId: number, id: bigint): Promise<TicketedEventJson | null> {
  const { ticketedEvent, ticketedEventHistory, stake, refund } = schema;
  const [rows, history, stakes, refunds] = await Promise.all([
    db
      .select()
      .from(ticketedEvent)
      .where(and(eq(ticketedEvent.chainId, chainId), eq(ticketedEvent.id, id)))
      .limit(1),
    db
      .select()
      .from(ticketedEventHistory)
      .where(and(eq(ticketedEventHistory.chainId, chainId), eq(ticketedEventHistory.eventId, id)))
      .orderBy(asc(ticketedEventHistory.blockNumber), asc(ticketedEventHistory.logIndex)),
    db
      .select({ status: stake.status, count: sql<number>`count(*)::int`, amount: sql<string>`coalesce(sum(${stake.amount}), 0)::text` })
      .from(stake)
      .where(and(eq(stake.chainId, chainId), eq(stake.eventId, id)))
      .groupBy(stake.status),
    db
      .select({ count: sql<number>`count(*)::int`, amount: sql<string>`coalesce(sum(${refund.amount}), 0)::text` })
      .from(refund)
      .where(and(eq(refund.chainId, chainId), eq(refund.eventId, id))),
  ]);
  const e = rows[0];
  if (!e) return null;
  return ticketedEventJson(
    e,
    history,
    stakes.map((s) => ({ status: s.status, count: Number(s.count), amount: bigintOfText(s.amount) })),
    { count: Number(refunds[0]?.count ?? 0), amount: bigintOfText(refunds[0]?.amount) },
  );
}

// ------------------------------------------------------------------------------------ tickets

export const TicketJson = z
  .object({
    tokenId: Uint,
    owner: AddressJson.nullable().openapi({ description: "Current holder (ownerOf); null once burned by a refund" }),
    buyer: AddressJson.openapi({ description: "Who the ticket was minted to" }),
    paymentId: HashJson.nullable().openapi({ description: "The purchase; null for a complimentary ticket" }),
    complimentary: z.boolean(),
    burned: z.boolean(),
    checkedIn: z.boolean(),
    gateId: HashJson.nullable(),
    validator: AddressJson.nullable(),
    checkedInAt: Uint.nullable(),
    stake: z
      .object({
        amount: Uint,
        status: z.enum(STAKE_STATUSES),
        claimable: Uint.openapi({ description: "PaymentProcessor.claimableStake(tokenId)" }),
      })
      .nullable()
      .openapi({ description: "The attendance stake paid with the ticket; null for complimentary tickets and events without a stake" }),
    minted: OnChainRef,
  })
  .openapi("Ticket");

export const TicketPageJson = z
  .object({
    chainId: z.number().int(),
    eventId: Uint,
    items: z.array(TicketJson),
    nextCursor: Uint.nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page" }),
  })
  .openapi("TicketPage");

export type TicketPageJson = z.infer<typeof TicketPageJson>;

type StakeCols = { amount: bigint; status: StakeStatus; claimable: bigint };

export function ticketJson(t: Row<"ticket">, s: StakeCols | null): z.infer<typeof TicketJson> {
  return {
    tokenId: dec(t.tokenId),
    owner: t.burned ? null : checksumOrNull(t.owner),
    buyer: checksum(t.buyer),
    paymentId: t.paymentId,
    complimentary: t.complimentary,
    burned: t.burned,
    checkedIn: t.checkedIn,
    gateId: t.gateId,
    validator: checksumOrNull(t.validator),
    checkedInAt: decOrNull(t.checkedInAt),
    stake: s && s.amount > 0n ? { amount: dec(s.amount), status: s.status, claimable: dec(s.claimable) } : null,
    minted: onChainRef(t.mintedBlock, t.mintedAt, t.mintedTxHash),
  };
}

/** Rows fetched for one page (limit + 1) → the page and its cursor. */
export function ticketPage<T extends { tokenId: bigint }>(rows: T[], limit: number): { items: T[]; nextCursor: bigint | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: items[items.length - 1]!.tokenId };
}

/** null when the index has no such event. */
export async function readEventTickets(
  { db, schema }: ReadDeps,
  chainId: number,
  eventId: bigint,
  page: { limit: number; after?: bigint },
): Promise<TicketPageJson | null> {
  const { ticket, stake, ticketedEvent } = schema;
  const ofEvent = and(eq(ticket.chainId, chainId), eq(ticket.eventId, eventId));
  const where = page.after === undefined ? ofEvent : and(ofEvent, gt(ticket.tokenId, page.after));
  const [events, rows] = await Promise.all([
    db
      .select({ id: ticketedEvent.id })
      .from(ticketedEvent)
      .where(and(eq(ticketedEvent.chainId, chainId), eq(ticketedEvent.id, eventId)))
      .limit(1),
    db
      .select({ ticket, stake: { amount: stake.amount, status: stake.status, claimable: stake.claimable } })
      .from(ticket)
      .leftJoin(stake, and(eq(stake.chainId, ticket.chainId), eq(stake.tokenId, ticket.tokenId)))
      .where(where)
      .orderBy(asc(ticket.tokenId))
      .limit(page.limit + 1),
  ]);
  if (events.length === 0) return null;
  const { items, nextCursor } = ticketPage(
    rows.map((r) => ({ tokenId: r.ticket.tokenId, row: r })),
    page.limit,
  );
  return {
    chainId,
    eventId: dec(eventId),
    items: items.map(({ row }) => ticketJson(row.ticket, row.stake)),
    nextCursor: decOrNull(nextCursor),
  };
}
