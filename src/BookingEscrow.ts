// BookingEscrow: bookings, their history, and the earnings ledger (== earnings(account)).
import { ponder, type Context } from "ponder:registry";
import { accountEarning, booking, bookingHistory, escrowState, feeLedger } from "ponder:schema";
import { bpsToNumber, isEmergencyCancellation, settlementPayouts, splitCompletion, type Payout } from "../domain/fees.js";
import { addressOrNull, lower, ZERO_ADDRESS, type Hex } from "../domain/ids.js";
import { withoutNul } from "../domain/text.js";
import { cancellationNonceOf } from "./lib/calldata.js";
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

const CONTRACT = "BookingEscrow";

/** The escrow's row, created on its first log; the payment token is immutable and read once. */
async function escrow(context: Context, event: LogEvent) {
  const chainId = context.chain.id;
  const address = lower(event.log.address);
  const row = await context.db.find(escrowState, { chainId, address });
  if (row) return row;
  let paymentToken: Hex = ZERO_ADDRESS;
  try {
    paymentToken = await context.client.readContract({
      abi: context.contracts.BookingEscrow.abi,
      address,
      functionName: "paymentToken",
    });
  } catch {
    // A deployment without paymentToken(): daily statistics fall under address(0).
  }
  return context.db.insert(escrowState).values({ chainId, address, paymentToken: lower(paymentToken) });
}

/** The wallet platform fees go to: tracked from PlatformWalletUpdated, read from the chain if that was before startBlock. */
async function platformWallet(context: Context, event: LogEvent): Promise<Hex> {
  const chainId = context.chain.id;
  const state = await escrow(context, event);
  if (state.platformWallet) return state.platformWallet;
  const wallet = lower(
    await context.client.readContract({ abi: context.contracts.BookingEscrow.abi, address: state.address, functionName: "platformWallet" }),
  );
  await context.db.update(escrowState, { chainId, address: state.address }).set({ platformWallet: wallet });
  return wallet;
}

async function findBooking(context: Context, bookingId: Hex) {
  const chainId = context.chain.id;
  const row = await context.db.find(booking, { chainId, id: lower(bookingId) });
  if (!row) throw new Error(`BookingEscrow: booking ${bookingId} settled but never indexed as paid (is startBlock before its payment?)`);
  return row;
}

async function credit(context: Context, event: LogEvent, bookingId: Hex, kind: "COMPLETION" | "CANCELLATION", payouts: Payout[]) {
  const chainId = context.chain.id;
  for (const p of payouts) {
    const accountAddress = lower(p.account);
    await touchAccounts(context, event, accountAddress);
    const role = {
      asProvider: p.role === "PROVIDER" ? p.amount : 0n,
      asInviter: p.role === "INVITER" ? p.amount : 0n,
      asPlatform: p.role === "PLATFORM" ? p.amount : 0n,
    };
    await context.db
      .insert(accountEarning)
      .values({ chainId, account: accountAddress, total: p.amount, ...role, payouts: 1, lastPaidAt: event.block.timestamp })
      .onConflictDoUpdate((row) => ({
        total: row.total + p.amount,
        asProvider: row.asProvider + role.asProvider,
        asInviter: row.asInviter + role.asInviter,
        asPlatform: row.asPlatform + role.asPlatform,
        payouts: row.payouts + 1,
        lastPaidAt: event.block.timestamp,
      }));
    await context.db
      .insert(feeLedger)
      .values({ chainId, id: idOf(event, p.role), bookingId: lower(bookingId), account: accountAddress, role: p.role, kind, amount: p.amount, ...at(event) });
  }
}

ponder.on("BookingEscrow:BookingCreatedAndPaid", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { bookingId, customer, provider, amount, platformFeeRate, inviterFeeRate } = event.args;
  const state = await escrow(context, event);
  const inviter = addressOrNull(event.args.inviter);
  const expected = splitCompletion(amount, platformFeeRate, inviterFeeRate);
  const where = at(event);
  await context.db.insert(booking).values({
    chainId,
    id: lower(bookingId),
    customer: lower(customer),
    provider: lower(provider),
    inviter,
    amount,
    platformFeeRate: bpsToNumber(platformFeeRate),
    inviterFeeRate: bpsToNumber(inviterFeeRate),
    expectedProviderAmount: expected.providerAmount,
    expectedPlatformFee: expected.platformFee,
    expectedInviterFee: expected.inviterFee,
    status: "PAID",
    createdBlock: where.blockNumber,
    createdAt: where.timestamp,
    createdTxHash: where.txHash,
  });
  await context.db.insert(bookingHistory).values({
    chainId,
    id: idOf(event),
    bookingId: lower(bookingId),
    status: "PAID",
    actor: lower(customer),
    amount,
    customerRefund: 0n,
    providerAmount: 0n,
    platformAmount: 0n,
    inviterAmount: 0n,
    ...where,
  });
  await touchAccounts(context, event, customer, provider, inviter);
  await context.db
    .update(escrowState, { chainId, address: state.address })
    .set((row) => ({ totalEscrowed: row.totalEscrowed + amount, bookingsCreated: row.bookingsCreated + 1 }));
  await bumpDaily(context, event, CONTRACT, state.paymentToken, { inflow: amount, bookingsCreated: 1 });
});

ponder.on("BookingEscrow:ServiceCompleted", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { bookingId, providerAmount, platformFee, inviterFee } = event.args;
  const state = await escrow(context, event);
  const b = await findBooking(context, bookingId);
  const wallet = await platformWallet(context, event);
  const where = at(event);
  await context.db.update(booking, { chainId, id: b.id }).set({
    status: "COMPLETED",
    providerAmount,
    platformAmount: platformFee,
    inviterAmount: inviterFee,
    platformWallet: wallet,
    settledBlock: where.blockNumber,
    settledAt: where.timestamp,
    settledTxHash: where.txHash,
  });
  await context.db.insert(bookingHistory).values({
    chainId,
    id: idOf(event),
    bookingId: b.id,
    status: "COMPLETED",
    actor: lower(event.transaction.from),
    amount: b.amount,
    customerRefund: 0n,
    providerAmount,
    platformAmount: platformFee,
    inviterAmount: inviterFee,
    ...where,
  });
  const payouts = settlementPayouts(
    { provider: b.provider, inviter: b.inviter, platformWallet: wallet },
    { providerAmount, platformAmount: platformFee, inviterAmount: inviterFee },
  );
  await credit(context, event, b.id, "COMPLETION", payouts);
  await context.db
    .update(escrowState, { chainId, address: state.address })
    .set((row) => ({ totalEscrowed: row.totalEscrowed - b.amount, bookingsCompleted: row.bookingsCompleted + 1 }));
  await bumpDaily(context, event, CONTRACT, state.paymentToken, { outflow: b.amount, platformFees: platformFee, bookingsCompleted: 1 });
});

ponder.on("BookingEscrow:BookingCancelled", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { bookingId, cancelledBy, customerAmount, providerAmount, platformAmount, inviterAmount } = event.args;
  const reason = withoutNul(event.args.reason);
  const state = await escrow(context, event);
  const b = await findBooking(context, bookingId);
  const wallet = await platformWallet(context, event);
  const where = at(event);
  await context.db.update(booking, { chainId, id: b.id }).set({
    status: "CANCELLED",
    customerRefund: customerAmount,
    providerAmount,
    platformAmount,
    inviterAmount,
    platformWallet: wallet,
    cancelledBy: lower(cancelledBy),
    cancelReason: reason,
    cancellationNonce: cancellationNonceOf(event.transaction, event.log.address, bookingId),
    emergency: isEmergencyCancellation(cancelledBy, b.customer, b.provider),
    settledBlock: where.blockNumber,
    settledAt: where.timestamp,
    settledTxHash: where.txHash,
  });
  await context.db.insert(bookingHistory).values({
    chainId,
    id: idOf(event),
    bookingId: b.id,
    status: "CANCELLED",
    actor: lower(cancelledBy),
    amount: b.amount,
    customerRefund: customerAmount,
    providerAmount,
    platformAmount,
    inviterAmount,
    reason,
    ...where,
  });
  await touchAccounts(context, event, cancelledBy);
  const payouts = settlementPayouts({ provider: b.provider, inviter: b.inviter, platformWallet: wallet }, { providerAmount, platformAmount, inviterAmount });
  await credit(context, event, b.id, "CANCELLATION", payouts);
  await context.db
    .update(escrowState, { chainId, address: state.address })
    .set((row) => ({ totalEscrowed: row.totalEscrowed - b.amount, bookingsCancelled: row.bookingsCancelled + 1 }));
  await bumpDaily(context, event, CONTRACT, state.paymentToken, { outflow: b.amount, platformFees: platformAmount, bookingsCancelled: 1 });
});

// ------------------------------------------------------------------------------------ configuration and roles

ponder.on("BookingEscrow:SignerUpdated", async ({ event, context }) => {
  const chainId = context.chain.id;
  const state = await escrow(context, event);
  await context.db.update(escrowState, { chainId, address: state.address }).set({ signer: lower(event.args.newSigner) });
  await moveRole(context, event, CONTRACT, "SIGNER", event.args.previousSigner, event.args.newSigner);
});

ponder.on("BookingEscrow:PlatformWalletUpdated", async ({ event, context }) => {
  const chainId = context.chain.id;
  const state = await escrow(context, event);
  await context.db.update(escrowState, { chainId, address: state.address }).set({ platformWallet: lower(event.args.newWallet) });
  await moveRole(context, event, CONTRACT, "PLATFORM_WALLET", event.args.previousWallet, event.args.newWallet);
});

ponder.on("BookingEscrow:AutoCompleteDelayUpdated", async ({ event, context }) => {
  const chainId = context.chain.id;
  const state = await escrow(context, event);
  await context.db.update(escrowState, { chainId, address: state.address }).set({ autoCompleteDelay: event.args.newDelay });
});

ponder.on("BookingEscrow:OperatorUpdated", async ({ event, context }) => {
  await setRole(context, event, CONTRACT, "OPERATOR", event.args.operator, event.args.status);
});

ponder.on("BookingEscrow:Paused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, true, event.args.account);
});

ponder.on("BookingEscrow:Unpaused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, false, event.args.account);
});

ponder.on("BookingEscrow:OwnershipTransferStarted", async ({ event, context }) => {
  await setPendingOwner(context, event, CONTRACT, event.args.newOwner);
});

ponder.on("BookingEscrow:OwnershipTransferred", async ({ event, context }) => {
  await setOwner(context, event, CONTRACT, event.args.newOwner);
});
