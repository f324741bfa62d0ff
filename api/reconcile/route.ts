// GET /api/reconciliation: every indexed figure a contract view can confirm, compared with that
// view at the block the index has reached. Heavy (thousands of view calls), so concurrent requests
// share one run.
import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { ChainUnavailableError, IndexNotReadyError, reconcile, type ReconcileDeps, type Reconciliation } from "./collect.js";
import { differenceToJson } from "./figures.js";
import { ReconciliationSchema, type ReconciliationJson } from "./schema.js";

const route = createRoute({
  method: "get",
  path: "/api/reconciliation",
  operationId: "getReconciliation",
  tags: ["reconciliation"],
  summary: "Compare the index with the contracts' views",
  description:
    "Reads every figure the contracts expose as a view (escrowed totals, earnings, bookings, events, tickets, payments, stakes, organizer balances, platform fees, QR orders and totals, oracle rates, roles, and what each contract holds) at the block the index has reached, and lists each one that differs from the indexed figure.",
  responses: {
    200: { description: "The comparison; `differences` is empty when the index equals the chain", content: { "application/json": { schema: ReconciliationSchema } } },
    502: errorResponse("The chain's RPC did not answer"),
    503: errorResponse("The index has not indexed a block yet, or kept moving during the read"),
  },
});

export function toJson(result: Reconciliation): ReconciliationJson {
  const lagBlocks = result.head === null ? null : result.head > result.block ? Number(result.head - result.block) : 0;
  return { block: result.block.toString(), head: result.head?.toString() ?? null, lagBlocks, checked: result.checked, differences: result.differences.map(differenceToJson) };
}

/** `deps` is called on first use: the chain client and addresses come from the environment Ponder runs in. */
export function reconciliationRouter(deps: () => ReconcileDeps) {
  let resolved: ReconcileDeps | undefined;
  let running: Promise<Reconciliation> | undefined;
  const run = () => {
    resolved ??= deps();
    running ??= reconcile(resolved).finally(() => {
      running = undefined;
    });
    return running;
  };

  return newRouter().openapi(route, async (c) => {
    try {
      return c.json(toJson(await run()), 200);
    } catch (err) {
      if (err instanceof IndexNotReadyError) throw new ApiError(503, "index_not_ready", err.message);
      if (err instanceof ChainUnavailableError) throw new ApiError(502, "chain_unavailable", err.message);
      throw err;
    }
  });
}
