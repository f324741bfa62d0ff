// Which chain a REST read is about. Ids repeat across chains (event 1 exists on each), so a read
// names its chain with `?chainId=`; without one, the id's own chain is used when it is on exactly
// one, and a read of an id on several chains is a 400 that names them. With one chain served no
// look-up is needed at all.
import { z } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { ApiError } from "../http/errors.js";
import type { ReadDb } from "./db.js";
import { quote, type Parsed } from "./params.js";

/** A chain id as the query string carries it: a positive decimal integer. */
export function parseChainId(raw: string): Parsed<number> {
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    return { ok: false, error: `must be a chain id (a positive decimal integer), got ${quote(raw)}` };
  }
  return { ok: true, value: Number(raw) };
}

export const ChainIdQuery = z
  .string()
  .optional()
  .transform((raw, ctx): number | undefined => {
    if (raw === undefined) return undefined;
    const result = parseChainId(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.error });
    return z.NEVER;
  })
  .openapi({
    type: "integer",
    description: "The chain the id is on. Needed only when the id exists on several of the chains this API serves (then a 400 names them)",
    example: "31337",
  });

export const unknownChain = (chainId: number, served: readonly number[]) =>
  new ApiError(400, "unknown_chain", `chainId ${chainId} is not served here: this API indexes chain${served.length === 1 ? "" : "s"} ${served.join(", ")}`, {
    chainId,
    served,
  });

/** `contract` is on several served chains and the request named none. */
export const chainRequired = (contract: string, chainIds: readonly number[]) =>
  new ApiError(400, "chain_required", `${contract} is on chains ${chainIds.join(", ")} here: add "chainId" to say which one`, { chains: chainIds });

const ambiguousChain = (what: string, id: string, chains: readonly number[]) =>
  new ApiError(400, "ambiguous_chain", `${what} ${id} exists on chains ${chains.join(", ")}: add ?chainId= to choose one`, { id, chains });

/**
 * The chain to read `what` `id` from: the one asked for (if served), the only chain served, or
 * the only chain among `chainsOf()` (the chains the index has the id on). null: on no chain.
 */
export async function chainFor(
  served: readonly number[],
  wanted: number | undefined,
  what: string,
  id: string,
  chainsOf: () => Promise<number[]>,
): Promise<number | null> {
  if (wanted !== undefined) {
    if (!served.includes(wanted)) throw unknownChain(wanted, served);
    return wanted;
  }
  if (served.length === 1) return served[0]!;
  const chains = [...new Set(await chainsOf())].sort((a, b) => a - b);
  if (chains.length > 1) throw ambiguousChain(what, id, chains);
  return chains[0] ?? null;
}

/** The chains on which `table` has a row matching `where` (two at most: enough to tell "several"). */
export const chainsWith = (db: ReadDb, table: PgTable & { chainId: PgColumn }, where: SQL | undefined) => async (): Promise<number[]> =>
  (await db.select({ chainId: table.chainId }).from(table).where(where).limit(2)).map((r) => Number(r.chainId));
