// The reconciliation report as it travels over HTTP (bigints as decimal strings). Shared by the
// route (response schema, OpenAPI) and scripts/reconcile.ts (which validates what it receives).
import { z } from "@hono/zod-openapi";
import { CONTRACT_NAMES } from "../../config/network.js";

const figure = z.union([z.string(), z.boolean(), z.null()]).openapi({ description: "bigints as decimal strings, addresses lower-case hex" });
const chainId = z.number().int().positive().openapi({ description: "the chain's id", example: 31337 });
const block = z.string().regex(/^\d+$/).openapi({ description: "the block the index had reached on this chain; its views were read at it" });
const head = z.string().regex(/^\d+$/).nullable().openapi({ description: "the chain head when the comparison ran (null if the RPC did not say)" });
const lagBlocks = z.number().int().nonnegative().nullable().openapi({ description: "head - block: how stale the compared index was" });

export const DifferenceSchema = z
  .object({
    chainId: chainId.openapi({ description: "the chain whose view and indexed figure differ" }),
    contract: z.enum(CONTRACT_NAMES),
    view: z.string().openapi({ example: "earnings" }),
    key: z.string().openapi({ example: "0x87bdce72c06c21cd96219bd8521bdf1f42c78b5e" }),
    chain: figure,
    index: figure,
  })
  .openapi("ReconciliationDifference");

export const ChainReconciliationSchema = z
  .object({
    chainId,
    chain: z.string().openapi({ description: "the network's name (Ponder's chain name)", example: "local" }),
    block,
    head,
    lagBlocks,
    checked: z.number().int().nonnegative().openapi({ description: "figures compared on this chain" }),
    differences: z.number().int().nonnegative().openapi({ description: "how many of `differences` are this chain's" }),
  })
  .openapi("ReconciliationChain");

export const ReconciliationSchema = z
  .object({
    block: block.openapi({ description: "`block` of the first chain in `chains` (kept for single-chain clients)" }),
    head: head.openapi({ description: "`head` of the first chain in `chains` (kept for single-chain clients)" }),
    lagBlocks: lagBlocks.openapi({ description: "`lagBlocks` of the first chain in `chains` (kept for single-chain clients)" }),
    checked: z.number().int().nonnegative().openapi({ description: "figures compared, over every chain" }),
    differences: z.array(DifferenceSchema).openapi({ description: "every chain's differences, chain by chain in `chains` order" }),
    chains: z
      .array(ChainReconciliationSchema)
      .min(1)
      .openapi({ description: "each served chain, in served (PONDER_NETWORKS) order; the first is the primary network" }),
  })
  .openapi("Reconciliation");

export type ReconciliationJson = z.infer<typeof ReconciliationSchema>;
export type ChainReconciliationJson = z.infer<typeof ChainReconciliationSchema>;
