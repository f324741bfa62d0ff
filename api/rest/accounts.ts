// GET /api/accounts/{address}: everything the index knows about one address, summarised by SQL
// aggregates. A fixed set of eleven queries, run concurrently, whatever the account's activity:
// no per-booking, per-ticket or per-order query.
import { z } from "@hono/zod-openapi";
import { and, desc, eq, gt, or, sql } from "drizzle-orm";
import type { Hex } from "viem";
import type { ReadDeps, Row } from "./db.js";
import { AddressJson, bigintOfText, checksum, dec, HashJson, tokenJson, TokenJson, type TokenMeta, Uint } from "./json.js";
import { tokenMeta } from "./tokens.js";

export const RECENT_BOOKINGS = 10;

const BOOKING_STATUSES = ["PAID", "COMPLETED", "CANCELLED"] as const;
type BookingStatus = (typeof BOOKING_STATUSES)[number];
const EVENT_STATUSES = ["ACTIVE", "CANCELLED", "COMPLETED"] as const;
type EventStatus = (typeof EVENT_STATUSES)[number];

const CountAndAmount = z.object({ count: z.number().int(), amount: Uint });
const byStatus = <S extends readonly string[], T extends z.ZodTypeAny>(statuses: S, item: T) =>
  z.object(Object.fromEntries(statuses.map((s) => [s, item])) as Record<S[number], T>);

const BookingRoleSummary = z
  .object({ count: z.number().int(), amount: Uint, byStatus: byStatus(BOOKING_STATUSES, CountAndAmount) })
  .openapi("AccountBookingRole");

const EarningJson = z
  .object({
    source: z.enum(["BookingEscrow", "PaymentProcessor", "QRPayment"]),
    role: z.enum(["PROVIDER", "INVITER", "PLATFORM", "ORGANIZER", "BENEFICIARY"]),
    token: TokenJson,
    amount: Uint,
  })
  .openapi("AccountEarning");

export const AccountJson = z
  .object({
    chainId: z.number().int().openapi({ description: "The chain these figures are from (an address has a summary per chain)" }),
    address: AddressJson,
    firstSeen: z.object({ block: Uint, timestamp: Uint }),
    roles: z
      .array(z.object({ contract: z.string(), role: z.string() }))
      .openapi({ description: "Roles held now: contract roles (operator, validator, bot, signer, ...) and OWNER / PENDING_OWNER of contracts" }),
    earnings: z.array(EarningJson).openapi({
      description:
        "Money credited to the account, non-zero entries only: BookingEscrow payouts by role (their sum is earnings(account)), organizer credits at event completion (revenue net of the platform fee plus no-show stakes), QR settlements received as beneficiary",
    }),
    bookings: z.object({
      asCustomer: BookingRoleSummary,
      asProvider: BookingRoleSummary,
      asInviter: BookingRoleSummary,
      recent: z
        .array(
          z.object({
            id: HashJson,
            status: z.enum(BOOKING_STATUSES),
            roles: z.array(z.enum(["CUSTOMER", "PROVIDER", "INVITER"])),
            amount: Uint,
            created: z.object({ block: Uint, timestamp: Uint }),
          }),
        )
        .openapi({ description: `The ${RECENT_BOOKINGS} latest bookings the account takes part in, newest first` }),
    }),
    tickets: z.object({
      held: z.number().int().openapi({ description: "Tickets owned now (EventTicketNFT.balanceOf)" }),
      checkedIn: z.number().int(),
      events: z.number().int().openapi({ description: "Distinct events of the tickets held" }),
      claimableStakes: CountAndAmount.openapi({ description: "Stakes the holder can claim now (sum of claimableStake over tickets held)" }),
    }),
    organizer: z.object({
      events: z.object({ count: z.number().int(), byStatus: byStatus(EVENT_STATUSES, z.number().int()) }),
      balance: Uint.openapi({ description: "Withdrawable now (PaymentProcessor.organizerBalance)" }),
      revenueCredited: Uint,
      forfeitedStakesCredited: Uint,
      withdrawn: Uint,
      withdrawals: z.number().int(),
    }),
    qr: z.object({
      asPayer: z
        .array(z.object({ token: TokenJson, orders: z.number().int(), paid: Uint, paidFiat: Uint, unsettled: Uint }))
        .openapi({ description: "Orders the account created (paid first), per token" }),
      asMerchant: z
        .array(
          z.object({
            token: TokenJson,
            settlements: z.number().int(),
            orders: z.number().int(),
            received: Uint,
            receivedFiat: Uint,
            unsettledOrders: z.number().int(),
            unsettled: Uint,
          }),
        )
        .openapi({
          description:
            "Settlements received as beneficiary, per token. On chain an order names its merchant only when a bot settles it, so `unsettled` counts the orders last settled to this account and topped up since",
        }),
    }),
  })
  .openapi("Account");

export type AccountJson = z.infer<typeof AccountJson>;

// ------------------------------------------------------------------------------------ pure assembly

export type BookingAggregate = {
  status: BookingStatus;
  customerCount: number;
  customerAmount: bigint;
  providerCount: number;
  providerAmount: bigint;
  inviterCount: number;
  inviterAmount: bigint;
};

/** Per-status aggregates (one row per status) → one summary per role, every status present. */
export function bookingRoles(rows: BookingAggregate[]): Pick<AccountJson["bookings"], "asCustomer" | "asProvider" | "asInviter"> {
  const role = (count: (r: BookingAggregate) => number, amount: (r: BookingAggregate) => bigint) => {
    const statuses = Object.fromEntries(BOOKING_STATUSES.map((s) => [s, { count: 0, amount: "0" }])) as Record<BookingStatus, { count: number; amount: string }>;
    let total = 0;
    let sum = 0n;
    for (const r of rows) {
      statuses[r.status] = { count: count(r), amount: dec(amount(r)) };
      total += count(r);
      sum += amount(r);
    }
    return { count: total, amount: dec(sum), byStatus: statuses };
  };
  return {
    asCustomer: role((r) => r.customerCount, (r) => r.customerAmount),
    asProvider: role((r) => r.providerCount, (r) => r.providerAmount),
    asInviter: role((r) => r.inviterCount, (r) => r.inviterAmount),
  };
}

export function eventCounts(rows: { status: EventStatus; count: number }[]): AccountJson["organizer"]["events"] {
  const statuses = Object.fromEntries(EVENT_STATUSES.map((s) => [s, 0])) as Record<EventStatus, number>;
  for (const r of rows) statuses[r.status] = r.count;
  return { count: rows.reduce((n, r) => n + r.count, 0), byStatus: statuses };
}

export type EarningSources = {
  /** BookingEscrow's payment token; null when the chain has no escrow. */
  escrowToken: Hex | null;
  booking: { asProvider: bigint; asInviter: bigint; asPlatform: bigint } | null;
  organizer: { revenueCredited: bigint; forfeitedStakesCredited: bigint } | null;
  merchant: { token: Hex; received: bigint }[];
};

export const NATIVE: Hex = "0x0000000000000000000000000000000000000000";

/** Non-zero credits by source, role and token. */
export function earningsList(src: EarningSources, meta: Map<string, TokenMeta>): AccountJson["earnings"] {
  const out: AccountJson["earnings"] = [];
  if (src.booking) {
    const token = src.escrowToken ?? NATIVE;
    const roles = [
      ["PROVIDER", src.booking.asProvider],
      ["INVITER", src.booking.asInviter],
      ["PLATFORM", src.booking.asPlatform],
    ] as const;
    for (const [role, amount] of roles) if (amount > 0n) out.push({ source: "BookingEscrow", role, token: tokenJson(token, meta), amount: dec(amount) });
  }
  if (src.organizer) {
    const amount = src.organizer.revenueCredited + src.organizer.forfeitedStakesCredited;
    if (amount > 0n) out.push({ source: "PaymentProcessor", role: "ORGANIZER", token: tokenJson(NATIVE, meta), amount: dec(amount) });
  }
  const byToken = [...src.merchant].sort((x, y) => (x.token.toLowerCase() < y.token.toLowerCase() ? -1 : 1));
  for (const m of byToken) {
    if (m.received > 0n) out.push({ source: "QRPayment", role: "BENEFICIARY", token: tokenJson(m.token, meta), amount: dec(m.received) });
  }
  return out;
}

export function bookingRolesOf(b: { customer: Hex; provider: Hex; inviter: Hex | null }, address: Hex): ("CUSTOMER" | "PROVIDER" | "INVITER")[] {
  const a = address.toLowerCase();
  const roles: ("CUSTOMER" | "PROVIDER" | "INVITER")[] = [];
  if (b.customer.toLowerCase() === a) roles.push("CUSTOMER");
  if (b.provider.toLowerCase() === a) roles.push("PROVIDER");
  if (b.inviter?.toLowerCase() === a) roles.push("INVITER");
  return roles;
}

/** Settlement aggregates and pending (topped-up) orders per token → one entry per token. */
export function merchantSummary(
  settled: { token: Hex; settlements: number; orders: number; received: bigint; receivedFiat: bigint }[],
  pending: { token: Hex; orders: number; unsettled: bigint }[],
  meta: Map<string, TokenMeta>,
): AccountJson["qr"]["asMerchant"] {
  const tokens = [...new Set([...settled, ...pending].map((x) => x.token.toLowerCase() as Hex))].sort();
  return tokens.map((token) => {
    const s = settled.find((x) => x.token.toLowerCase() === token);
    const p = pending.find((x) => x.token.toLowerCase() === token);
    return {
      token: tokenJson(token, meta),
      settlements: s?.settlements ?? 0,
      orders: s?.orders ?? 0,
      received: dec(s?.received ?? 0n),
      receivedFiat: dec(s?.receivedFiat ?? 0n),
      unsettledOrders: p?.orders ?? 0,
      unsettled: dec(p?.unsettled ?? 0n),
    };
  });
}

// ------------------------------------------------------------------------------------ queries

const int = (v: unknown) => Number(v ?? 0);

/** null when the index never saw the address. */
export async function readAccount(deps: ReadDeps, chainId: number, address: Hex): Promise<AccountJson | null> {
  const { db, schema } = deps;
  const { account, accountEarning, organizerBalance, escrowState, booking, ticket, stake, ticketedEvent, qrOrder, qrSettlement, roleMember, contractInfo } =
    schema;
  const sumText = (col: unknown) => sql<string>`coalesce(sum(${col}), 0)::text`;
  const [base, bookingAggs, recent, tickets, events, payer, settled, pending, roles, owned, meta] = await Promise.all([
    db
      .select({ account, earnings: accountEarning, organizer: organizerBalance, escrowToken: escrowState.paymentToken })
      .from(account)
      .leftJoin(accountEarning, and(eq(accountEarning.chainId, account.chainId), eq(accountEarning.account, account.address)))
      .leftJoin(organizerBalance, and(eq(organizerBalance.chainId, account.chainId), eq(organizerBalance.organizer, account.address)))
      // One escrow per indexed chain: its payment token rides along.
      .leftJoin(escrowState, eq(escrowState.chainId, account.chainId))
      .where(and(eq(account.chainId, chainId), eq(account.address, address)))
      .limit(1),
    db
      .select({
        status: booking.status,
        customerCount: sql<number>`count(*) filter (where ${booking.customer} = ${address})::int`,
        customerAmount: sql<string>`coalesce(sum(${booking.amount}) filter (where ${booking.customer} = ${address}), 0)::text`,
        providerCount: sql<number>`count(*) filter (where ${booking.provider} = ${address})::int`,
        providerAmount: sql<string>`coalesce(sum(${booking.amount}) filter (where ${booking.provider} = ${address}), 0)::text`,
        inviterCount: sql<number>`count(*) filter (where ${booking.inviter} = ${address})::int`,
        inviterAmount: sql<string>`coalesce(sum(${booking.amount}) filter (where ${booking.inviter} = ${address}), 0)::text`,
      })
      .from(booking)
      .where(and(eq(booking.chainId, chainId), or(eq(booking.customer, address), eq(booking.provider, address), eq(booking.inviter, address))))
      .groupBy(booking.status),
    db
      .select({
        id: booking.id,
        status: booking.status,
        customer: booking.customer,
        provider: booking.provider,
        inviter: booking.inviter,
        amount: booking.amount,
        createdBlock: booking.createdBlock,
        createdAt: booking.createdAt,
      })
      .from(booking)
      .where(and(eq(booking.chainId, chainId), or(eq(booking.customer, address), eq(booking.provider, address), eq(booking.inviter, address))))
      .orderBy(desc(booking.createdBlock), booking.id)
      .limit(RECENT_BOOKINGS),
    db
      .select({
        held: sql<number>`count(*)::int`,
        checkedIn: sql<number>`count(*) filter (where ${ticket.checkedIn})::int`,
        events: sql<number>`count(distinct ${ticket.eventId})::int`,
        claimableCount: sql<number>`count(*) filter (where ${stake.claimable} > 0)::int`,
        claimableAmount: sumText(stake.claimable),
      })
      .from(ticket)
      .leftJoin(stake, and(eq(stake.chainId, ticket.chainId), eq(stake.tokenId, ticket.tokenId)))
      .where(and(eq(ticket.chainId, chainId), eq(ticket.owner, address))),
    db
      .select({ status: ticketedEvent.status, count: sql<number>`count(*)::int` })
      .from(ticketedEvent)
      .where(and(eq(ticketedEvent.chainId, chainId), eq(ticketedEvent.organizer, address)))
      .groupBy(ticketedEvent.status),
    db
      .select({
        token: qrOrder.token,
        orders: sql<number>`count(*)::int`,
        paid: sumText(qrOrder.paidAmount),
        paidFiat: sumText(qrOrder.paidFiat),
        unsettled: sumText(qrOrder.unsettledAmount),
      })
      .from(qrOrder)
      .where(and(eq(qrOrder.chainId, chainId), eq(qrOrder.creator, address)))
      .groupBy(qrOrder.token),
    db
      .select({
        token: qrSettlement.token,
        settlements: sql<number>`count(*)::int`,
        orders: sql<number>`count(distinct ${qrSettlement.orderDataHash})::int`,
        received: sumText(qrSettlement.tokenAmount),
        receivedFiat: sumText(qrSettlement.fiatAmount),
      })
      .from(qrSettlement)
      .where(and(eq(qrSettlement.chainId, chainId), eq(qrSettlement.beneficiary, address)))
      .groupBy(qrSettlement.token),
    db
      .select({ token: qrOrder.token, orders: sql<number>`count(*)::int`, unsettled: sumText(qrOrder.unsettledAmount) })
      .from(qrOrder)
      .where(and(eq(qrOrder.chainId, chainId), eq(qrOrder.lastBeneficiary, address), gt(qrOrder.unsettledAmount, 0n)))
      .groupBy(qrOrder.token),
    db
      .select({ contract: roleMember.contract, role: roleMember.role })
      .from(roleMember)
      .where(and(eq(roleMember.chainId, chainId), eq(roleMember.account, address), eq(roleMember.active, true))),
    db
      .select({ name: contractInfo.name, owner: contractInfo.owner, pendingOwner: contractInfo.pendingOwner })
      .from(contractInfo)
      .where(and(eq(contractInfo.chainId, chainId), or(eq(contractInfo.owner, address), eq(contractInfo.pendingOwner, address)))),
    tokenMeta(deps, chainId),
  ]);

  const row = base[0];
  if (!row) return null;
  return accountJson({
    account: row.account,
    earnings: row.earnings,
    organizer: row.organizer,
    escrowToken: row.escrowToken,
    bookings: bookingAggs.map((b) => ({
      status: b.status,
      customerCount: int(b.customerCount),
      customerAmount: bigintOfText(b.customerAmount),
      providerCount: int(b.providerCount),
      providerAmount: bigintOfText(b.providerAmount),
      inviterCount: int(b.inviterCount),
      inviterAmount: bigintOfText(b.inviterAmount),
    })),
    recent,
    tickets: {
      held: int(tickets[0]?.held),
      checkedIn: int(tickets[0]?.checkedIn),
      events: int(tickets[0]?.events),
      claimableCount: int(tickets[0]?.claimableCount),
      claimableAmount: bigintOfText(tickets[0]?.claimableAmount),
    },
    events: events.map((e) => ({ status: e.status, count: int(e.count) })),
    payer: payer.map((p) => ({
      token: p.token,
      orders: int(p.orders),
      paid: bigintOfText(p.paid),
      paidFiat: bigintOfText(p.paidFiat),
      unsettled: bigintOfText(p.unsettled),
    })),
    settled: settled.map((s) => ({
      token: s.token,
      settlements: int(s.settlements),
      orders: int(s.orders),
      received: bigintOfText(s.received),
      receivedFiat: bigintOfText(s.receivedFiat),
    })),
    pending: pending.map((p) => ({ token: p.token, orders: int(p.orders), unsettled: bigintOfText(p.unsettled) })),
    roles,
    owned,
    meta,
  });
}

export type AccountRows = {
  account: Row<"account">;
  earnings: Row<"accountEarning"> | null;
  organizer: Row<"organizerBalance"> | null;
  escrowToken: Hex | null;
  bookings: BookingAggregate[];
  recent: { id: Hex; status: BookingStatus; customer: Hex; provider: Hex; inviter: Hex | null; amount: bigint; createdBlock: bigint; createdAt: bigint }[];
  tickets: { held: number; checkedIn: number; events: number; claimableCount: number; claimableAmount: bigint };
  events: { status: EventStatus; count: number }[];
  payer: { token: Hex; orders: number; paid: bigint; paidFiat: bigint; unsettled: bigint }[];
  settled: { token: Hex; settlements: number; orders: number; received: bigint; receivedFiat: bigint }[];
  pending: { token: Hex; orders: number; unsettled: bigint }[];
  roles: { contract: string; role: string }[];
  owned: { name: string; owner: Hex | null; pendingOwner: Hex | null }[];
  meta: Map<string, TokenMeta>;
};

/** Roles in a stable order: by contract name, then role name. */
export function byContractAndRole(x: { contract: string; role: string }, y: { contract: string; role: string }): number {
  if (x.contract !== y.contract) return x.contract < y.contract ? -1 : 1;
  return x.role < y.role ? -1 : x.role > y.role ? 1 : 0;
}

export function accountJson(r: AccountRows): AccountJson {
  const address = r.account.address;
  const ownership = r.owned.flatMap((c) => [
    ...(c.owner === address ? [{ contract: c.name, role: "OWNER" }] : []),
    ...(c.pendingOwner === address ? [{ contract: c.name, role: "PENDING_OWNER" }] : []),
  ]);
  return {
    chainId: r.account.chainId,
    address: checksum(address),
    firstSeen: { block: dec(r.account.firstSeenBlock), timestamp: dec(r.account.firstSeenAt) },
    roles: [...ownership, ...r.roles].sort(byContractAndRole),
    earnings: earningsList(
      {
        escrowToken: r.escrowToken,
        booking: r.earnings,
        organizer: r.organizer,
        merchant: r.settled.map((s) => ({ token: s.token, received: s.received })),
      },
      r.meta,
    ),
    bookings: {
      ...bookingRoles(r.bookings),
      recent: r.recent.map((b) => ({
        id: b.id,
        status: b.status,
        roles: bookingRolesOf(b, address),
        amount: dec(b.amount),
        created: { block: dec(b.createdBlock), timestamp: dec(b.createdAt) },
      })),
    },
    tickets: {
      held: r.tickets.held,
      checkedIn: r.tickets.checkedIn,
      events: r.tickets.events,
      claimableStakes: { count: r.tickets.claimableCount, amount: dec(r.tickets.claimableAmount) },
    },
    organizer: {
      events: eventCounts(r.events),
      balance: dec(r.organizer?.balance ?? 0n),
      revenueCredited: dec(r.organizer?.revenueCredited ?? 0n),
      forfeitedStakesCredited: dec(r.organizer?.forfeitedStakesCredited ?? 0n),
      withdrawn: dec(r.organizer?.withdrawn ?? 0n),
      withdrawals: r.organizer?.withdrawals ?? 0,
    },
    qr: {
      asPayer: [...r.payer].sort((x, y) => (x.token.toLowerCase() < y.token.toLowerCase() ? -1 : 1)).map((p) => ({
        token: tokenJson(p.token, r.meta),
        orders: p.orders,
        paid: dec(p.paid),
        paidFiat: dec(p.paidFiat),
        unsettled: dec(p.unsettled),
      })),
      asMerchant: merchantSummary(r.settled, r.pending, r.meta),
    },
  };
}
