// GET /api/reconciliation: every indexed figure a contract view can confirm, compared with that
// view at the block the index has reached, on every served chain. Heavy (thousands of view calls
// per chain), so concurrent requests share one run.
import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { ChainUnavailableError, IndexNotReadyError, reconcileChains, type ChainReconciliation, type ReconcileDeps } from "./collect.js";
import { differenceToJson } from "./figures.js";
import { ReconciliationSchema, type ChainReconciliationJson, type ReconciliationJson } from "./schema.js";

const route = createRoute({
  method: "get",
  path: "/api/reconciliation",
  operationId: "getReconciliation",
  tags: ["reconciliation"],
  summary: "Compare the index with the contracts' views, on every chain",
  description:
    "On each chain the index serves, reads every figure the contracts expose as a view (escrowed totals, earnings, bookings, events, tickets, payments, stakes, organizer balances, platform fees, QR orders and totals, oracle rates, roles, and what each contract holds) at the block the index has reached on that chain, and lists each one that differs from the indexed figure, with its chain's id. `chains` gives each chain's block, head, lag and counts; the top-level `block`, `head` and `lagBlocks` are the first chain's, `checked` is the total.",
  responses: {
    200: {
      description: "The comparison; `differences` is empty when the index equals every chain",
      content: { "application/json": { schema: ReconciliationSchema } },
    },
    502: errorResponse("A chain's RPC did not answer; the message and details name the chain"),
    503: errorResponse("The index has not indexed a block of a chain yet, or kept moving during the read; the message and details name the chain"),
  },
});

function lag(result: ChainReconciliation): number | null {
  return result.head === null ? null : result.head > result.block ? Number(result.head - result.block) : 0;
}

/** `results` in served order (at least one): the first chain's figures at the top level, the totals, every chain. */
export function toJson(results: readonly ChainReconciliation[]): ReconciliationJson {
  const chains: ChainReconciliationJson[] = results.map((r) => ({
    chainId: r.chainId,
    chain: r.chainName,
    block: r.block.toString(),
    head: r.head?.toString() ?? null,
    lagBlocks: lag(r),
    checked: r.checked,
    differences: r.differences.length,
  }));
  const first = chains[0];
  if (!first) throw new Error("reconciliation ran on no chain");
  return {
    block: first.block,
    head: first.head,
    lagBlocks: first.lagBlocks,
    checked: chains.reduce((sum, c) => sum + c.checked, 0),
    differences: results.flatMap((r) => r.differences.map((d) => ({ chainId: r.chainId, ...differenceToJson(d) }))),
    chains,
  };
}

/** `chains` is called on first use: the chain clients and addresses come from the environment Ponder runs in. */
export function reconciliationRouter(chains: () => readonly ReconcileDeps[]) {
  let resolved: readonly ReconcileDeps[] | undefined;
  let running: Promise<ChainReconciliation[]> | undefined;
  const run = () => {
    resolved ??= chains();
    running ??= reconcileChains(resolved).finally(() => {
      running = undefined;
    });
    return running;
  };

  return newRouter().openapi(route, async (c) => {
    try {
      return c.json(toJson(await run()), 200);
    } catch (err) {
      const details = (e: IndexNotReadyError | ChainUnavailableError) => (e.chain ? { chainId: e.chain.chainId, chain: e.chain.chainName } : null);
      if (err instanceof IndexNotReadyError) throw new ApiError(503, "index_not_ready", err.message, details(err));
      if (err instanceof ChainUnavailableError) throw new ApiError(502, "chain_unavailable", err.message, details(err));
      throw err;
    }
  });
}
