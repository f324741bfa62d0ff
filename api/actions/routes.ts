// Write actions (the platform's own transactions), each recorded before anything is sent and
// driven by the executor (api/actions/executor.ts):
//   GET  /api/actions/{id}                              the action (requester, admin or operator)
//   POST /api/actions/qr-settlements                    operator/admin or the order's merchant (bot key)
//   POST /api/actions/booking-emergency-cancellations   operator/admin (operator key)
//   POST /api/actions/events                            admin/operator (owner key)
//   POST /api/actions/events/{eventId}/cancel|complete  admin/operator or the event's organizer (owner key)
// Check-ins: api/actions/checkin-routes.ts; event metadata: api/actions/metadata-routes.ts; the
// operators' list and retry: api/actions/operator-routes.ts.
// Each goes to one chain (api/actions/chain.ts): bodies take `chainId`, the event routes ?chainId=,
// needed only where the id or contract is on several served chains.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, max, sql } from "drizzle-orm";
import type { ChainContext } from "../chain/context.js";
import { getAddress } from "viem";
import { requireAuth, requireRole, type AuthEnv, type Caller } from "../auth/middleware.js";
import { isMerchant, isOrganizer } from "../auth/resource-roles.js";
import { ApiError, notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { text } from "../http/text.js";
import { ChainIdQuery, chainsWith } from "../rest/chain.js";
import type { ReadDeps } from "../rest/db.js";
import { AddressParam, Bytes32Param, MAX_UINT256, Uint256Param } from "../rest/params.js";
import { getStore } from "../store/db.js";
import { action, type ActionRow } from "../store/tables/actions.js";
import { createEventCall, emergencyCancelCall, endEventCall, SENDER_ROLE, settleCall } from "./calls.js";
import { ChainIdField, chainOfSubject, chainWithContract, contractOn } from "./chain.js";
import { checkInsLock, checkInRouter } from "./checkin-routes.js";
import { actionResponses, forbidden, IdempotencyHeaders, idempotencyKeyOf, json, security, TAG, writeRateLimit } from "./http.js";
import { highestEventId, readBooking, readEvent, readOrder } from "./index-reads.js";
import { EventMetadataInput } from "./metadata-input.js";
import { metadataRouter } from "./metadata-routes.js";
import { operatorRouter } from "./operator-routes.js";
import { actionJson, ActionJson } from "./model.js";
import { insertOrReplay, recordAction, replayOf, type NewAction } from "./record.js";
import type { ActionKind } from "./rules.js";
import { actionChains, actionStore, kickWorker, senderOf } from "./runtime.js";

const isStaff = (caller: Caller) => caller.roles.includes("admin") || caller.roles.includes("operator");

const UintString = (what: string) =>
  z
    .string()
    .regex(/^[0-9]{1,78}$/, `must be a decimal string (${what})`)
    .refine((v) => BigInt(v) <= MAX_UINT256, "must fit in a uint256");

const SettlementBody = z.object({ chainId: ChainIdField, orderHash: Bytes32Param, beneficiary: AddressParam }).strict();
const EmergencyBody = z
  .object({ chainId: ChainIdField, bookingId: Bytes32Param, reason: text(500).optional().openapi({ description: "Recorded on chain; default \"emergency cancellation\"" }) })
  .strict();
const CreateEventBody = z
  .object({
    chainId: ChainIdField,
    eventId: UintString("the on-chain event id").optional().openapi({ description: "Omit to take the next free id" }),
    organizer: AddressParam,
    price: UintString("wei per ticket").openapi({ example: "10000000000000000" }),
    capacity: UintString("tickets").refine((v) => BigInt(v) > 0n, "must be at least 1").openapi({ example: "100" }),
    stakeBps: z.number().int().min(0).max(10_000).optional().openapi({ description: "Attendance stake in basis points of the price (PaymentProcessor.setEventStake, sent after creation)" }),
    metadata: EventMetadataInput,
  })
  .strict();

const body = <T extends z.ZodTypeAny>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });

const getRoute = createRoute({
  method: "get",
  path: "/api/actions/{id}",
  operationId: "getAction",
  tags: [TAG],
  summary: "A write action: status, transaction, nonce, block, error, status history",
  security,
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: z.string().uuid("must be an action id (a UUID)") }) },
  responses: { 200: json(ActionJson, "The action"), 400: errorResponse("Not a UUID"), 401: errorResponse("No token"), 403: errorResponse("Neither the requester nor admin/operator"), 404: errorResponse("No such action") },
});

const settleRoute = createRoute({
  method: "post",
  path: "/api/actions/qr-settlements",
  operationId: "createQrSettlement",
  tags: [TAG],
  summary: "Settle a QR order's unsettled amount to a beneficiary (settleQROrder / settleQROrderNative, bot key)",
  security,
  middleware: [requireAuth, writeRateLimit()] as const,
  request: { headers: IdempotencyHeaders, ...body(SettlementBody) },
  responses: { ...actionResponses, 404: errorResponse("No such order in the index"), 409: errorResponse("nothing_to_settle: the index shows nothing unsettled") },
});

const emergencyRoute = createRoute({
  method: "post",
  path: "/api/actions/booking-emergency-cancellations",
  operationId: "createBookingEmergencyCancellation",
  tags: [TAG],
  summary: "Emergency-cancel a PAID booking with a full refund (emergencyCancelBooking, operator key)",
  security,
  middleware: [requireAuth, requireRole("admin", "operator"), writeRateLimit()] as const,
  request: { headers: IdempotencyHeaders, ...body(EmergencyBody) },
  responses: { ...actionResponses, 404: errorResponse("No such booking in the index"), 409: errorResponse("booking_not_paid") },
});

const createEventRoute = createRoute({
  method: "post",
  path: "/api/actions/events",
  operationId: "createEvent",
  tags: [TAG],
  summary: "Create a ticketed event (createEvent, owner key) with its metadata",
  description: "The metadata is stored once the creation is mined. With stakeBps > 0 a second action (kind event-stake, parentId = this one) sets the stake right after.",
  security,
  middleware: [requireAuth, requireRole("admin", "operator"), writeRateLimit()] as const,
  request: { headers: IdempotencyHeaders, ...body(CreateEventBody) },
  responses: { ...actionResponses, 409: errorResponse("event_exists: the id is taken (in the index or by another action)") },
});

const endEventRoute = (verb: "cancel" | "complete") =>
  createRoute({
    method: "post",
    path: `/api/actions/events/{eventId}/${verb}`,
    operationId: verb === "cancel" ? "cancelEvent" : "completeEvent",
    tags: [TAG],
    summary:
      verb === "cancel"
        ? "Cancel an ACTIVE event (cancelEvent, owner key); buyers can then refund"
        : "Complete an ACTIVE event (completeEvent, owner key) once every check-in the API accepted is indexed",
    description:
      verb === "complete"
        ? "On-chain check-ins decide which stakes are refunded, so the action stays pending (note says why) until every check-in action of the event is indexed or failed."
        : undefined,
    security,
    middleware: [requireAuth, writeRateLimit()] as const,
    request: { headers: IdempotencyHeaders, params: z.object({ eventId: Uint256Param }), query: z.object({ chainId: ChainIdQuery }) },
    responses: { ...actionResponses, 404: errorResponse("No such event in the index"), 409: errorResponse("event_not_active") },
  });


function newAction(chain: ChainContext, kind: ActionKind, caller: Caller, key: string, request: Record<string, unknown>, call: { target: string; calldata: string; value: bigint }, subject: NewAction["subject"]): NewAction {
  const sender = senderOf(chain, SENDER_ROLE[kind]);
  return { chainId: chain.network.chainId, kind, requestedBy: caller.address, idempotencyKey: key, request, senderRole: SENDER_ROLE[kind], sender: sender.address, ...call, subject };
}

const answer = (recorded: { row: ActionRow; created: boolean }) => {
  if (recorded.created) kickWorker(recorded.row.chainId);
  return recorded;
};

export function actionsRouter(deps: ReadDeps) {
  const { db, schema } = deps;
  // Every index read below is of the action's chain only, so an order, booking or event with the
  // same id on another indexed chain never passes a check here.
  const app = newRouter<AuthEnv>()
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid("param");
      const caller = c.get("caller");
      const store = await getStore();
      const [row] = await store.db.select().from(action).where(eq(action.id, id)).limit(1);
      if (!row) throw notFound("action", id);
      if (row.requestedBy !== caller.address && !isStaff(caller)) throw forbidden("only the requester, an admin or an operator may read this action");
      return c.json(actionJson(row), 200);
    })
    .openapi(settleRoute, async (c) => {
      const key = idempotencyKeyOf(c);
      const caller = c.get("caller");
      const { chainId: wanted, orderHash, beneficiary } = c.req.valid("json");
      const request = { orderHash, beneficiary: getAddress(beneficiary) };
      const replay = await replayOf((await getStore()).db, caller.address, key, "qr-settlement", request, wanted);
      if (replay) return c.json(actionJson(replay), 200);
      const chain = await chainOfSubject(wanted, "QR order", orderHash, chainsWith(db, schema.qrOrder, eq(schema.qrOrder.id, orderHash)));
      const chainId = chain?.network.chainId;
      if (!isStaff(caller) && !(chainId !== undefined && (await isMerchant(deps, chainId, caller.address, orderHash)))) {
        throw forbidden("settling an order needs the operator or admin role, or being the order's merchant");
      }
      const order = chain ? await readOrder(deps, chain.network.chainId, orderHash) : null;
      if (!chain || !order) throw notFound("QR order", orderHash);
      if (order.unsettledAmount === 0n) throw new ApiError(409, "nothing_to_settle", `order ${orderHash} has nothing unsettled`, { orderHash });
      const call = settleCall(contractOn(chain, "QRPayment"), order.native, request.beneficiary, orderHash);
      const store = await actionStore(chain.network.chainId);
      const recorded = answer(await recordAction(store, newAction(chain, "qr-settlement", caller, key, request, call, { orderHash })));
      return recorded.created ? c.json(actionJson(recorded.row), 201) : c.json(actionJson(recorded.row), 200);
    })
    .openapi(emergencyRoute, async (c) => {
      const key = idempotencyKeyOf(c);
      const caller = c.get("caller");
      const { chainId: wanted, bookingId, reason } = c.req.valid("json");
      const request = { bookingId, reason: reason ?? "emergency cancellation" };
      const replay = await replayOf((await getStore()).db, caller.address, key, "booking-emergency-cancel", request, wanted);
      if (replay) return c.json(actionJson(replay), 200);
      const chain = await chainOfSubject(wanted, "booking", bookingId, chainsWith(db, schema.booking, eq(schema.booking.id, bookingId)));
      const booking = chain ? await readBooking(deps, chain.network.chainId, bookingId) : null;
      if (!chain || !booking) throw notFound("booking", bookingId);
      if (booking.status !== "PAID") throw new ApiError(409, "booking_not_paid", `booking ${bookingId} is ${booking.status}, only PAID bookings can be cancelled`, { status: booking.status });
      const a = newAction(chain, "booking-emergency-cancel", caller, key, request, emergencyCancelCall(contractOn(chain, "BookingEscrow"), bookingId, request.reason), { bookingId });
      const recorded = answer(await recordAction(await actionStore(chain.network.chainId), a));
      return recorded.created ? c.json(actionJson(recorded.row), 201) : c.json(actionJson(recorded.row), 200);
    })
    .openapi(createEventRoute, async (c) => {
      const key = idempotencyKeyOf(c);
      const caller = c.get("caller");
      const { chainId: wanted, ...input } = c.req.valid("json");
      const request = { ...input, organizer: getAddress(input.organizer), stakeBps: input.stakeBps ?? 0 };
      const replay = await replayOf((await getStore()).db, caller.address, key, "event-create", request, wanted);
      if (replay) return c.json(actionJson(replay), 200);
      const chain = chainWithContract(wanted, "EventTicketNFT");
      const chainId = chain.network.chainId;
      const nft = contractOn(chain, "EventTicketNFT");
      senderOf(chain, "owner");
      const store = await actionStore(chainId);
      // Ids are allocated under one lock per chain so two creations never pick the same free id.
      const result = await store.locked(`event-create:${chainId}`, async (tx) => {
        const again = await replayOf(tx, caller.address, key, "event-create", request, chainId);
        if (again) return { row: again, created: false };
        let eventId: bigint;
        if (input.eventId !== undefined) {
          eventId = BigInt(input.eventId);
          const [taken] = await tx.select({ id: action.id }).from(action).where(and(eq(action.chainId, chainId), eq(action.kind, "event-create"), eq(action.eventId, eventId.toString()), inArray(action.status, ["pending", "sent", "mined", "indexed"]))).limit(1);
          if (taken || (await readEvent(deps, chainId, eventId))) throw new ApiError(409, "event_exists", `event ${eventId} already exists on chain ${chainId} (or is being created)`, { eventId: eventId.toString(), chainId });
        } else {
          const [{ highest } = { highest: null }] = await tx.select({ highest: max(sql<string>`(${action.eventId})::numeric`) }).from(action).where(and(eq(action.chainId, chainId), eq(action.kind, "event-create")));
          const indexed = (await highestEventId(deps, chainId)) ?? 0n;
          const stored = highest === null ? 0n : BigInt(String(highest));
          eventId = (indexed > stored ? indexed : stored) + 1n;
        }
        const call = createEventCall(nft, eventId, BigInt(input.capacity), BigInt(input.price), request.organizer);
        return insertOrReplay(tx, newAction(chain, "event-create", caller, key, request, call, { eventId }));
      });
      const recorded = answer(result);
      return recorded.created ? c.json(actionJson(recorded.row), 201) : c.json(actionJson(recorded.row), 200);
    });

  for (const verb of ["cancel", "complete"] as const) {
    const kind: ActionKind = verb === "cancel" ? "event-cancel" : "event-complete";
    app.openapi(endEventRoute(verb), async (c) => {
      const key = idempotencyKeyOf(c);
      const caller = c.get("caller");
      const { eventId } = c.req.valid("param");
      const wanted = c.req.valid("query").chainId;
      const request = { eventId: eventId.toString() };
      const replay = await replayOf((await getStore()).db, caller.address, key, kind, request, wanted);
      if (replay) return c.json(actionJson(replay), 200);
      const chain = await chainOfSubject(wanted, "event", eventId.toString(), chainsWith(db, schema.ticketedEvent, eq(schema.ticketedEvent.id, eventId)));
      const event = chain ? await readEvent(deps, chain.network.chainId, eventId) : null;
      if (!chain || !event) throw notFound("event", eventId.toString());
      const chainId = chain.network.chainId;
      if (!isStaff(caller) && !(await isOrganizer(deps, chainId, caller.address, eventId))) {
        throw forbidden(`${verb === "cancel" ? "cancelling" : "completing"} an event needs the admin or operator role, or being its organizer`);
      }
      if (event.status !== "ACTIVE") throw new ApiError(409, "event_not_active", `event ${eventId} is ${event.status}`, { status: event.status });
      const a = newAction(chain, kind, caller, key, request, endEventCall(contractOn(chain, "EventTicketNFT"), kind as "event-cancel" | "event-complete", eventId), { eventId });
      // Under the chain's check-in lock: a check-in is either recorded before (and completion waits
      // for it) or refused as event_closing, never slipped in between.
      const recorded = answer(await recordAction(await actionStore(chainId), a, { lockKey: checkInsLock(chainId) }));
      return recorded.created ? c.json(actionJson(recorded.row), 201) : c.json(actionJson(recorded.row), 200);
    });
  }

  app.route("/", operatorRouter());
  app.route("/", checkInRouter(deps));
  app.route("/", metadataRouter(deps, actionChains().map((chain) => chain.network.chainId)));
  return app;
}
