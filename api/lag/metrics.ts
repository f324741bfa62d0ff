// The index's lag on Ponder's /metrics, measured when scraped: `api_index_lag_blocks{chain}`,
// `api_chain_head_block{chain}` and `api_indexed_block{chain}`, one sample per served chain (the
// label is the chain's name), so an alert can fire on a stalled index whatever /ready says.
import { Gauge, type Registry } from "prom-client";
import { lagBlocks, type ChainObservation, type Observations } from "./lag.js";

type Names = "api_index_lag_blocks" | "api_chain_head_block" | "api_indexed_block";

export function registerLagMetrics(observe: () => Promise<Observations>): void {
  const registry = (globalThis as { PONDER_COMMON?: { metrics?: { registry?: Registry } } }).PONDER_COMMON?.metrics?.registry;
  if (!registry) return;
  const gauge = (name: Names, help: string, value: (o: ChainObservation) => number | null) => {
    // `ponder dev` reloads this module: the last load's gauge replaces the one before.
    registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      labelNames: ["chain"],
      registers: [registry],
      async collect() {
        this.reset();
        const o = await observe().catch(() => null);
        for (const chain of o?.chains ?? []) {
          const v = value(chain);
          if (v !== null) this.set({ chain: chain.chain }, v);
        }
      },
    });
  };
  gauge("api_index_lag_blocks", "Blocks the chain head is ahead of the last fully indexed block", (o) => (o.head !== null && o.indexed !== null ? lagBlocks(o.head, o.indexed) : null));
  gauge("api_chain_head_block", "The chain head as the API's RPC client last saw it", (o) => (o.head === null ? null : Number(o.head)));
  gauge("api_indexed_block", "The last block whose every event is indexed", (o) => (o.indexed === null ? null : Number(o.indexed)));
}
