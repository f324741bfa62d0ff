// How far the index is behind the chain, and what that means for readiness. Ponder's /ready says
// only that the backfill once finished: an indexer stalled since (a database cut, a dead RPC) keeps
// it at 200 while the data ages. Readiness here means "serving data within READY_MAX_LAG_BLOCKS of
// the chain head".
import { envInteger, type EnvVars } from "../../config/env.js";

export const DEFAULT_READY_MAX_LAG_BLOCKS = 20;

/** READY_MAX_LAG_BLOCKS (0 – 1,000,000, default 20); a bad value stops the start, naming the variable. */
export function readyMaxLagBlocks(env: EnvVars): number {
  return envInteger(env, "READY_MAX_LAG_BLOCKS", DEFAULT_READY_MAX_LAG_BLOCKS, 0, 1_000_000);
}

/** Blocks the chain is ahead of the index (0 when the index has seen a head the RPC has not reported yet). */
export function lagBlocks(head: bigint, indexed: bigint): number {
  return head > indexed ? Number(head - indexed) : 0;
}

export type Readiness =
  | { ready: true; lagBlocks: number }
  | { ready: false; reason: "backfilling" | "lagging" | "no_checkpoint" | "chain_unavailable"; message: string; lagBlocks: number | null };

export type Observation = { backfillDone: boolean; head: bigint | null; indexed: bigint | null };

/** Ready when the backfill is done and the index is at most `maxLag` blocks behind a head the chain reported. */
export function readiness({ backfillDone, head, indexed }: Observation, maxLag: number): Readiness {
  if (indexed === null) return { ready: false, reason: "no_checkpoint", message: "the index has not recorded a block yet", lagBlocks: null };
  if (!backfillDone) return { ready: false, reason: "backfilling", message: "the historical backfill is not complete", lagBlocks: head === null ? null : lagBlocks(head, indexed) };
  if (head === null) return { ready: false, reason: "chain_unavailable", message: "the chain's RPC did not report its head, so the index's lag is unknown", lagBlocks: null };
  const lag = lagBlocks(head, indexed);
  if (lag > maxLag) return { ready: false, reason: "lagging", message: `the index is ${lag} blocks behind the chain head (${head}), more than READY_MAX_LAG_BLOCKS (${maxLag})`, lagBlocks: lag };
  return { ready: true, lagBlocks: lag };
}
