// Reads what readiness is judged on: Ponder's own "backfill done" flag and each chain's checkpoint
// (the rows its /ready and /status read) and each chain's head from its RPC, on clients of the API's own.
import { sql } from "drizzle-orm";
import type { PublicClient } from "viem";
import { IndexNotReadyError, readIndexedBlock, type ReconcileDeps } from "../reconcile/collect.js";
import type { ChainObservation, Observations } from "./lag.js";

/** One chain's reads: the same database, chain client, id and name reconciliation reads with. */
export type LagDeps = Pick<ReconcileDeps, "db" | "client" | "chainId" | "chainName">;

type Rows = { rows: Record<string, unknown>[] };

const HEAD_TIMEOUT_MS = 2_000;
const DB_TIMEOUT_MS = 3_000;

/** `promise`, or a rejection after `ms`: a scrape or probe must answer while the database does not. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function backfillDone(db: LagDeps["db"]): Promise<boolean> {
  const execute = (db as unknown as { execute(q: ReturnType<typeof sql>): Promise<Rows> }).execute.bind(db);
  const { rows } = await execute(sql`select value from _ponder_meta`);
  return rows.some((r) => {
    const value = typeof r.value === "string" ? (JSON.parse(r.value) as unknown) : r.value;
    return (value as { is_ready?: unknown } | null)?.is_ready === 1;
  });
}

export async function chainHead(client: PublicClient): Promise<bigint | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), HEAD_TIMEOUT_MS)));
  try {
    return await Promise.race([client.getBlockNumber({ cacheTime: 0 }), late]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** One chain's checkpoint (null before its first) and head (null when its RPC does not say). */
async function observeChain(d: LagDeps): Promise<ChainObservation> {
  const [indexed, head] = await Promise.all([
    within(readIndexedBlock(d.db, d.chainName), DB_TIMEOUT_MS, "the database").catch((err) => {
      if (err instanceof IndexNotReadyError) return null;
      throw err;
    }),
    chainHead(d.client),
  ]);
  return { chain: d.chainName, chainId: d.chainId, head, indexed };
}

/**
 * One observation of every chain in `deps` (served order; they share one database, where the
 * backfill flag is global); concurrent callers within `shareMs` share it (probes and scrapes come often).
 */
export function observer(deps: () => readonly LagDeps[], shareMs = 500): () => Promise<Observations> {
  let last: { at: number; value: Promise<Observations> } | undefined;
  return () => {
    if (last && Date.now() - last.at < shareMs) return last.value;
    const value = (async (): Promise<Observations> => {
      const list = deps();
      const db = list[0]?.db;
      if (!db) throw new Error("no chain to observe");
      const [done, chains] = await Promise.all([within(backfillDone(db), DB_TIMEOUT_MS, "the database"), Promise.all(list.map(observeChain))]);
      return { backfillDone: done, chains };
    })();
    last = { at: Date.now(), value };
    value.catch(() => (last = undefined));
    return value;
  };
}
