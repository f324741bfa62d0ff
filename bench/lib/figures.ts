// Ponder 0.16's own account of a backfill, from /metrics. The historical loop pulls block ranges
// from the sync (RPC fetching, decoding) and indexes them; the two overlap, and Ponder records how
// long the loop waited for the sync ("extract") and how long it spent indexing ("transform":
// prefetch, handlers, flushing rows to the database, checkpoint). Durations are milliseconds.
import { byLabel, sumOf, type Sample } from "./prometheus.js";

export type PonderFigures = {
  /** Events the handlers processed (`ponder_indexing_completed_events`). */
  indexedEvents: number;
  /** Historical loop: waiting for the sync plus indexing. */
  backfillSeconds: number;
  /** Time the loop waited for RPC fetching and decoding not hidden behind indexing. */
  syncWaitSeconds: number;
  /** Time spent indexing: the indexing phase alone. */
  indexingSeconds: number;
  /** Of which inside the handlers themselves. */
  handlerSeconds: number;
  /** Indexing split by step (prefetch, begin, index, load, finalize, commit). */
  indexingSteps: Record<string, number>;
};

const seconds = (ms: number) => ms / 1000;

export function ponderFigures(samples: readonly Sample[]): PonderFigures {
  const group = (g: string) => sumOf(samples, "ponder_historical_concurrency_group_duration", { group: g });
  const steps = byLabel(samples, "ponder_historical_transform_duration", "step");
  return {
    indexedEvents: sumOf(samples, "ponder_indexing_completed_events"),
    backfillSeconds: seconds(group("extract") + group("transform")),
    syncWaitSeconds: seconds(group("extract")),
    indexingSeconds: seconds(group("transform")),
    handlerSeconds: seconds(sumOf(samples, "ponder_indexing_function_duration_sum")),
    indexingSteps: Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, seconds(ms)])),
  };
}
