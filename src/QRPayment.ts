// QRPayment: merchant QR orders, their payments (each PaymentUpdated is one payment's increment)
// and settlements, and per-token totals (== totalUnsettled(token)).
import { ponder } from "ponder:registry";
import { qrOrder, qrPayment, qrSettlement, qrTokenTotal } from "ponder:schema";
import { isZeroAddress, lower } from "../domain/ids.js";
import { applyPayment, applySettlement } from "../domain/qr.js";
import { withoutNul } from "../domain/text.js";
import {
  at,
  bumpDaily,
  ensureToken,
  idOf,
  moveRole,
  setOwner,
  setPaused,
  setPendingOwner,
  setRole,
  touchAccounts,
} from "./lib/store.js";

const CONTRACT = "QRPayment";

ponder.on("QRPayment:PaymentUpdated", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { creator, tokenAddress, tokenAmount, fiatAmount, orderDataHash } = event.args;
  const id = lower(orderDataHash);
  const token = lower(tokenAddress);
  const where = at(event);
  await ensureToken(context, token);
  const order = await context.db.find(qrOrder, { chainId, id });
  if (!order) {
    const totals = applyPayment({ paidAmount: 0n, paidFiat: 0n, settledAmount: 0n }, { tokenAmount, fiatAmount });
    await context.db.insert(qrOrder).values({
      chainId,
      id,
      creator: lower(creator),
      orderId: withoutNul(event.args.orderId),
      referenceString: withoutNul(event.args.referenceString),
      token,
      native: isZeroAddress(token),
      ...totals,
      paymentCount: 1,
      createdBlock: where.blockNumber,
      createdAt: where.timestamp,
      updatedBlock: where.blockNumber,
      updatedAt: where.timestamp,
    });
  } else {
    const totals = applyPayment(order, { tokenAmount, fiatAmount });
    await context.db
      .update(qrOrder, { chainId, id })
      .set({ ...totals, paymentCount: order.paymentCount + 1, updatedBlock: where.blockNumber, updatedAt: where.timestamp });
  }
  await context.db.insert(qrPayment).values({
    chainId,
    id: idOf(event),
    orderDataHash: id,
    creator: lower(creator),
    token,
    tokenAmount,
    fiatAmount,
    ...where,
  });
  await context.db
    .insert(qrTokenTotal)
    .values({ chainId, token, paid: tokenAmount, unsettled: tokenAmount })
    .onConflictDoUpdate((row) => ({ paid: row.paid + tokenAmount, unsettled: row.unsettled + tokenAmount }));
  await touchAccounts(context, event, creator);
  await bumpDaily(context, event, CONTRACT, token, { inflow: tokenAmount, fiatPaid: fiatAmount, qrPayments: 1 });
});

ponder.on("QRPayment:OrderSettled", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { orderDataHash, beneficiary, tokenAddress, tokenAmount, fiatAmount } = event.args;
  const id = lower(orderDataHash);
  const token = lower(tokenAddress);
  const where = at(event);
  const order = await context.db.find(qrOrder, { chainId, id });
  if (!order) throw new Error(`QRPayment: order ${id} settled but never indexed as paid (is startBlock before its payment?)`);
  const totals = applySettlement(order, { tokenAmount, fiatAmount });
  await context.db.update(qrOrder, { chainId, id }).set({
    ...totals,
    settlementCount: order.settlementCount + 1,
    lastBeneficiary: lower(beneficiary),
    updatedBlock: where.blockNumber,
    updatedAt: where.timestamp,
  });
  await context.db.insert(qrSettlement).values({
    chainId,
    id: idOf(event),
    orderDataHash: id,
    beneficiary: lower(beneficiary),
    token,
    tokenAmount,
    fiatAmount,
    bot: lower(event.transaction.from),
    ...where,
  });
  await context.db
    .update(qrTokenTotal, { chainId, token })
    .set((row) => ({ settled: row.settled + tokenAmount, unsettled: row.unsettled - tokenAmount }));
  await touchAccounts(context, event, beneficiary);
  await bumpDaily(context, event, CONTRACT, token, { outflow: tokenAmount, fiatSettled: fiatAmount, qrSettlements: 1 });
});

ponder.on("QRPayment:BotStatusChanged", async ({ event, context }) => {
  await setRole(context, event, CONTRACT, "BOT", event.args.bot, event.args.status);
});

ponder.on("QRPayment:OracleUpdated", async ({ event, context }) => {
  await moveRole(context, event, CONTRACT, "ORACLE", event.args.previousOracle, event.args.newOracle);
});

ponder.on("QRPayment:Paused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, true, event.args.account);
});

ponder.on("QRPayment:Unpaused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, false, event.args.account);
});

ponder.on("QRPayment:OwnershipTransferStarted", async ({ event, context }) => {
  await setPendingOwner(context, event, CONTRACT, event.args.newOwner);
});

ponder.on("QRPayment:OwnershipTransferred", async ({ event, context }) => {
  await setOwner(context, event, CONTRACT, event.args.newOwner);
});
