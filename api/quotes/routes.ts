// Fiat quotes at the indexed OracleHub rates (public):
//   GET /api/quotes?fiat=IDR&amount=150000&token=<address|native>[&chainId=]
//        the token amount OracleHub.quote(token, amount × 10^18) answers at the block reported
//   GET /api/events/{eventId}/quote?quantity=N[&chainId=]
//        what purchaseTickets takes for N tickets (price + stake each, in wei), and its IDR value
//        where the chain has a native rate
// The rate and the block come from one indexed state: the checkpoint is read before and after the
// rows, and the read is repeated if the index moved in between.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { getAddress, isAddress, zeroAddress, type Address } from "viem";
import { FIAT, fiatValueOf, parseFiatAmount, quoteTokenAmount } from "../../domain/quote.js";
import { purchaseAmount } from "../../domain/tickets.js";
import { ApiError, notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { readIndexedBlock, type IndexDb } from "../reconcile/collect.js";
import { chainFor, ChainIdQuery, chainsWith } from "../rest/chain.js";
import type { ReadDeps } from "../rest/db.js";
import { Uint256Param } from "../rest/params.js";

const TAG = "quotes";
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const TokenQuery = z
  .string()
  .transform((raw, ctx): Address => {
    if (raw === "native") return zeroAddress;
    if (isAddress(raw, { strict: false })) return getAddress(raw);
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a token address or "native"` });
    return z.NEVER;
  })
  .openapi({ type: "string", description: 'A token address, or "native" for the chain\'s coin', example: "native" });

const AmountQuery = z
  .string()
  .transform((raw, ctx): { text: string; units: bigint } => {
    const parsed = parseFiatAmount(raw);
    if (parsed.ok) return { text: raw, units: parsed.value };
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error });
    return z.NEVER;
  })
  .openapi({ type: "string", description: "The fiat amount, a decimal number (up to 18 decimals)", example: "150000" });

const QuantityQuery = z
  .string()
  .regex(/^[1-9][0-9]{0,5}$/, "must be a whole number of tickets, 1 to 999999")
  .transform((raw) => BigInt(raw))
  .openapi({ type: "integer", minimum: 1, description: "Tickets", example: "2" });

const RateJson = z.object({
  rate: z.string().openapi({ description: "IDR (18 decimals) per whole token, as OracleHub.rateOf" }),
  decimals: z.number().int(),
  block: z.string().openapi({ description: "The block of the rate's last update" }),
  updatedAt: z.string(),
  ageSeconds: z.number().int(),
});

const QuoteJson = z
  .object({
    chainId: z.number().int(),
    block: z.string().openapi({ description: "The indexed block the quote is for: OracleHub.quote answers the same there" }),
    fiat: z.literal(FIAT),
    amount: z.string(),
    fiatAmount: z.string().openapi({ description: "amount × 10^18, what OracleHub.quote takes" }),
    token: z.string().openapi({ description: "The token address (0x000…0 for native)" }),
    native: z.boolean(),
    tokenAmount: z.string().openapi({ description: "In the token's smallest unit, rounded up as the contract does" }),
    rate: RateJson,
  })
  .openapi("FiatQuote");

const EventQuoteJson = z
  .object({
    chainId: z.number().int(),
    block: z.string(),
    eventId: z.string(),
    status: z.string(),
    quantity: z.string(),
    price: z.string().openapi({ description: "Wei per ticket" }),
    stakePerTicket: z.string().openapi({ description: "Wei per ticket, refunded on check-in" }),
    total: z.string().openapi({ description: "Wei: (price + stake) × quantity, the value purchaseTickets requires" }),
    idr: z
      .object({ fiatAmount: z.string().openapi({ description: "IDR (18 decimals) the total is worth at the native rate, rounded down" }), rate: RateJson })
      .nullable()
      .openapi({ description: "null where the chain has no native rate" }),
  })
  .openapi("EventQuote");

const errors = {
  400: errorResponse("A malformed or non-positive amount, an unsupported fiat, a malformed token, quantity or chainId, no rate for the token (no_rate), or an id on several chains without a chainId"),
  503: errorResponse("index_not_ready: the index has no block yet"),
};

const quoteRoute = createRoute({
  method: "get",
  path: "/api/quotes",
  operationId: "getFiatQuote",
  tags: [TAG],
  summary: "How much of a token a fiat amount is, at the indexed OracleHub rate",
  request: { query: z.object({ fiat: z.string().openapi({ example: FIAT }), amount: AmountQuery, token: TokenQuery, chainId: ChainIdQuery }) },
  responses: { 200: json(QuoteJson, "The quote"), ...errors },
});

const eventQuoteRoute = createRoute({
  method: "get",
  path: "/api/events/{eventId}/quote",
  operationId: "getEventQuote",
  tags: [TAG],
  summary: "What N tickets of an event cost: price plus attendance stake, in wei and in IDR",
  request: { params: z.object({ eventId: Uint256Param }), query: z.object({ quantity: QuantityQuery, chainId: ChainIdQuery }) },
  responses: { 200: json(EventQuoteJson, "The quote"), ...errors, 404: errorResponse("No such event in the index") },
});

type RateRow = { rate: bigint; decimals: number; updatedBlock: bigint; updatedAt: bigint };
const rateJson = (r: RateRow) => ({
  rate: r.rate.toString(),
  decimals: r.decimals,
  block: r.updatedBlock.toString(),
  updatedAt: new Date(Number(r.updatedAt) * 1000).toISOString(),
  ageSeconds: Math.max(0, Math.floor(Date.now() / 1000) - Number(r.updatedAt)),
});

/** `chains`: the served chain ids with their Ponder names (the checkpoint table is keyed by name). */
export function quotesRouter(deps: ReadDeps, chains: readonly { chainId: number; name: string }[]) {
  const { db, schema } = deps;
  const served = chains.map((c) => c.chainId);
  const nameOf = (chainId: number) => chains.find((c) => c.chainId === chainId)!.name;
  const rateOf = async (chainId: number, token: Address): Promise<RateRow | undefined> => {
    const t = schema.oracleRate;
    const [r] = await db.select().from(t).where(and(eq(t.chainId, chainId), eq(t.token, token.toLowerCase() as Address))).limit(1);
    return r;
  };
  /** `read` at one indexed block: the checkpoint before and after it agree (else read again). */
  const atOneBlock = async <T>(chainId: number, read: () => Promise<T>): Promise<{ block: bigint; value: T }> => {
    for (let attempt = 0; ; attempt++) {
      const before = await indexedBlock(chainId);
      const value = await read();
      const after = await indexedBlock(chainId);
      if (before === after || attempt === 4) return { block: after, value };
    }
  };
  const indexedBlock = (chainId: number) =>
    readIndexedBlock(db as unknown as IndexDb, nameOf(chainId)).catch((err: unknown) => {
      throw new ApiError(503, "index_not_ready", `the index of chain ${chainId} has no block yet: ${err instanceof Error ? err.message : String(err)}`, { chainId });
    });

  return newRouter()
    .openapi(quoteRoute, async (c) => {
      const { fiat, amount, token, chainId: wanted } = c.req.valid("query");
      if (fiat.toUpperCase() !== FIAT) throw new ApiError(400, "unsupported_fiat", `fiat must be ${FIAT}: OracleHub's rates are in ${FIAT}, got "${fiat.slice(0, 20)}"`, { fiat: fiat.slice(0, 20) });
      const native = token === zeroAddress;
      const what = native ? "the native coin" : `token ${token}`;
      const t = schema.oracleRate;
      const chainId = await chainFor(served, wanted, "a rate for", native ? "native" : token, chainsWith(db, t, eq(t.token, token.toLowerCase() as Address)));
      const noRate = () => new ApiError(400, "no_rate", `OracleHub has no rate for ${what}${chainId === null ? " on any chain served here" : ` on chain ${chainId}`}`, { token, chainId });
      if (chainId === null) throw noRate();
      const { block, value: rate } = await atOneBlock(chainId, () => rateOf(chainId, token));
      if (!rate) throw noRate();
      return c.json(
        {
          chainId,
          block: block.toString(),
          fiat: FIAT,
          amount: amount.text,
          fiatAmount: amount.units.toString(),
          token,
          native,
          tokenAmount: quoteTokenAmount(amount.units, rate.rate, rate.decimals).toString(),
          rate: rateJson(rate),
        },
        200,
      );
    })
    .openapi(eventQuoteRoute, async (c) => {
      const { eventId } = c.req.valid("param");
      const { quantity, chainId: wanted } = c.req.valid("query");
      const e = schema.ticketedEvent;
      const chainId = await chainFor(served, wanted, "event", eventId.toString(), chainsWith(db, e, eq(e.id, eventId)));
      if (chainId === null) throw notFound("event", eventId.toString());
      const { block, value } = await atOneBlock(chainId, async () => {
        const [event] = await db.select().from(e).where(and(eq(e.chainId, chainId), eq(e.id, eventId))).limit(1);
        return { event, rate: await rateOf(chainId, zeroAddress) };
      });
      const { event, rate } = value;
      if (!event) throw notFound("event", eventId.toString());
      const total = purchaseAmount(event.price, BigInt(event.stakeBps), quantity);
      return c.json(
        {
          chainId,
          block: block.toString(),
          eventId: eventId.toString(),
          status: event.status,
          quantity: quantity.toString(),
          price: event.price.toString(),
          stakePerTicket: event.stakePerTicket.toString(),
          total: total.toString(),
          idr: rate ? { fiatAmount: fiatValueOf(total, rate.rate, rate.decimals).toString(), rate: rateJson(rate) } : null,
        },
        200,
      );
    });
}
