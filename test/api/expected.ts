// The REST responses the chain implies: built from test/api/chain-model.ts (logs and view
// functions), never from the index, in the documented JSON shapes (bigints as decimal strings,
// addresses checksummed, the zero address as null).
import { getAddress, zeroAddress, type Address, type Hex, type PublicClient } from "viem";
import { abis } from "../../devchain/artifacts.js";
import type { Deployment } from "../../config/deployment.js";
import { reader, type ChainModel, type ChainTicket, type Log } from "./chain-model.js";

const lc = (a: string) => a.toLowerCase();
const dec = (v: bigint | number) => v.toString();
const addr = (a: string) => getAddress(a);
const addrOrNull = (a: string | null) => (a === null || lc(a) === zeroAddress ? null : getAddress(a));
const ZERO32 = `0x${"0".repeat(64)}`;

export function tokenJson(m: ChainModel, token: string) {
  const meta = m.tokens.get(lc(token));
  return { address: getAddress(token), symbol: meta?.symbol ?? null, decimals: meta?.decimals ?? null };
}

const ref = (m: ChainModel, l: Log) => ({ block: dec(l.blockNumber), timestamp: dec(m.blockTime.get(l.blockNumber)!), txHash: l.transactionHash });
const at = (m: ChainModel, l: Log) => ({ block: dec(l.blockNumber), timestamp: dec(m.blockTime.get(l.blockNumber)!) });

// ------------------------------------------------------------------------------------ bookings

export function expectedBooking(m: ChainModel, id: Hex) {
  const b = m.bookings.get(id)!;
  const [created, settlement] = [b.logs[0]!, b.logs[1] ?? null];
  const paidOut = (l: Log | null) => {
    if (l === null || l.eventName === "BookingEscrow:BookingCreatedAndPaid") return { customerRefund: "0", providerAmount: "0", platformAmount: "0", inviterAmount: "0" };
    if (l.eventName === "BookingEscrow:ServiceCompleted") {
      return { customerRefund: "0", providerAmount: dec(l.args.providerAmount), platformAmount: dec(l.args.platformFee), inviterAmount: dec(l.args.inviterFee) };
    }
    return {
      customerRefund: dec(l.args.customerAmount),
      providerAmount: dec(l.args.providerAmount),
      platformAmount: dec(l.args.platformAmount),
      inviterAmount: dec(l.args.inviterAmount),
    };
  };
  const cancelled = settlement?.eventName === "BookingEscrow:BookingCancelled" ? settlement : null;
  return {
    chainId: m.chainId,
    id,
    status: b.status,
    customer: addr(b.customer),
    provider: addr(b.provider),
    inviter: addrOrNull(b.inviter),
    token: tokenJson(m, m.paymentToken),
    amount: dec(b.amount),
    feeRates: { platformBps: Number(b.platformFeeRate), inviterBps: Number(b.inviterFeeRate) },
    expectedCompletion: { providerAmount: dec(b.split.providerAmount), platformFee: dec(b.split.platformFee), inviterFee: dec(b.split.inviterFee) },
    paidOut: paidOut(settlement),
    platformWallet: addrOrNull(b.platformWalletAtSettlement),
    cancellation: cancelled
      ? {
          cancelledBy: addr(cancelled.args.cancelledBy),
          reason: cancelled.args.reason,
          emergency: ![lc(b.customer), lc(b.provider)].includes(lc(cancelled.args.cancelledBy)),
        }
      : null,
    created: { block: dec(created.blockNumber), timestamp: dec(b.paidAt), txHash: created.transactionHash },
    settled: settlement ? ref(m, settlement) : null,
    history: b.logs.map((l) => {
      const status = l.eventName === "BookingEscrow:BookingCreatedAndPaid" ? "PAID" : l.eventName === "BookingEscrow:ServiceCompleted" ? "COMPLETED" : "CANCELLED";
      const actor = status === "PAID" ? b.customer : status === "COMPLETED" ? b.completedBy! : l.args.cancelledBy;
      return {
        status,
        actor: addr(actor),
        amount: dec(b.amount),
        ...paidOut(l),
        reason: status === "CANCELLED" ? l.args.reason : null,
        ...ref(m, l),
        logIndex: l.logIndex,
      };
    }),
  };
}

// ------------------------------------------------------------------------------------ events and tickets

/** The stake paid with a ticket and its state, from the event's figures, the logs and claimableStake. */
export function stakeOf(m: ChainModel, t: ChainTicket) {
  const e = m.events.get(t.eventId)!;
  if (t.complimentary || e.stakePerTicket === 0n) return null;
  const payment = t.paymentId ? m.payments.get(t.paymentId)! : null;
  const status =
    payment?.status === "REFUNDED"
      ? "REFUNDED"
      : t.claim
        ? "CLAIMED"
        : e.status === "COMPLETED"
          ? t.checkedIn
            ? "CLAIMABLE"
            : "FORFEITED"
          : "HELD";
  return { amount: dec(e.stakePerTicket), status, claimable: dec(t.claimableStake) };
}

export function eventTickets(m: ChainModel, eventId: bigint): ChainTicket[] {
  return [...m.tickets.values()].filter((t) => t.eventId === eventId).sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1));
}

export function expectedTicket(m: ChainModel, t: ChainTicket) {
  return {
    tokenId: dec(t.tokenId),
    owner: addrOrNull(t.owner),
    buyer: addr(t.buyer),
    paymentId: t.paymentId,
    complimentary: t.complimentary,
    burned: t.owner === null,
    checkedIn: t.checkedIn,
    gateId: t.gateId === ZERO32 ? null : lc(t.gateId),
    validator: t.checkIn ? addr(t.checkIn.args.validator) : null,
    checkedInAt: t.checkIn ? dec(m.blockTime.get(t.checkIn.blockNumber)!) : null,
    stake: stakeOf(m, t),
    minted: ref(m, t.mint),
  };
}

const STAKE_STATUSES = ["HELD", "CLAIMABLE", "CLAIMED", "FORFEITED", "REFUNDED"] as const;

export function expectedEvent(m: ChainModel, id: bigint) {
  const e = m.events.get(id)!;
  const tickets = eventTickets(m, id);
  const log = (name: string) => e.logs.find((l) => l.eventName === name) ?? null;
  const settledLog = log("PaymentProcessor:EventSettled");
  const forfeited = log("PaymentProcessor:StakeForfeited");
  const ended = log("EventTicketNFT:EventCancelled") ?? log("EventTicketNFT:EventCompleted");
  const stakes = Object.fromEntries(STAKE_STATUSES.map((s) => [s, { count: 0, amount: "0" }])) as Record<string, { count: number; amount: string }>;
  for (const t of tickets) {
    const s = stakeOf(m, t);
    if (!s) continue;
    stakes[s.status] = { count: stakes[s.status]!.count + 1, amount: dec(BigInt(stakes[s.status]!.amount) + BigInt(s.amount)) };
  }
  const refunds = m.logs.filter((l) => l.eventName === "PaymentProcessor:Refund" && m.payments.get(lc(l.args.paymentId) as Hex)!.eventId === id);
  const remaining = e.maxCapacity - e.sold;
  const ACTIONS: Record<string, string> = {
    "EventTicketNFT:EventCreated": "CREATED",
    "PaymentProcessor:EventStakeSet": "STAKE_SET",
    "EventTicketNFT:EventCancelled": "CANCELLED",
    "EventTicketNFT:EventCompleted": "COMPLETED",
    "PaymentProcessor:EventSettled": "SETTLED",
  };
  const STATUS_AFTER: Record<string, string> = { CREATED: "ACTIVE", STAKE_SET: "ACTIVE", CANCELLED: "CANCELLED", COMPLETED: "COMPLETED", SETTLED: "COMPLETED" };
  return {
    chainId: m.chainId,
    id: dec(id),
    status: e.status,
    organizer: addr(e.organizer),
    currency: "native",
    price: dec(e.price),
    stakeBps: Number(e.stakeBps),
    stakePerTicket: dec(e.stakePerTicket),
    ticketCost: dec(e.price + e.stakePerTicket),
    maxCapacity: dec(e.maxCapacity),
    sold: dec(e.sold),
    remaining: dec(remaining),
    onSale: e.status === "ACTIVE" && remaining > 0n,
    paidTickets: dec(e.paidTickets),
    complimentaryTickets: dec(tickets.filter((t) => t.complimentary).length),
    burned: dec(tickets.filter((t) => t.owner === null).length),
    checkedIn: dec(e.checkedIn),
    paidCheckedIn: dec(e.paidCheckedIn),
    escrowed: dec(e.escrowed),
    settled: e.settled,
    settlement: settledLog
      ? {
          organizerAmount: dec(settledLog.args.organizerAmount),
          platformFee: dec(settledLog.args.platformFee),
          stakesHeld: dec(settledLog.args.stakesHeld),
          noShows: dec(e.paidTickets - e.paidCheckedIn),
          forfeitedStakes: dec(forfeited?.args.amount ?? 0n),
        }
      : null,
    stakes,
    refunds: { count: refunds.length, amount: dec(refunds.reduce((s, l) => s + (l.args.amount as bigint), 0n)) },
    created: ref(m, log("EventTicketNFT:EventCreated")!),
    ended: ended ? at(m, ended) : null,
    history: e.logs
      .filter((l) => ACTIONS[l.eventName])
      .map((l) => {
        const action = ACTIONS[l.eventName]!;
        return {
          action,
          status: STATUS_AFTER[action],
          stakeBps: action === "STAKE_SET" ? Number(l.args.stakeBps) : null,
          organizerAmount: action === "SETTLED" ? dec(l.args.organizerAmount) : null,
          platformFee: action === "SETTLED" ? dec(l.args.platformFee) : null,
          stakesHeld: action === "SETTLED" ? dec(l.args.stakesHeld) : null,
          ...ref(m, l),
          logIndex: l.logIndex,
        };
      }),
  };
}

// ------------------------------------------------------------------------------------ QR orders

export function qrStatus(paid: bigint, settled: bigint) {
  return settled === 0n ? "PAID" : settled === paid ? "SETTLED" : "PARTIALLY_SETTLED";
}

export function expectedOrder(m: ChainModel, hash: Hex) {
  const o = m.orders.get(hash)!;
  const touched = [...o.payments, ...o.settlements].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  const last = o.settlements[o.settlements.length - 1];
  return {
    chainId: m.chainId,
    orderHash: hash,
    orderId: o.orderId,
    referenceString: o.referenceString,
    creator: addr(o.creator),
    token: tokenJson(m, o.token),
    native: o.token === zeroAddress,
    status: qrStatus(o.paidAmount, o.settledAmount),
    paid: { amount: dec(o.paidAmount), fiat: dec(o.paidFiat) },
    settled: { amount: dec(o.settledAmount), fiat: dec(o.settledFiat) },
    unsettled: { amount: dec(o.unsettled), fiat: dec(o.paidFiat - o.settledFiat) },
    lastBeneficiary: last ? addr(last.args.beneficiary) : null,
    created: at(m, o.payments[0]!),
    updated: at(m, touched[touched.length - 1]!),
    payments: o.payments.map((p) => ({ amount: dec(p.args.tokenAmount), fiat: dec(p.args.fiatAmount), ...ref(m, p), logIndex: p.logIndex })),
    settlements: o.settlements.map((s) => ({
      beneficiary: addr(s.args.beneficiary),
      bot: addr(s.bot),
      amount: dec(s.args.tokenAmount),
      fiat: dec(s.args.fiatAmount),
      ...ref(m, s),
      logIndex: s.logIndex,
    })),
  };
}

// ------------------------------------------------------------------------------------ accounts

/** The account summary the chain implies, or null when the address took part in nothing and holds no role. */
export async function expectedAccount(m: ChainModel, client: PublicClient, deployment: Deployment, address: Address) {
  const c = deployment.contracts;
  const read = reader(client);
  const a = lc(address);
  const is = (x: string | null | undefined) => x !== null && x !== undefined && lc(x) === a;

  // Earnings: BookingEscrow payouts by role from the settlement logs; their sum must be earnings(a).
  const roleTotals = { PROVIDER: 0n, INVITER: 0n, PLATFORM: 0n };
  for (const b of m.bookings.values()) {
    const s = b.logs[1];
    if (!s) continue;
    const [provider, platform, inviter] =
      s.eventName === "BookingEscrow:ServiceCompleted"
        ? [s.args.providerAmount, s.args.platformFee, s.args.inviterFee]
        : [s.args.providerAmount, s.args.platformAmount, s.args.inviterAmount];
    if (is(b.provider)) roleTotals.PROVIDER += provider;
    if (is(b.platformWalletAtSettlement)) roleTotals.PLATFORM += platform;
    if (is(b.inviter)) roleTotals.INVITER += inviter;
  }
  const earningsView = await read<bigint>(c.BookingEscrow.address, abis.BookingEscrow, "earnings", [address]);
  if (roleTotals.PROVIDER + roleTotals.INVITER + roleTotals.PLATFORM !== earningsView) {
    throw new Error(`chain model: payouts to ${address} from logs do not add up to earnings(): ${earningsView}`);
  }
  const earnings: unknown[] = [];
  for (const role of ["PROVIDER", "INVITER", "PLATFORM"] as const) {
    if (roleTotals[role] > 0n) earnings.push({ source: "BookingEscrow", role, token: tokenJson(m, m.paymentToken), amount: dec(roleTotals[role]) });
  }
  const credited = { revenue: 0n, forfeited: 0n, withdrawn: 0n, withdrawals: 0 };
  for (const l of m.logs) {
    if (l.eventName === "PaymentProcessor:EventSettled" && is(l.args.organizer)) credited.revenue += l.args.organizerAmount;
    if (l.eventName === "PaymentProcessor:StakeForfeited" && is(l.args.organizer)) credited.forfeited += l.args.amount;
    if (l.eventName === "PaymentProcessor:EarningsWithdrawn" && is(l.args.organizer)) {
      credited.withdrawn += l.args.amount;
      credited.withdrawals++;
    }
  }
  if (credited.revenue + credited.forfeited > 0n) {
    earnings.push({ source: "PaymentProcessor", role: "ORGANIZER", token: tokenJson(m, zeroAddress), amount: dec(credited.revenue + credited.forfeited) });
  }
  const merchant = new Map<string, { settlements: number; orders: Set<string>; received: bigint; fiat: bigint; unsettledOrders: number; unsettled: bigint }>();
  const merchantOf = (token: string) => {
    let e = merchant.get(lc(token));
    if (!e) merchant.set(lc(token), (e = { settlements: 0, orders: new Set(), received: 0n, fiat: 0n, unsettledOrders: 0, unsettled: 0n }));
    return e;
  };
  for (const o of m.orders.values()) {
    for (const s of o.settlements) {
      if (!is(s.args.beneficiary)) continue;
      const e = merchantOf(o.token);
      e.settlements++;
      e.orders.add(o.hash);
      e.received += s.args.tokenAmount;
      e.fiat += s.args.fiatAmount;
    }
    const last = o.settlements[o.settlements.length - 1];
    if (last && is(last.args.beneficiary) && o.unsettled > 0n) {
      const e = merchantOf(o.token);
      e.unsettledOrders++;
      e.unsettled += o.unsettled;
    }
  }
  const merchantTokens = [...merchant.keys()].sort();
  for (const token of merchantTokens) {
    const e = merchant.get(token)!;
    if (e.received > 0n) earnings.push({ source: "QRPayment", role: "BENEFICIARY", token: tokenJson(m, token), amount: dec(e.received) });
  }

  // Bookings by role and status, from getBooking.
  const BOOKING_STATUSES = ["PAID", "COMPLETED", "CANCELLED"] as const;
  const roleSummary = (pick: (b: { customer: string; provider: string; inviter: string }) => string) => {
    const mine = [...m.bookings.values()].filter((b) => is(pick(b)));
    const byStatus = Object.fromEntries(
      BOOKING_STATUSES.map((s) => {
        const those = mine.filter((b) => b.status === s);
        return [s, { count: those.length, amount: dec(those.reduce((t, b) => t + b.amount, 0n)) }];
      }),
    );
    return { count: mine.length, amount: dec(mine.reduce((t, b) => t + b.amount, 0n)), byStatus };
  };
  const involved = [...m.bookings.values()].filter((b) => is(b.customer) || is(b.provider) || is(b.inviter));
  const createdBlock = (b: { logs: Log[] }) => b.logs[0]!.blockNumber;
  involved.sort((x, y) => (createdBlock(x) === createdBlock(y) ? (x.id < y.id ? -1 : 1) : createdBlock(x) > createdBlock(y) ? -1 : 1));
  const recent = involved.slice(0, 10).map((b) => ({
    id: b.id,
    status: b.status,
    roles: [...(is(b.customer) ? ["CUSTOMER"] : []), ...(is(b.provider) ? ["PROVIDER"] : []), ...(is(b.inviter) ? ["INVITER"] : [])],
    amount: dec(b.amount),
    created: { block: dec(createdBlock(b)), timestamp: dec(b.paidAt) },
  }));

  // Tickets held now: balanceOf, ownerOf, checkedIn, claimableStake.
  const held = [...m.tickets.values()].filter((t) => is(t.owner));
  const balance = await read<bigint>(c.EventTicketNFT.address, abis.EventTicketNFT, "balanceOf", [address]);
  if (BigInt(held.length) !== balance) throw new Error(`chain model: ${address} owns ${held.length} tickets by ownerOf, balanceOf says ${balance}`);
  const claimable = held.filter((t) => t.claimableStake > 0n);

  // Events organized, from getEvent.
  const organized = [...m.events.values()].filter((e) => is(e.organizer));
  const organizerBalance = await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "organizerBalance", [address]);

  // QR orders created (getOrder.creator), per token.
  const payerTokens = [...new Set([...m.orders.values()].filter((o) => is(o.creator)).map((o) => lc(o.token)))].sort();
  const asPayer = payerTokens.map((token) => {
    const os = [...m.orders.values()].filter((o) => is(o.creator) && lc(o.token) === token);
    return {
      token: tokenJson(m, token),
      orders: os.length,
      paid: dec(os.reduce((s, o) => s + o.paidAmount, 0n)),
      paidFiat: dec(os.reduce((s, o) => s + o.paidFiat, 0n)),
      unsettled: dec(os.reduce((s, o) => s + o.unsettled, 0n)),
    };
  });
  const asMerchant = merchantTokens.map((token) => {
    const e = merchant.get(token)!;
    return {
      token: tokenJson(m, token),
      settlements: e.settlements,
      orders: e.orders.size,
      received: dec(e.received),
      receivedFiat: dec(e.fiat),
      unsettledOrders: e.unsettledOrders,
      unsettled: dec(e.unsettled),
    };
  });

  // Roles, from the contracts' views.
  const roles: { contract: string; role: string }[] = [];
  for (const [name, o] of Object.entries(m.owners).sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (is(o.owner)) roles.push({ contract: name, role: "OWNER" });
    if (is(o.pendingOwner)) roles.push({ contract: name, role: "PENDING_OWNER" });
  }
  const memberships: { contract: string; role: string }[] = [];
  if (await read<boolean>(c.BookingEscrow.address, abis.BookingEscrow, "operators", [address])) memberships.push({ contract: "BookingEscrow", role: "OPERATOR" });
  if (is(m.singles.signer)) memberships.push({ contract: "BookingEscrow", role: "SIGNER" });
  if (is(m.singles.platformWallet)) memberships.push({ contract: "BookingEscrow", role: "PLATFORM_WALLET" });
  if (await read<boolean>(c.EventTicketNFT.address, abis.EventTicketNFT, "validators", [address])) memberships.push({ contract: "EventTicketNFT", role: "VALIDATOR" });
  if (is(m.singles.minter)) memberships.push({ contract: "EventTicketNFT", role: "MINTER" });
  if (await read<boolean>(c.QRPayment.address, abis.QRPayment, "bots", [address])) memberships.push({ contract: "QRPayment", role: "BOT" });
  if (is(m.singles.oracle)) memberships.push({ contract: "QRPayment", role: "ORACLE" });

  const summary = {
    chainId: m.chainId,
    address: getAddress(address),
    roles: [...roles, ...memberships].sort((x, y) => (x.contract !== y.contract ? (x.contract < y.contract ? -1 : 1) : x.role < y.role ? -1 : x.role > y.role ? 1 : 0)),
    earnings,
    bookings: {
      asCustomer: roleSummary((b) => b.customer),
      asProvider: roleSummary((b) => b.provider),
      asInviter: roleSummary((b) => b.inviter),
      recent,
    },
    tickets: {
      held: held.length,
      checkedIn: held.filter((t) => t.checkedIn).length,
      events: new Set(held.map((t) => t.eventId)).size,
      claimableStakes: { count: claimable.length, amount: dec(claimable.reduce((s, t) => s + t.claimableStake, 0n)) },
    },
    organizer: {
      events: {
        count: organized.length,
        byStatus: Object.fromEntries(["ACTIVE", "CANCELLED", "COMPLETED"].map((s) => [s, organized.filter((e) => e.status === s).length])),
      },
      balance: dec(organizerBalance),
      revenueCredited: dec(credited.revenue),
      forfeitedStakesCredited: dec(credited.forfeited),
      withdrawn: dec(credited.withdrawn),
      withdrawals: credited.withdrawals,
    },
    qr: { asPayer, asMerchant },
  };
  if (credited.revenue + credited.forfeited !== organizerBalance + credited.withdrawn) {
    throw new Error(`chain model: ${address}'s organizer credits minus withdrawals differ from organizerBalance()`);
  }
  const idle =
    involved.length === 0 && held.length === 0 && organized.length === 0 && earnings.length === 0 && asPayer.length === 0 && asMerchant.length === 0 && summary.roles.length === 0;
  return { summary, idle };
}
