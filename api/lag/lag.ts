// How far the index is behind the chain, and what that means for readiness. Ponder's /ready says
// only that the backfill once finished: an indexer stalled since (a database cut, a dead RPC) keeps
// it at 200 while the data ages. Readiness here means "serving data within READY_MAX_LAG_BLOCKS of
// the chain head", on every chain the index serves.
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

/**
 * Ready when the backfill is done and the index is at most `maxLag` blocks behind a head the chain
 * reported. `chain` (e.g. `local-2 (chain 31338)`) names the chain in the message.
 */
export function readiness({ backfillDone, head, indexed }: Observation, maxLag: number, chain?: string): Readiness {
  const index = chain === undefined ? "the index" : `the index of ${chain}`;
  if (indexed === null) return { ready: false, reason: "no_checkpoint", message: `${index} has not recorded a block yet`, lagBlocks: null };
  if (!backfillDone) {
    const message = chain === undefined ? "the historical backfill is not complete" : `the historical backfill is not complete (${index} is at block ${indexed})`;
    return { ready: false, reason: "backfilling", message, lagBlocks: head === null ? null : lagBlocks(head, indexed) };
  }
  if (head === null) {
    const message = chain === undefined ? "the chain's RPC did not report its head, so the index's lag is unknown" : `the RPC of ${chain} did not report its head, so the index's lag on it is unknown`;
    return { ready: false, reason: "chain_unavailable", message, lagBlocks: null };
  }
  const lag = lagBlocks(head, indexed);
  if (lag > maxLag) return { ready: false, reason: "lagging", message: `${index} is ${lag} blocks behind the chain head (${head}), more than READY_MAX_LAG_BLOCKS (${maxLag})`, lagBlocks: lag };
  return { ready: true, lagBlocks: lag };
}

/** One chain as observed: its checkpoint and its head (each null when unknown). */
export type ChainObservation = { chain: string; chainId: number; head: bigint | null; indexed: bigint | null };

/** Every served chain, in served order; the backfill flag is one for the whole index (Ponder's `_ponder_meta`). */
export type Observations = { backfillDone: boolean; chains: ChainObservation[] };

export type ChainReadiness = ChainObservation & { readiness: Readiness };

/** A ready chain: a head and a checkpoint were seen, the lag within the bound. */
export type ReadyChain = { chain: string; chainId: number; head: bigint; indexed: bigint; lagBlocks: number };

type NotReady = Extract<Readiness, { ready: false }>;

/** Every chain's verdict; when not ready, the reason and message are those of the first chain that is not. */
export type ChainsReadiness =
  | { ready: true; chains: ReadyChain[] }
  | { ready: false; reason: NotReady["reason"]; message: string; first: ChainReadiness & { readiness: NotReady }; chains: ChainReadiness[] };

/** Ready only when every chain is (readiness() on each, the chain named); at least one chain. */
export function chainsReadiness({ backfillDone, chains }: Observations, maxLag: number): ChainsReadiness {
  if (chains.length === 0) throw new Error("readiness of no chain");
  const judged = chains.map((c): ChainReadiness => ({ ...c, readiness: readiness({ backfillDone, head: c.head, indexed: c.indexed }, maxLag, `${c.chain} (chain ${c.chainId})`) }));
  const first = judged.find((c): c is ChainReadiness & { readiness: NotReady } => !c.readiness.ready);
  if (first) return { ready: false, reason: first.readiness.reason, message: first.readiness.message, first, chains: judged };
  // readiness() is ready only with a head and a checkpoint.
  return { ready: true, chains: judged.map((c) => ({ chain: c.chain, chainId: c.chainId, head: c.head!, indexed: c.indexed!, lagBlocks: c.readiness.lagBlocks! })) };
}
