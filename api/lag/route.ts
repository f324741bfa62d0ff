// GET /api/ready: what a load balancer should probe. 200 when the backfill is done and the index is
// within READY_MAX_LAG_BLOCKS of the chain head; 503 with Retry-After and the reason otherwise.
// (Ponder's own /ready, which it serves before this app and only says the backfill once finished,
// stays as it is.)
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponse, newRouter } from "../http/router.js";
import { errorBody } from "../http/errors.js";
import { readiness, type Observation } from "./lag.js";

const ReadySchema = z
  .object({
    ready: z.literal(true),
    chain: z.string(),
    head: z.string().regex(/^\d+$/).openapi({ description: "the chain head the RPC reported" }),
    indexed: z.string().regex(/^\d+$/).openapi({ description: "the last block whose every event is indexed" }),
    lagBlocks: z.number().int().nonnegative(),
    maxLagBlocks: z.number().int().nonnegative(),
  })
  .openapi("Readiness");

const route = createRoute({
  method: "get",
  path: "/api/ready",
  operationId: "getReadiness",
  tags: ["status"],
  summary: "Is this API serving data close to the chain head?",
  description:
    "200 when the historical backfill is complete and the index is at most READY_MAX_LAG_BLOCKS behind the chain head; otherwise 503 with `Retry-After` and a code: `backfilling`, `lagging` (a stalled or slow indexer), `no_checkpoint`, or `chain_unavailable` (the RPC did not report its head).",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadySchema } } },
    503: errorResponse("Not ready: the code says why; details carry head, indexed, lagBlocks and maxLagBlocks"),
  },
});

export function readinessRouter(observe: () => Promise<Observation>, chain: () => string, maxLag: number) {
  return newRouter().openapi(route, async (c) => {
    let o: Observation;
    try {
      o = await observe();
    } catch (err) {
      return c.json(errorBody("database_unavailable", `the index could not be read: ${(err as Error).message}`), 503, { "Retry-After": "5" });
    }
    const verdict = readiness(o, maxLag);
    const figures = { head: o.head?.toString() ?? null, indexed: o.indexed?.toString() ?? null, maxLagBlocks: maxLag };
    if (!verdict.ready) return c.json(errorBody(verdict.reason, verdict.message, { ...figures, lagBlocks: verdict.lagBlocks }), 503, { "Retry-After": "5" });
    return c.json({ ready: true as const, chain: chain(), head: figures.head!, indexed: figures.indexed!, lagBlocks: verdict.lagBlocks, maxLagBlocks: maxLag }, 200);
  });
}
