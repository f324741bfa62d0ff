// Event metadata (offchain: the chain carries no name, venue or dates):
//   GET /api/events/{eventId}/metadata   public
//   PUT /api/events/{eventId}/metadata   admin or the event's organizer (index); replaces it whole
// Both take ?chainId= (event ids repeat across chains), needed only for an id on several.
// POST /api/actions/events stores the first version once the creation is mined.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { requireAuth, type AuthEnv } from "../auth/middleware.js";
import { isOrganizer } from "../auth/resource-roles.js";
import { notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { ChainIdQuery, chainFor, chainsWith } from "../rest/chain.js";
import type { ReadDeps } from "../rest/db.js";
import { Uint256Param } from "../rest/params.js";
import { getStore } from "../store/db.js";
import { eventMetadata, type EventMetadataRow } from "../store/tables/metadata.js";
import { forbidden, json, security, writeRateLimit } from "./http.js";
import { readEvent } from "./index-reads.js";
import { EventMetadataInput, EventMetadataJson, metadataColumns } from "./metadata-input.js";

const TAG = "event metadata";

const getRoute = createRoute({
  method: "get",
  path: "/api/events/{eventId}/metadata",
  operationId: "getEventMetadata",
  tags: [TAG],
  summary: "An event's name, description, venue, dates and image",
  request: { params: z.object({ eventId: Uint256Param }), query: z.object({ chainId: ChainIdQuery }) },
  responses: {
    200: json(EventMetadataJson, "The metadata"),
    400: errorResponse("Malformed event id or chainId, or an id on several chains without a chainId"),
    404: errorResponse("No metadata for this event"),
  },
});

const putRoute = createRoute({
  method: "put",
  path: "/api/events/{eventId}/metadata",
  operationId: "putEventMetadata",
  tags: [TAG],
  summary: "Set an event's metadata (admin or the event's organizer)",
  security,
  middleware: [requireAuth, writeRateLimit()] as const,
  request: { params: z.object({ eventId: Uint256Param }), query: z.object({ chainId: ChainIdQuery }), body: { required: true, content: { "application/json": { schema: EventMetadataInput } } } },
  responses: {
    200: json(EventMetadataJson, "Stored"),
    400: errorResponse("Malformed id, chainId or body, or an id on several chains without a chainId"),
    401: errorResponse("No token"),
    403: errorResponse("Neither admin nor the event's organizer"),
    404: errorResponse("No such event in the index"),
    429: errorResponse("Too many write requests"),
  },
});

function metadataJson(r: EventMetadataRow): z.infer<typeof EventMetadataJson> {
  return {
    chainId: r.chainId,
    eventId: r.eventId,
    name: r.name,
    description: r.description,
    venue: r.venue,
    startsAt: r.startsAt?.toISOString() ?? null,
    endsAt: r.endsAt?.toISOString() ?? null,
    imageUrl: r.imageUrl,
    updatedBy: r.updatedBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** `chains`: the chain ids served; an event's metadata is read and written on its indexed chain. */
export function metadataRouter(deps: ReadDeps, chains: readonly number[]) {
  const { db, schema } = deps;
  const chainOf = (wanted: number | undefined, eventId: bigint) =>
    chainFor(chains, wanted, "event", eventId.toString(), chainsWith(db, schema.ticketedEvent, eq(schema.ticketedEvent.id, eventId)));
  return newRouter<AuthEnv>()
    .openapi(getRoute, async (c) => {
      const { eventId } = c.req.valid("param");
      const chainId = await chainOf(c.req.valid("query").chainId, eventId);
      const store = await getStore();
      const [row] = chainId === null ? [] : await store.db.select().from(eventMetadata).where(and(eq(eventMetadata.chainId, chainId), eq(eventMetadata.eventId, eventId.toString()))).limit(1);
      if (!row) throw notFound("metadata of event", eventId.toString());
      return c.json(metadataJson(row), 200);
    })
    .openapi(putRoute, async (c) => {
      const { eventId } = c.req.valid("param");
      const m = c.req.valid("json");
      const caller = c.get("caller");
      const chainId = await chainOf(c.req.valid("query").chainId, eventId);
      if (chainId === null || !(await readEvent(deps, chainId, eventId))) throw notFound("event", eventId.toString());
      if (!caller.roles.includes("admin") && !(await isOrganizer(deps, chainId, caller.address, eventId))) {
        throw forbidden("only an admin or the event's organizer may change its metadata");
      }
      const now = new Date();
      const values = metadataColumns(m, caller.address, now);
      const store = await getStore();
      const [row] = await store.db
        .insert(eventMetadata)
        .values({ chainId, eventId: eventId.toString(), ...values, createdAt: now })
        .onConflictDoUpdate({ target: [eventMetadata.chainId, eventMetadata.eventId], set: values })
        .returning();
      return c.json(metadataJson(row!), 200);
    });
}
