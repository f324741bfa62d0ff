// EventTicketNFT: ticketed events, tickets (owner from ERC-721 Transfer), check-ins.
import { ponder, type Context } from "ponder:registry";
import { checkIn, pendingPayment, ticket, ticketedEvent, ticketedEventHistory, ticketTransfer } from "ponder:schema";
import { isZeroAddress, lower, ZERO_ADDRESS, type Hex } from "../domain/ids.js";
import {
  at,
  bumpDaily,
  idOf,
  moveRole,
  setOwner,
  setPaused,
  setPendingOwner,
  setRole,
  touchAccounts,
  type LogEvent,
} from "./lib/store.js";

const CONTRACT = "EventTicketNFT";

async function findEvent(context: Context, eventId: bigint) {
  const chainId = context.chain.id;
  const row = await context.db.find(ticketedEvent, { chainId, id: eventId });
  if (!row) throw new Error(`EventTicketNFT: event ${eventId} was never indexed as created (is startBlock before its creation?)`);
  return row;
}

async function history(
  context: Context,
  event: LogEvent,
  eventId: bigint,
  action: "CREATED" | "CANCELLED" | "COMPLETED",
  status: "ACTIVE" | "CANCELLED" | "COMPLETED",
) {
  const chainId = context.chain.id;
  await context.db.insert(ticketedEventHistory).values({ chainId, id: idOf(event), eventId, action, status, ...at(event) });
}

/**
 * One ticket (TicketMinted) or several (TicketBatchMinted). A mint inside a PaymentProcessor
 * purchase follows its PaymentReceived in the same transaction: the pending payment claims the
 * tickets. Any other mint is the owner's complimentary ticket.
 */
async function minted(context: Context, event: LogEvent, eventId: bigint, tokenIds: readonly bigint[], buyer: Hex) {
  const chainId = context.chain.id;
  const e = await findEvent(context, eventId);
  const txHash = lower(event.transaction.hash);
  const pending = await context.db.find(pendingPayment, { chainId, txHash });
  const purchase = pending && pending.eventId === eventId && pending.tokenIds.length === 0 ? pending : null;
  const paid = purchase !== null;
  const owner = lower(buyer);
  const where = at(event);
  await context.db.insert(ticket).values(
    tokenIds.map((tokenId) => ({
      chainId,
      tokenId,
      eventId,
      owner,
      buyer: owner,
      paymentId: purchase ? purchase.paymentId : null,
      complimentary: !paid,
      mintedBlock: where.blockNumber,
      mintedAt: where.timestamp,
      mintedTxHash: where.txHash,
    })),
  );
  if (paid) await context.db.update(pendingPayment, { chainId, txHash }).set({ tokenIds: [...tokenIds] });
  const n = BigInt(tokenIds.length);
  await context.db.update(ticketedEvent, { chainId, id: e.id }).set((row) => ({
    sold: row.sold + n,
    complimentaryTickets: row.complimentaryTickets + (paid ? 0n : n),
  }));
  await touchAccounts(context, event, owner);
  await bumpDaily(context, event, CONTRACT, ZERO_ADDRESS, { ticketsSold: tokenIds.length });
}

ponder.on("EventTicketNFT:EventCreated", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { eventId, organizer, maxCapacity, price } = event.args;
  const where = at(event);
  await context.db.insert(ticketedEvent).values({
    chainId,
    id: eventId,
    organizer: lower(organizer),
    maxCapacity,
    price,
    status: "ACTIVE",
    createdBlock: where.blockNumber,
    createdAt: where.timestamp,
    createdTxHash: where.txHash,
  });
  await history(context, event, eventId, "CREATED", "ACTIVE");
  await touchAccounts(context, event, organizer);
});

ponder.on("EventTicketNFT:EventCancelled", async ({ event, context }) => {
  const chainId = context.chain.id;
  const e = await findEvent(context, event.args.eventId);
  await context.db
    .update(ticketedEvent, { chainId, id: e.id })
    .set({ status: "CANCELLED", endedBlock: event.block.number, endedAt: event.block.timestamp });
  await history(context, event, e.id, "CANCELLED", "CANCELLED");
});

// The PaymentProcessor settles in the same transaction, right after (EventSettled, StakeForfeited).
ponder.on("EventTicketNFT:EventCompleted", async ({ event, context }) => {
  const chainId = context.chain.id;
  const e = await findEvent(context, event.args.eventId);
  await context.db
    .update(ticketedEvent, { chainId, id: e.id })
    .set({ status: "COMPLETED", endedBlock: event.block.number, endedAt: event.block.timestamp });
  await history(context, event, e.id, "COMPLETED", "COMPLETED");
});

ponder.on("EventTicketNFT:TicketMinted", async ({ event, context }) => {
  await minted(context, event, event.args.eventId, [event.args.tokenId], event.args.buyer);
});

ponder.on("EventTicketNFT:TicketBatchMinted", async ({ event, context }) => {
  await minted(context, event, event.args.eventId, event.args.tokenIds, event.args.buyer);
});

// Ownership history. A mint's Transfer precedes its TicketMinted/TicketBatchMinted (which creates
// the ticket); a burn (refund) moves the ticket to the zero address.
ponder.on("EventTicketNFT:Transfer", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { from, to, tokenId } = event.args;
  await context.db.insert(ticketTransfer).values({ chainId, id: idOf(event), tokenId, from: lower(from), to: lower(to), ...at(event) });
  if (isZeroAddress(from)) return;
  const t = await context.db.find(ticket, { chainId, tokenId });
  if (!t) throw new Error(`EventTicketNFT: transfer of ticket ${tokenId} that was never indexed as minted`);
  if (isZeroAddress(to)) {
    await context.db.update(ticket, { chainId, tokenId }).set({ owner: ZERO_ADDRESS, burned: true });
    await context.db.update(ticketedEvent, { chainId, id: t.eventId }).set((row) => ({ burned: row.burned + 1n }));
    return;
  }
  await context.db.update(ticket, { chainId, tokenId }).set({ owner: lower(to) });
  await touchAccounts(context, event, to);
});

ponder.on("EventTicketNFT:TicketCheckedIn", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { tokenId, eventId, gateId, validator } = event.args;
  const t = await context.db.find(ticket, { chainId, tokenId });
  if (!t) throw new Error(`EventTicketNFT: check-in of ticket ${tokenId} that was never indexed as minted`);
  await context.db.update(ticket, { chainId, tokenId }).set({
    checkedIn: true,
    gateId: lower(gateId),
    validator: lower(validator),
    checkedInAt: event.block.timestamp,
  });
  await context.db.insert(checkIn).values({
    chainId,
    id: idOf(event),
    tokenId,
    eventId,
    gateId: lower(gateId),
    validator: lower(validator),
    holder: t.owner,
    ...at(event),
  });
  await context.db.update(ticketedEvent, { chainId, id: eventId }).set((row) => ({
    checkedIn: row.checkedIn + 1n,
    paidCheckedIn: row.paidCheckedIn + (t.complimentary ? 0n : 1n),
  }));
  await bumpDaily(context, event, CONTRACT, ZERO_ADDRESS, { ticketsCheckedIn: 1 });
});

// ------------------------------------------------------------------------------------ roles and state

ponder.on("EventTicketNFT:ValidatorUpdated", async ({ event, context }) => {
  await setRole(context, event, CONTRACT, "VALIDATOR", event.args.validator, event.args.status);
});

ponder.on("EventTicketNFT:MinterUpdated", async ({ event, context }) => {
  await moveRole(context, event, CONTRACT, "MINTER", event.args.previousMinter, event.args.newMinter);
});

ponder.on("EventTicketNFT:Paused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, true, event.args.account);
});

ponder.on("EventTicketNFT:Unpaused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, false, event.args.account);
});

ponder.on("EventTicketNFT:OwnershipTransferStarted", async ({ event, context }) => {
  await setPendingOwner(context, event, CONTRACT, event.args.newOwner);
});

ponder.on("EventTicketNFT:OwnershipTransferred", async ({ event, context }) => {
  await setOwner(context, event, CONTRACT, event.args.newOwner);
});
