// PaymentProcessor: ticket payments, refunds, stakes, organizer balances, platform fees.
import { ponder, type Context } from "ponder:registry";
import {
  organizerBalance,
  payment,
  pendingPayment,
  processorLedger,
  processorState,
  refund,
  stake,
  ticket,
  ticketedEvent,
  ticketedEventHistory,
} from "ponder:schema";
import { bpsToNumber } from "../domain/fees.js";
import { lower, ZERO_ADDRESS, type Hex } from "../domain/ids.js";
import { claimableAmount, stakePerTicket, stakeStatusAtCompletion } from "../domain/tickets.js";
import {
  at,
  bumpDaily,
  idOf,
  setOwner,
  setPaused,
  setPendingOwner,
  touchAccounts,
  type LogEvent,
} from "./lib/store.js";

const CONTRACT = "PaymentProcessor";
/** Sales are in the native coin. */
const NATIVE = ZERO_ADDRESS;

async function state(context: Context, event: LogEvent) {
  const chainId = context.chain.id;
  const address = lower(event.log.address);
  return (
    (await context.db.find(processorState, { chainId, address })) ?? (await context.db.insert(processorState).values({ chainId, address }))
  );
}

async function findEvent(context: Context, eventId: bigint) {
  const chainId = context.chain.id;
  const row = await context.db.find(ticketedEvent, { chainId, id: eventId });
  if (!row) throw new Error(`PaymentProcessor: event ${eventId} is not indexed (is the EventTicketNFT indexed from its deployment?)`);
  return row;
}

async function ledger(
  context: Context,
  event: LogEvent,
  entry: {
    kind: "PAYMENT_RECEIVED" | "REFUND" | "EVENT_SETTLED" | "STAKE_FORFEITED" | "STAKE_CLAIMED" | "EARNINGS_WITHDRAWN" | "PLATFORM_FEES_WITHDRAWN";
    account: Hex;
    amount: bigint;
    eventId?: bigint;
    paymentId?: Hex;
    tokenId?: bigint;
    platformFee?: bigint;
    noShows?: bigint;
  },
) {
  const chainId = context.chain.id;
  await context.db.insert(processorLedger).values({ chainId, id: idOf(event), ...entry, account: lower(entry.account), ...at(event) });
}

async function creditOrganizer(context: Context, event: LogEvent, organizer: Hex, revenue: bigint, forfeited: bigint) {
  const chainId = context.chain.id;
  const amount = revenue + forfeited;
  await context.db
    .insert(organizerBalance)
    .values({
      chainId,
      organizer: lower(organizer),
      balance: amount,
      revenueCredited: revenue,
      forfeitedStakesCredited: forfeited,
      updatedAt: event.block.timestamp,
    })
    .onConflictDoUpdate((row) => ({
      balance: row.balance + amount,
      revenueCredited: row.revenueCredited + revenue,
      forfeitedStakesCredited: row.forfeitedStakesCredited + forfeited,
      updatedAt: event.block.timestamp,
    }));
}

// ------------------------------------------------------------------------------------ purchases

// PaymentReceived → (EventTicketNFT: Transfer…, TicketMinted | TicketBatchMinted) → PaymentConfirmed,
// all in one transaction. The payment row is written at confirmation, with the minted token ids.
ponder.on("PaymentProcessor:PaymentReceived", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { paymentId, eventId, buyer, amount } = event.args;
  await state(context, event);
  const txHash = lower(event.transaction.hash);
  const pending = { paymentId: lower(paymentId), eventId, buyer: lower(buyer), amount, tokenIds: [] as bigint[] };
  // Several purchases in one transaction (a contract buyer) run one after the other: the latest wins.
  await context.db.insert(pendingPayment).values({ chainId, txHash, ...pending }).onConflictDoUpdate(pending);
  await context.db.update(ticketedEvent, { chainId, id: (await findEvent(context, eventId)).id }).set((row) => ({ escrowed: row.escrowed + amount }));
  await ledger(context, event, { kind: "PAYMENT_RECEIVED", account: buyer, amount, eventId, paymentId: lower(paymentId) });
  await touchAccounts(context, event, buyer);
  await bumpDaily(context, event, CONTRACT, NATIVE, { inflow: amount });
});

ponder.on("PaymentProcessor:PaymentConfirmed", async ({ event, context }) => {
  const chainId = context.chain.id;
  const paymentId = lower(event.args.paymentId);
  const txHash = lower(event.transaction.hash);
  const pending = await context.db.find(pendingPayment, { chainId, txHash });
  if (!pending || pending.paymentId !== paymentId || pending.tokenIds.length === 0) {
    throw new Error(`PaymentProcessor: payment ${paymentId} confirmed without its PaymentReceived and minted tickets in ${txHash}`);
  }
  const e = await findEvent(context, pending.eventId);
  const quantity = pending.tokenIds.length;
  // amount = (price + stake) × quantity, so the stake per ticket follows from the log and the event's price.
  const perTicketStake = pending.amount / BigInt(quantity) - e.price;
  if (perTicketStake !== stakePerTicket(e.price, BigInt(e.stakeBps))) {
    throw new Error(`PaymentProcessor: payment ${paymentId} of ${pending.amount} does not match event ${e.id}'s price and stake`);
  }
  const where = at(event);
  await context.db.insert(payment).values({
    chainId,
    id: paymentId,
    eventId: e.id,
    buyer: pending.buyer,
    amount: pending.amount,
    quantity,
    tokenIds: pending.tokenIds,
    stakePerTicket: perTicketStake,
    status: "CONFIRMED",
    createdBlock: where.blockNumber,
    createdAt: where.timestamp,
    createdTxHash: where.txHash,
  });
  let lastStakedTokenId = e.lastStakedTokenId;
  if (perTicketStake > 0n) {
    const stakes = pending.tokenIds.map((tokenId) => {
      const previousStakedTokenId = lastStakedTokenId;
      lastStakedTokenId = tokenId;
      return { chainId, tokenId, eventId: e.id, paymentId, previousStakedTokenId, amount: perTicketStake, status: "HELD" as const };
    });
    await context.db.insert(stake).values(stakes);
  }
  await context.db.update(ticketedEvent, { chainId, id: e.id }).set((row) => ({ paidTickets: row.paidTickets + BigInt(quantity), lastStakedTokenId }));
  const s = await state(context, event);
  await context.db.update(processorState, { chainId, address: s.address }).set((row) => ({ paymentCount: row.paymentCount + 1 }));
  await context.db.delete(pendingPayment, { chainId, txHash });
});

// Refund precedes the burns (EventTicketNFT Transfer to the zero address) of the payment's tickets.
ponder.on("PaymentProcessor:Refund", async ({ event, context }) => {
  const chainId = context.chain.id;
  const paymentId = lower(event.args.paymentId);
  const { buyer, amount } = event.args;
  const p = await context.db.find(payment, { chainId, id: paymentId });
  if (!p) throw new Error(`PaymentProcessor: refund of payment ${paymentId} that was never indexed`);
  const where = at(event);
  await context.db.update(payment, { chainId, id: paymentId }).set({
    status: "REFUNDED",
    refundedBlock: where.blockNumber,
    refundedAt: where.timestamp,
    refundTxHash: where.txHash,
  });
  await context.db.insert(refund).values({
    chainId,
    id: idOf(event),
    paymentId,
    eventId: p.eventId,
    buyer: lower(buyer),
    amount,
    tokenIds: p.tokenIds,
    ...where,
  });
  if (p.stakePerTicket > 0n) {
    for (const tokenId of p.tokenIds) await context.db.update(stake, { chainId, tokenId }).set({ status: "REFUNDED", claimable: 0n });
  }
  await context.db.update(ticketedEvent, { chainId, id: p.eventId }).set((row) => ({
    escrowed: row.escrowed - amount,
    paidTickets: row.paidTickets - BigInt(p.quantity),
  }));
  await ledger(context, event, { kind: "REFUND", account: buyer, amount, eventId: p.eventId, paymentId });
  await bumpDaily(context, event, CONTRACT, NATIVE, { outflow: amount, ticketsRefunded: p.quantity });
});

// ------------------------------------------------------------------------------------ events: stake and settlement

ponder.on("PaymentProcessor:EventStakeSet", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { eventId, stakeBps } = event.args;
  const e = await findEvent(context, eventId);
  const bps = bpsToNumber(stakeBps);
  await context.db.update(ticketedEvent, { chainId, id: e.id }).set({ stakeBps: bps, stakePerTicket: stakePerTicket(e.price, stakeBps) });
  await context.db
    .insert(ticketedEventHistory)
    .values({ chainId, id: idOf(event), eventId: e.id, action: "STAKE_SET", status: e.status, stakeBps: bps, ...at(event) });
});

// Emitted inside EventTicketNFT.completeEvent, after EventCompleted; StakeForfeited follows when
// no-shows forfeit their stakes to the organizer.
ponder.on("PaymentProcessor:EventSettled", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { eventId, organizer, organizerAmount, platformFee, stakesHeld } = event.args;
  const e = await findEvent(context, eventId);
  await context.db.update(ticketedEvent, { chainId, id: e.id }).set({
    settled: true,
    escrowed: 0n,
    organizerAmount,
    platformFee,
    stakesHeld,
    noShows: e.paidTickets - e.paidCheckedIn,
    forfeitedStakes: 0n,
  });
  await context.db.insert(ticketedEventHistory).values({
    chainId,
    id: idOf(event),
    eventId: e.id,
    action: "SETTLED",
    status: "COMPLETED",
    organizerAmount,
    platformFee,
    stakesHeld,
    ...at(event),
  });
  await creditOrganizer(context, event, organizer, organizerAmount, 0n);
  const s = await state(context, event);
  await context.db.update(processorState, { chainId, address: s.address }).set((row) => ({
    platformFees: row.platformFees + platformFee,
    unclaimedStakes: row.unclaimedStakes + stakesHeld,
  }));
  // Every check-in is final now: each held stake becomes claimable (checked in) or forfeited.
  // Walked row by row through Ponder's cache (the event's list of stakes, newest first): raw SQL
  // (context.db.sql) would flush and drop the cache. Refunded stakes are skipped, not unlinked.
  for (let tokenId = e.lastStakedTokenId; tokenId !== null; ) {
    const held = await context.db.find(stake, { chainId, tokenId });
    if (!held) throw new Error(`PaymentProcessor: event ${e.id}'s stake list names ticket ${tokenId}, which has no stake`);
    const sold = await context.db.find(ticket, { chainId, tokenId });
    if (sold && held.status === "HELD") {
      const status = stakeStatusAtCompletion(sold.checkedIn);
      await context.db.update(stake, { chainId, tokenId }).set({ status, claimable: claimableAmount(status, held.amount) });
    }
    tokenId = held.previousStakedTokenId;
  }
  await ledger(context, event, { kind: "EVENT_SETTLED", account: organizer, amount: organizerAmount, eventId: e.id, platformFee });
  await bumpDaily(context, event, CONTRACT, NATIVE, { platformFees: platformFee });
});

ponder.on("PaymentProcessor:StakeForfeited", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { eventId, organizer, noShows, amount } = event.args;
  await context.db.update(ticketedEvent, { chainId, id: eventId }).set({ noShows, forfeitedStakes: amount });
  await creditOrganizer(context, event, organizer, 0n, amount);
  await ledger(context, event, { kind: "STAKE_FORFEITED", account: organizer, amount, eventId, noShows });
});

ponder.on("PaymentProcessor:StakeClaimed", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { tokenId, eventId, holder, amount } = event.args;
  await context.db.update(stake, { chainId, tokenId }).set({
    status: "CLAIMED",
    claimable: 0n,
    claimedBy: lower(holder),
    claimedAt: event.block.timestamp,
    claimTxHash: lower(event.transaction.hash),
  });
  const s = await state(context, event);
  await context.db.update(processorState, { chainId, address: s.address }).set((row) => ({ unclaimedStakes: row.unclaimedStakes - amount }));
  await ledger(context, event, { kind: "STAKE_CLAIMED", account: holder, amount, eventId, tokenId });
  await touchAccounts(context, event, holder);
  await bumpDaily(context, event, CONTRACT, NATIVE, { outflow: amount });
});

// ------------------------------------------------------------------------------------ withdrawals

ponder.on("PaymentProcessor:EarningsWithdrawn", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { organizer, amount } = event.args;
  await context.db.update(organizerBalance, { chainId, organizer: lower(organizer) }).set((row) => ({
    balance: row.balance - amount,
    withdrawn: row.withdrawn + amount,
    withdrawals: row.withdrawals + 1,
    updatedAt: event.block.timestamp,
  }));
  await ledger(context, event, { kind: "EARNINGS_WITHDRAWN", account: organizer, amount });
  await bumpDaily(context, event, CONTRACT, NATIVE, { outflow: amount });
});

ponder.on("PaymentProcessor:PlatformFeesWithdrawn", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { to, amount } = event.args;
  const s = await state(context, event);
  await context.db.update(processorState, { chainId, address: s.address }).set((row) => ({
    platformFees: row.platformFees - amount,
    platformFeesWithdrawn: row.platformFeesWithdrawn + amount,
  }));
  await ledger(context, event, { kind: "PLATFORM_FEES_WITHDRAWN", account: to, amount });
  await touchAccounts(context, event, to);
  await bumpDaily(context, event, CONTRACT, NATIVE, { outflow: amount });
});

// ------------------------------------------------------------------------------------ state

ponder.on("PaymentProcessor:Paused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, true, event.args.account);
});

ponder.on("PaymentProcessor:Unpaused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, false, event.args.account);
});

ponder.on("PaymentProcessor:OwnershipTransferStarted", async ({ event, context }) => {
  await setPendingOwner(context, event, CONTRACT, event.args.newOwner);
});

ponder.on("PaymentProcessor:OwnershipTransferred", async ({ event, context }) => {
  await setOwner(context, event, CONTRACT, event.args.newOwner);
});
