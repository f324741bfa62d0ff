// The write pipeline on Ponder's /metrics, counted in the store when scraped:
//   api_actions{chain, kind, status}         actions recorded, by chain, kind and status
//   api_actions_oldest_due_seconds{chain}    how long the oldest action the executor should be
//                                            working on (pending or sent, due) has waited: the executor's lag
// Every replica reports the same figures (they come from the one store), so sum nothing across them.
import { and, eq, inArray, lte, min, sql } from "drizzle-orm";
import { Gauge, type Registry } from "prom-client";
import { getStore } from "../store/db.js";
import { action } from "../store/tables/actions.js";
import { actionChains } from "./runtime.js";

export function registerActionMetrics(): void {
  const registry = (globalThis as { PONDER_COMMON?: { metrics?: { registry?: Registry } } }).PONDER_COMMON?.metrics?.registry;
  if (!registry) return;
  const nameOf = (chainId: number) => actionChains().find((c) => c.network.chainId === chainId)?.network.name ?? String(chainId);
  // `ponder dev` reloads this module: the last load's gauges replace the ones before.
  for (const name of ["api_actions", "api_actions_oldest_due_seconds"]) registry.removeSingleMetric(name);
  new Gauge({
    name: "api_actions",
    help: "Write actions recorded in the store, by chain, kind and status",
    labelNames: ["chain", "kind", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      const store = await getStore().catch(() => null);
      const rows = store
        ? await store.db.select({ chainId: action.chainId, kind: action.kind, status: action.status, n: sql<number>`count(*)::int` }).from(action).groupBy(action.chainId, action.kind, action.status).catch(() => [])
        : [];
      for (const r of rows) this.set({ chain: nameOf(r.chainId), kind: r.kind, status: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: "api_actions_oldest_due_seconds",
    help: "Seconds the oldest pending or sent action that is due has waited since it was recorded (0: none waiting)",
    labelNames: ["chain"],
    registers: [registry],
    async collect() {
      this.reset();
      const store = await getStore().catch(() => null);
      const now = new Date();
      for (const chain of actionChains()) {
        const [row] = store
          ? await store.db
              .select({ oldest: min(action.createdAt) })
              .from(action)
              .where(and(eq(action.chainId, chain.network.chainId), inArray(action.status, ["pending", "sent"]), lte(action.nextAttemptAt, now)))
              .catch(() => [])
          : [];
        const oldest = row?.oldest ? new Date(row.oldest) : null;
        this.set({ chain: chain.network.name }, oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0);
      }
    },
  });
}
