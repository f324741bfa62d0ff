// REST reads for the frontend: a booking, a ticketed event and its tickets, a QR order, an account.
// Mounted by src/api/index.ts with Ponder's db and schema. Malformed ids are 400s from the params'
// zod schemas (the router's validation hook); well-formed ids the index does not know are 404s.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, type SQL } from "drizzle-orm";
import { readAccount, AccountJson } from "./accounts.js";
import { chainFor, ChainIdQuery, chainsWith as chainsWithIn } from "./chain.js";
import { BookingJson, readBooking } from "./bookings.js";
import type { ReadDeps } from "./db.js";
import { readEventTickets, readTicketedEvent, TicketedEventJson, TicketPageJson } from "./events.js";
import { AddressParam, Bytes32Param, LimitQuery, TokenCursorQuery, Uint256Param } from "./params.js";
import { checksum } from "./json.js";
import { QrOrderJson, readQrOrder } from "./qr-orders.js";
import { notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";

const TAG = "reads";
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const errors = (what: string) => ({
  400: errorResponse(
    `Malformed ${what} or chainId, a chainId this API does not serve, or an id on several chains without a chainId: the message says which`,
  ),
  404: errorResponse(`No such ${what} in the index`),
});

const bookingRoute = createRoute({
  method: "get",
  path: "/api/bookings/{bookingId}",
  operationId: "getBooking",
  tags: [TAG],
  summary: "A booking with its full history",
  request: { params: z.object({ bookingId: Bytes32Param }), query: z.object({ chainId: ChainIdQuery }) },
  responses: { 200: json(BookingJson, "The booking"), ...errors("booking id") },
});

const eventRoute = createRoute({
  method: "get",
  path: "/api/events/{eventId}",
  operationId: "getEvent",
  tags: [TAG],
  summary: "A ticketed event: capacity, sales, check-ins, escrow and settlement, stakes, history",
  request: { params: z.object({ eventId: Uint256Param }), query: z.object({ chainId: ChainIdQuery }) },
  responses: { 200: json(TicketedEventJson, "The event"), ...errors("event id") },
});

const eventTicketsRoute = createRoute({
  method: "get",
  path: "/api/events/{eventId}/tickets",
  operationId: "listEventTickets",
  tags: [TAG],
  summary: "The tickets of an event, by token id, a page at a time",
  request: { params: z.object({ eventId: Uint256Param }), query: z.object({ chainId: ChainIdQuery, limit: LimitQuery, cursor: TokenCursorQuery }) },
  responses: { 200: json(TicketPageJson, "A page of tickets"), ...errors("event id") },
});

const qrOrderRoute = createRoute({
  method: "get",
  path: "/api/qr-orders/{orderHash}",
  operationId: "getQrOrder",
  tags: [TAG],
  summary: "A QR order with its payments and settlements",
  description: "QRPayment keys orders by their orderDataHash alone; the beneficiary is chosen at each settlement.",
  request: { params: z.object({ orderHash: Bytes32Param }), query: z.object({ chainId: ChainIdQuery }) },
  responses: { 200: json(QrOrderJson, "The order"), ...errors("order hash") },
});

const accountRoute = createRoute({
  method: "get",
  path: "/api/accounts/{address}",
  operationId: "getAccount",
  tags: [TAG],
  summary: "An account's summary: earnings, bookings, tickets, events, organizer balance, QR orders, roles",
  request: { params: z.object({ address: AddressParam }), query: z.object({ chainId: ChainIdQuery }) },
  responses: { 200: json(AccountJson, "The summary"), ...errors("address") },
});

/**
 * `deps` is the read-only database and the onchain schema (ponder:api's db, ponder:schema);
 * `chains` the chain ids this API indexes.
 */
export function readsRouter(deps: ReadDeps, chains: readonly number[]) {
  const { db, schema } = deps;
  const chainsWith = (table: Parameters<typeof chainsWithIn>[1], where: SQL | undefined) => chainsWithIn(db, table, where);
  return newRouter()
    .openapi(bookingRoute, async (c) => {
      const { bookingId } = c.req.valid("param");
      const chainId = await chainFor(chains, c.req.valid("query").chainId, "booking", bookingId, chainsWith(schema.booking, eq(schema.booking.id, bookingId)));
      const body = chainId === null ? null : await readBooking(deps, chainId, bookingId);
      if (!body) throw notFound("booking", bookingId);
      return c.json(body, 200);
    })
    .openapi(eventRoute, async (c) => {
      const { eventId } = c.req.valid("param");
      const chainId = await chainFor(chains, c.req.valid("query").chainId, "event", eventId.toString(), chainsWith(schema.ticketedEvent, eq(schema.ticketedEvent.id, eventId)));
      const body = chainId === null ? null : await readTicketedEvent(deps, chainId, eventId);
      if (!body) throw notFound("event", eventId.toString());
      return c.json(body, 200);
    })
    .openapi(eventTicketsRoute, async (c) => {
      const { eventId } = c.req.valid("param");
      const { chainId: wanted, limit, cursor } = c.req.valid("query");
      const chainId = await chainFor(chains, wanted, "event", eventId.toString(), chainsWith(schema.ticketedEvent, eq(schema.ticketedEvent.id, eventId)));
      const body = chainId === null ? null : await readEventTickets(deps, chainId, eventId, { limit, after: cursor });
      if (!body) throw notFound("event", eventId.toString());
      return c.json(body, 200);
    })
    .openapi(qrOrderRoute, async (c) => {
      const { orderHash } = c.req.valid("param");
      const chainId = await chainFor(chains, c.req.valid("query").chainId, "QR order", orderHash, chainsWith(schema.qrOrder, eq(schema.qrOrder.id, orderHash)));
      const body = chainId === null ? null : await readQrOrder(deps, chainId, orderHash);
      if (!body) throw notFound("QR order", orderHash);
      return c.json(body, 200);
    })
    .openapi(accountRoute, async (c) => {
      const { address } = c.req.valid("param");
      const chainId = await chainFor(chains, c.req.valid("query").chainId, "account", checksum(address), chainsWith(schema.account, eq(schema.account.address, address)));
      const body = chainId === null ? null : await readAccount(deps, chainId, address);
      if (!body) throw notFound("account", checksum(address));
      return c.json(body, 200);
    });
}
