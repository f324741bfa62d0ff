// The reconciliation report as it travels over HTTP (bigints as decimal strings). Shared by the
// route (response schema, OpenAPI) and scripts/reconcile.ts (which validates what it receives).
import { z } from "@hono/zod-openapi";
import { CONTRACT_NAMES } from "../../config/network.js";

const figure = z.union([z.string(), z.boolean(), z.null()]).openapi({ description: "bigints as decimal strings, addresses lower-case hex" });

export const DifferenceSchema = z
  .object({
    contract: z.enum(CONTRACT_NAMES),
    view: z.string().openapi({ example: "earnings" }),
    key: z.string().openapi({ example: "0x87bdce72c06c21cd96219bd8521bdf1f42c78b5e" }),
    chain: figure,
    index: figure,
  })
  .openapi("ReconciliationDifference");

export const ReconciliationSchema = z
  .object({
    block: z.string().regex(/^\d+$/).openapi({ description: "the block the index had reached; the views were read at it" }),
    head: z.string().regex(/^\d+$/).nullable().openapi({ description: "the chain head when the comparison ran (null if the RPC did not say)" }),
    lagBlocks: z.number().int().nonnegative().nullable().openapi({ description: "head - block: how stale the compared index was" }),
    checked: z.number().int().nonnegative().openapi({ description: "figures compared" }),
    differences: z.array(DifferenceSchema),
  })
  .openapi("Reconciliation");

export type ReconciliationJson = z.infer<typeof ReconciliationSchema>;
