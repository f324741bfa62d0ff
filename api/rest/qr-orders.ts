// GET /api/qr-orders/{orderHash}: one QR order with its payments and settlements. QRPayment keys
// orders by orderDataHash alone (the beneficiary is chosen by the bot at each settlement, and may
// differ between settlements), so the hash is the whole path. Three queries.
import { z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import type { Hex } from "viem";
import type { ReadDeps, Row } from "./db.js";
import { AddressJson, checksum, checksumOrNull, dec, HashJson, type TokenMeta, tokenJson, TokenJson, Uint } from "./json.js";

const TokenAndFiat = z.object({
  amount: Uint.openapi({ description: "Token smallest units" }),
  fiat: Uint.openapi({ description: "IDR with 18 decimals" }),
});

export const QrPaymentJson = z
  .object({ amount: Uint, fiat: Uint, block: Uint, timestamp: Uint, txHash: HashJson, logIndex: z.number().int() })
  .openapi("QrOrderPayment");

export const QrSettlementJson = z
  .object({
    beneficiary: AddressJson,
    bot: AddressJson.openapi({ description: "The bot that sent the settlement" }),
    amount: Uint,
    fiat: Uint,
    block: Uint,
    timestamp: Uint,
    txHash: HashJson,
    logIndex: z.number().int(),
  })
  .openapi("QrOrderSettlement");

export const QrOrderJson = z
  .object({
    chainId: z.number().int().openapi({ description: "The chain the order is on" }),
    orderHash: HashJson.openapi({ description: "keccak256(abi.encodePacked(orderId, referenceString, token, creator))" }),
    orderId: z.string(),
    referenceString: z.string(),
    creator: AddressJson.openapi({ description: "Who paid the order first (QRPayment's order creator)" }),
    token: TokenJson,
    native: z.boolean(),
    status: z.enum(["PAID", "PARTIALLY_SETTLED", "SETTLED"]),
    paid: TokenAndFiat.openapi({ description: "Every payment to the order (getOrder.paidAmount / paidFiat)" }),
    settled: TokenAndFiat.openapi({ description: "Paid out to beneficiaries (getOrder.settledAmount / settledFiat)" }),
    unsettled: TokenAndFiat.openapi({ description: "Paid, not yet settled (unsettledAmount)" }),
    lastBeneficiary: AddressJson.nullable(),
    created: z.object({ block: Uint, timestamp: Uint }),
    updated: z.object({ block: Uint, timestamp: Uint }),
    payments: z.array(QrPaymentJson).openapi({ description: "Oldest first; each with that payment's own amounts" }),
    settlements: z.array(QrSettlementJson).openapi({ description: "Oldest first" }),
  })
  .openapi("QrOrder");

export type QrOrderJson = z.infer<typeof QrOrderJson>;

export function qrOrderJson(
  o: Row<"qrOrder">,
  payments: Row<"qrPayment">[],
  settlements: Row<"qrSettlement">[],
  meta: Map<string, TokenMeta>,
): QrOrderJson {
  return {
    chainId: o.chainId,
    orderHash: o.id,
    orderId: o.orderId,
    referenceString: o.referenceString,
    creator: checksum(o.creator),
    token: tokenJson(o.token, meta),
    native: o.native,
    status: o.status,
    paid: { amount: dec(o.paidAmount), fiat: dec(o.paidFiat) },
    settled: { amount: dec(o.settledAmount), fiat: dec(o.settledFiat) },
    unsettled: { amount: dec(o.unsettledAmount), fiat: dec(o.paidFiat - o.settledFiat) },
    lastBeneficiary: checksumOrNull(o.lastBeneficiary),
    created: { block: dec(o.createdBlock), timestamp: dec(o.createdAt) },
    updated: { block: dec(o.updatedBlock), timestamp: dec(o.updatedAt) },
    payments: payments.map((p) => ({
      amount: dec(p.tokenAmount),
      fiat: dec(p.fiatAmount),
      block: dec(p.blockNumber),
      timestamp: dec(p.timestamp),
      txHash: p.txHash,
      logIndex: p.logIndex,
    })),
    settlements: settlements.map((s) => ({
      beneficiary: checksum(s.beneficiary),
      bot: checksum(s.bot),
      amount: dec(s.tokenAmount),
      fiat: dec(s.fiatAmount),
      block: dec(s.blockNumber),
      timestamp: dec(s.timestamp),
      txHash: s.txHash,
      logIndex: s.logIndex,
    })),
  };
}

/** null when the index has no such order. */
export async function readQrOrder({ db, schema }: ReadDeps, chainId: number, orderHash: Hex): Promise<QrOrderJson | null> {
  const { qrOrder, qrPayment, qrSettlement, token } = schema;
  const [rows, payments, settlements] = await Promise.all([
    db
      .select({ order: qrOrder, symbol: token.symbol, decimals: token.decimals })
      .from(qrOrder)
      .leftJoin(token, and(eq(token.chainId, qrOrder.chainId), eq(token.address, qrOrder.token)))
      .where(and(eq(qrOrder.chainId, chainId), eq(qrOrder.id, orderHash)))
      .limit(1),
    db
      .select()
      .from(qrPayment)
      .where(and(eq(qrPayment.chainId, chainId), eq(qrPayment.orderDataHash, orderHash)))
      .orderBy(asc(qrPayment.blockNumber), asc(qrPayment.logIndex)),
    db
      .select()
      .from(qrSettlement)
      .where(and(eq(qrSettlement.chainId, chainId), eq(qrSettlement.orderDataHash, orderHash)))
      .orderBy(asc(qrSettlement.blockNumber), asc(qrSettlement.logIndex)),
  ]);
  const row = rows[0];
  if (!row) return null;
  const meta = new Map<string, TokenMeta>();
  if (row.symbol !== null && row.decimals !== null) meta.set(row.order.token, { address: row.order.token, symbol: row.symbol, decimals: row.decimals });
  return qrOrderJson(row.order, payments, settlements, meta);
}
