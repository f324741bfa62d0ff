// The write pipeline as an operator sees it (admin or operator):
//   GET  /api/actions              every chain's actions, newest first: status, kind, sender, chain, time range, cursor
//   POST /api/actions/{id}/retry   a failed action sent again as a new action naming it (retryOf); once per action
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { requireAuth, requireRole, type AuthEnv } from "../auth/middleware.js";
import type { KeyRole } from "../chain/keys.js";
import { ApiError, notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { ChainIdQuery, unknownChain } from "../rest/chain.js";
import { AddressParam, LimitQuery } from "../rest/params.js";
import { getStore } from "../store/db.js";
import { action, type ActionRow } from "../store/tables/actions.js";
import { json, security, TAG } from "./http.js";
import { actionJson, ActionJson } from "./model.js";
import { newActionRow, type NewAction } from "./record.js";
import { ACTION_KINDS, ACTION_STATUSES, type ActionKind } from "./rules.js";
import { actionChains, actionStore, actionsChain, kickWorker, senderOf } from "./runtime.js";

/** The keyset cursor: the last item's creation time and id, opaque to clients. */
const encodeCursor = (r: Pick<ActionRow, "createdAt" | "id">) => Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString("base64url");

const ActionCursorQuery = z
  .string()
  .optional()
  .transform((raw, ctx): { createdAt: Date; id: string } | undefined => {
    if (raw === undefined) return undefined;
    const [at, id] = Buffer.from(raw, "base64url").toString("utf8").split("|");
    const createdAt = new Date(at ?? "");
    if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be the nextCursor of an earlier page" });
      return z.NEVER;
    }
    return { createdAt, id };
  })
  .openapi({ type: "string", description: "The `nextCursor` of the previous page; omit for the first page" });

const Instant = z.string().datetime({ offset: true, message: "must be an ISO 8601 date-time, e.g. 2026-12-04T10:00:00Z" }).optional();

const ListQuery = z.object({
  status: z.enum(ACTION_STATUSES).optional(),
  kind: z.enum(ACTION_KINDS).optional(),
  sender: AddressParam.optional().openapi({ description: "The sending key's address" }),
  chainId: ChainIdQuery,
  since: Instant.openapi({ description: "Created at or after" }),
  until: Instant.openapi({ description: "Created before" }),
  limit: LimitQuery,
  cursor: ActionCursorQuery,
});

const PageJson = z.object({ items: z.array(ActionJson), nextCursor: z.string().nullable() }).openapi("ActionPage");

const listRoute = createRoute({
  method: "get",
  path: "/api/actions",
  operationId: "listActions",
  tags: [TAG],
  summary: "The write pipeline: actions on every chain, newest first (admin or operator)",
  security,
  middleware: [requireAuth, requireRole("admin", "operator")] as const,
  request: { query: ListQuery },
  responses: {
    200: json(PageJson, "A page of actions; nextCursor is null on the last"),
    400: errorResponse("An unknown status, kind or chain, a malformed sender, date, limit or cursor"),
    401: errorResponse("No token"),
    403: errorResponse("Neither admin nor operator"),
  },
});

const retryRoute = createRoute({
  method: "post",
  path: "/api/actions/{id}/retry",
  operationId: "retryAction",
  tags: [TAG],
  summary: "Send a failed action again, as a new action (retryOf = the failed one); admin or operator",
  description: "The same call, chain and sending key; simulated again before anything is sent. Idempotent: a failed action has at most one retry, and asking again answers it (200).",
  security,
  middleware: [requireAuth, requireRole("admin", "operator")] as const,
  request: { params: z.object({ id: z.string().uuid("must be an action id (a UUID)") }) },
  responses: {
    200: json(ActionJson, "The retry recorded earlier"),
    201: json(ActionJson, "Recorded; poll GET /api/actions/{id} of the new action"),
    400: errorResponse("Not a UUID"),
    401: errorResponse("No token"),
    403: errorResponse("Neither admin nor operator"),
    404: errorResponse("No such action"),
    409: errorResponse("action_not_failed: only a failed action is retried"),
    503: errorResponse("key_not_configured, or its chain is no longer served"),
  },
});

export function operatorRouter() {
  return newRouter<AuthEnv>()
    .openapi(listRoute, async (c) => {
      const q = c.req.valid("query");
      const served = actionChains().map((chain) => chain.network.chainId);
      if (q.chainId !== undefined && !served.includes(q.chainId)) throw unknownChain(q.chainId, served);
      const where: (SQL | undefined)[] = [
        q.status ? eq(action.status, q.status) : undefined,
        q.kind ? eq(action.kind, q.kind) : undefined,
        q.sender ? sql`lower(${action.sender}) = ${q.sender.toLowerCase()}` : undefined,
        q.chainId !== undefined ? eq(action.chainId, q.chainId) : undefined,
        q.since ? gte(action.createdAt, new Date(q.since)) : undefined,
        q.until ? lt(action.createdAt, new Date(q.until)) : undefined,
        q.cursor ? or(lt(action.createdAt, q.cursor.createdAt), and(eq(action.createdAt, q.cursor.createdAt), lt(action.id, q.cursor.id))) : undefined,
      ];
      const store = await getStore();
      const rows = await store.db
        .select()
        .from(action)
        .where(and(...where))
        .orderBy(desc(action.createdAt), desc(action.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return c.json({ items: page.map(actionJson), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null }, 200);
    })
    .openapi(retryRoute, async (c) => {
      const { id } = c.req.valid("param");
      const caller = c.get("caller");
      const [old] = await (await getStore()).db.select().from(action).where(eq(action.id, id)).limit(1);
      if (!old) throw notFound("action", id);
      const again = async () => (await (await getStore()).db.select().from(action).where(eq(action.retryOf, id)).limit(1))[0];
      const earlier = await again();
      if (earlier) return c.json(actionJson(earlier), 200);
      if (old.status !== "failed") throw new ApiError(409, "action_not_failed", `action ${id} is ${old.status}: only a failed action is retried`, { status: old.status });
      if (!actionChains().some((chain) => chain.network.chainId === old.chainId)) {
        throw new ApiError(503, "chain_not_served", `action ${id} is for chain ${old.chainId}, which this server no longer serves`, { chainId: old.chainId });
      }
      const chain = actionsChain(old.chainId);
      const sender = senderOf(chain, old.senderRole as KeyRole);
      const store = await actionStore(old.chainId);
      const retry: NewAction = {
        chainId: old.chainId,
        kind: old.kind as ActionKind,
        requestedBy: caller.address,
        idempotencyKey: `retry-of:${id}`,
        request: old.request as Record<string, unknown>,
        senderRole: old.senderRole as KeyRole,
        sender: sender.address,
        target: old.target,
        calldata: old.calldata,
        value: BigInt(old.value),
        subject: {
          eventId: old.eventId === null ? undefined : BigInt(old.eventId),
          tokenId: old.tokenId === null ? undefined : BigInt(old.tokenId),
          orderHash: old.orderHash ?? undefined,
          bookingId: old.bookingId ?? undefined,
        },
        parentId: old.parentId ?? undefined,
        retryOf: id,
      };
      // The unique index on retry_of keeps a concurrent twin (any replica) out: it answers the one that got in.
      const [inserted] = await store.db.insert(action).values(newActionRow(retry, new Date())).onConflictDoNothing().returning();
      if (!inserted) {
        const twin = await again();
        if (!twin) throw new Error(`retry of ${id}: conflict without a row`);
        return c.json(actionJson(twin), 200);
      }
      kickWorker(old.chainId);
      return c.json(actionJson(inserted), 201);
    });
}
