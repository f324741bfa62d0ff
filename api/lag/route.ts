// GET /api/ready: what a load balancer should probe. 200 when the backfill is done and the index is
// within READY_MAX_LAG_BLOCKS of the chain head on every served chain; 503 with Retry-After and the
// reason of the first chain that is not otherwise. (Ponder's own /ready, which it serves before this
// app and only says the backfill once finished, stays as it is.)
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponse, newRouter } from "../http/router.js";
import { errorBody } from "../http/errors.js";
import { chainsReadiness, type ChainReadiness, type Observations } from "./lag.js";

const block = z.string().regex(/^\d+$/);

const ReadyChainSchema = z
  .object({
    chain: z.string().openapi({ description: "the network's name (Ponder's chain name)", example: "local" }),
    chainId: z.number().int().positive(),
    head: block.openapi({ description: "the chain head the RPC reported" }),
    indexed: block.openapi({ description: "the last block whose every event is indexed" }),
    lagBlocks: z.number().int().nonnegative(),
  })
  .openapi("ReadinessChain");

const ReadySchema = z
  .object({
    ready: z.literal(true),
    chain: z.string().openapi({ description: "the first chain in `chains` (kept for single-chain clients)" }),
    head: block.openapi({ description: "the first chain's head the RPC reported" }),
    indexed: block.openapi({ description: "the first chain's last block whose every event is indexed" }),
    lagBlocks: z.number().int().nonnegative().openapi({ description: "the first chain's lag" }),
    maxLagBlocks: z.number().int().nonnegative(),
    chains: z.array(ReadyChainSchema).min(1).openapi({ description: "every served chain, in served (PONDER_NETWORKS) order" }),
  })
  .openapi("Readiness");

const route = createRoute({
  method: "get",
  path: "/api/ready",
  operationId: "getReadiness",
  tags: ["status"],
  summary: "Is this API serving data close to the chain head, on every chain?",
  description:
    "200 when the historical backfill is complete and, on every chain the index serves, the index is at most READY_MAX_LAG_BLOCKS behind that chain's head; otherwise 503 with `Retry-After` and the code of the first chain (in served order) that is not ready, its message naming that chain: `backfilling`, `lagging` (a stalled or slow indexer), `no_checkpoint`, or `chain_unavailable` (the RPC did not report its head).",
  responses: {
    200: { description: "Ready; the top-level chain figures are the first chain's, `chains` has each", content: { "application/json": { schema: ReadySchema } } },
    503: errorResponse(
      "Not ready: the code says why; details carry the chain named (chain, chainId, head, indexed, lagBlocks), maxLagBlocks, and `chains`: each chain's head, indexed, lagBlocks, ready and reason",
    ),
  },
});

const figures = (c: ChainReadiness) => ({ chain: c.chain, chainId: c.chainId, head: c.head?.toString() ?? null, indexed: c.indexed?.toString() ?? null, lagBlocks: c.readiness.lagBlocks });

export function readinessRouter(observe: () => Promise<Observations>, maxLag: number) {
  return newRouter().openapi(route, async (c) => {
    let o: Observations;
    try {
      o = await observe();
    } catch (err) {
      return c.json(errorBody("database_unavailable", `the index could not be read: ${(err as Error).message}`), 503, { "Retry-After": "5" });
    }
    const verdict = chainsReadiness(o, maxLag);
    if (!verdict.ready) {
      const chains = verdict.chains.map((ch) => ({ ...figures(ch), ready: ch.readiness.ready, reason: ch.readiness.ready ? null : ch.readiness.reason }));
      return c.json(errorBody(verdict.reason, verdict.message, { ...figures(verdict.first), maxLagBlocks: maxLag, chains }), 503, { "Retry-After": "5" });
    }
    const chains = verdict.chains.map((ch) => ({ chain: ch.chain, chainId: ch.chainId, head: ch.head.toString(), indexed: ch.indexed.toString(), lagBlocks: ch.lagBlocks }));
    const first = chains[0]!;
    return c.json({ ready: true as const, chain: first.chain, head: first.head, indexed: first.indexed, lagBlocks: first.lagBlocks, maxLagBlocks: maxLag, chains }, 200);
  });
}
