import { describe, expect, it } from "vitest";
import { chainsReadiness, lagBlocks, readiness, readyMaxLagBlocks, type Observations } from "../../api/lag/lag.js";
import { registerLagMetrics } from "../../api/lag/metrics.js";
import { observer } from "../../api/lag/observe.js";
import { readinessRouter } from "../../api/lag/route.js";
import type { IndexDb } from "../../api/reconcile/collect.js";
import { Registry } from "prom-client";
import type { PublicClient } from "viem";

describe("readiness", () => {
  it("is ready only with the backfill done and the index within the bound of a head the chain reported", () => {
    expect(readiness({ backfillDone: true, head: 120n, indexed: 100n }, 20)).toEqual({ ready: true, lagBlocks: 20 });
    expect(readiness({ backfillDone: true, head: 121n, indexed: 100n }, 20)).toMatchObject({ ready: false, reason: "lagging", lagBlocks: 21 });
    expect(readiness({ backfillDone: false, head: 100n, indexed: 100n }, 20)).toMatchObject({ ready: false, reason: "backfilling", lagBlocks: 0 });
    expect(readiness({ backfillDone: true, head: null, indexed: 100n }, 20)).toMatchObject({ ready: false, reason: "chain_unavailable", lagBlocks: null });
    expect(readiness({ backfillDone: true, head: 100n, indexed: null }, 20)).toMatchObject({ ready: false, reason: "no_checkpoint" });
  });

  it("counts no lag when the index has seen a block the RPC has not reported yet", () => {
    expect(lagBlocks(99n, 100n)).toBe(0);
    expect(readiness({ backfillDone: true, head: 99n, indexed: 100n }, 0)).toEqual({ ready: true, lagBlocks: 0 });
  });

  it("reads READY_MAX_LAG_BLOCKS, naming it when wrong", () => {
    expect(readyMaxLagBlocks({})).toBe(20);
    expect(readyMaxLagBlocks({ READY_MAX_LAG_BLOCKS: "0" })).toBe(0);
    expect(() => readyMaxLagBlocks({ READY_MAX_LAG_BLOCKS: "-1" })).toThrow(/READY_MAX_LAG_BLOCKS/);
  });
});

describe("readiness of several chains", () => {
  const chain = (name: string, chainId: number, head: bigint | null, indexed: bigint | null) => ({ chain: name, chainId, head, indexed });

  it("is ready only when every chain is, with each chain's figures in served order", () => {
    const verdict = chainsReadiness({ backfillDone: true, chains: [chain("local", 31337, 120n, 100n), chain("local-2", 31338, 50n, 51n)] }, 20);
    expect(verdict).toEqual({
      ready: true,
      chains: [
        { chain: "local", chainId: 31337, head: 120n, indexed: 100n, lagBlocks: 20 },
        { chain: "local-2", chainId: 31338, head: 50n, indexed: 51n, lagBlocks: 0 },
      ],
    });
  });

  it("names the first chain that is not ready, and judges every chain", () => {
    const verdict = chainsReadiness(
      { backfillDone: true, chains: [chain("local", 31337, 100n, 100n), chain("local-2", 31338, 140n, 100n), chain("base", 8453, null, 7n)] },
      20,
    );
    expect(verdict).toMatchObject({
      ready: false,
      reason: "lagging",
      message: "the index of local-2 (chain 31338) is 40 blocks behind the chain head (140), more than READY_MAX_LAG_BLOCKS (20)",
      first: { chain: "local-2", chainId: 31338, head: 140n, indexed: 100n, readiness: { ready: false, reason: "lagging", lagBlocks: 40 } },
    });
    if (verdict.ready) throw new Error("unreachable");
    expect(verdict.chains.map((c) => [c.chain, c.readiness.ready ? "ready" : c.readiness.reason])).toEqual([
      ["local", "ready"],
      ["local-2", "lagging"],
      ["base", "chain_unavailable"],
    ]);
  });

  it("names the chain in every reason: no checkpoint, unknown head, the (global) backfill", () => {
    const noCheckpoint = chainsReadiness({ backfillDone: true, chains: [chain("local", 31337, 10n, 10n), chain("local-2", 31338, 10n, null)] }, 20);
    expect(noCheckpoint).toMatchObject({ ready: false, reason: "no_checkpoint", message: "the index of local-2 (chain 31338) has not recorded a block yet" });
    const noHead = chainsReadiness({ backfillDone: true, chains: [chain("base", 8453, null, 10n)] }, 20);
    expect(noHead).toMatchObject({ ready: false, reason: "chain_unavailable", message: expect.stringContaining("the RPC of base (chain 8453) did not report its head") });
    // The backfill flag is one for the whole index: the first chain is the one named.
    const backfilling = chainsReadiness({ backfillDone: false, chains: [chain("local", 31337, 10n, 5n), chain("local-2", 31338, 10n, 10n)] }, 20);
    expect(backfilling).toMatchObject({ ready: false, reason: "backfilling", message: expect.stringContaining("local (chain 31337)"), first: { chain: "local" } });
    expect(() => chainsReadiness({ backfillDone: true, chains: [] }, 20)).toThrow(/no chain/);
  });

  it("keeps one chain's verdict as readiness() gives it", () => {
    const one = chainsReadiness({ backfillDone: true, chains: [chain("local", 31337, 121n, 100n)] }, 20);
    expect(one).toMatchObject({ ready: false, reason: "lagging", first: { readiness: readiness({ backfillDone: true, head: 121n, indexed: 100n }, 20, "local (chain 31337)") } });
  });
});

describe("GET /api/ready over several chains", () => {
  const observed = (chains: Observations["chains"], backfillDone = true) => async (): Promise<Observations> => ({ backfillDone, chains });

  it("200 keeps the first chain's figures at the top and lists every chain", async () => {
    const app = readinessRouter(
      observed([
        { chain: "local", chainId: 31337, head: 120n, indexed: 110n },
        { chain: "local-2", chainId: 31338, head: 30n, indexed: 30n },
      ]),
      20,
    );
    const res = await app.request("/api/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ready: true,
      chain: "local",
      head: "120",
      indexed: "110",
      lagBlocks: 10,
      maxLagBlocks: 20,
      chains: [
        { chain: "local", chainId: 31337, head: "120", indexed: "110", lagBlocks: 10 },
        { chain: "local-2", chainId: 31338, head: "30", indexed: "30", lagBlocks: 0 },
      ],
    });
  });

  it("503 names the first chain that is not ready; details carry its figures and every chain's", async () => {
    const app = readinessRouter(
      observed([
        { chain: "local", chainId: 31337, head: 120n, indexed: 110n },
        { chain: "local-2", chainId: 31338, head: 140n, indexed: 100n },
      ]),
      20,
    );
    const res = await app.request("/api/ready");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({
      error: {
        code: "lagging",
        message: "the index of local-2 (chain 31338) is 40 blocks behind the chain head (140), more than READY_MAX_LAG_BLOCKS (20)",
        details: {
          chain: "local-2",
          chainId: 31338,
          head: "140",
          indexed: "100",
          lagBlocks: 40,
          maxLagBlocks: 20,
          chains: [
            { chain: "local", chainId: 31337, head: "120", indexed: "110", lagBlocks: 10, ready: true, reason: null },
            { chain: "local-2", chainId: 31338, head: "140", indexed: "100", lagBlocks: 40, ready: false, reason: "lagging" },
          ],
        },
      },
    });
  });

  it("503 database_unavailable when the index cannot be read", async () => {
    const app = readinessRouter(() => Promise.reject(new Error("the database did not answer within 3000 ms")), 20);
    const res = await app.request("/api/ready");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("database_unavailable");
  });
});

describe("observing several chains", () => {
  /** A Ponder checkpoint of a fully indexed block. */
  const checkpoint = (chainId: number, block: bigint) => `1700000000${String(chainId).padStart(16, "0")}${block.toString().padStart(16, "0")}${"9".repeat(16)}5${"0".repeat(16)}`;
  // One answer for both queries: _ponder_checkpoint's columns and _ponder_meta's.
  const db = {
    execute: async () => ({
      rows: [
        { chain_name: "local", latest_checkpoint: checkpoint(31337, 100n), value: { is_ready: 1 } },
        { chain_name: "local-2", latest_checkpoint: checkpoint(31338, 50n), value: null },
      ],
    }),
  } as unknown as IndexDb;
  const client = (head: () => Promise<bigint>) => ({ getBlockNumber: head }) as unknown as PublicClient;
  const deps = () => [
    { db, client: client(async () => 120n), chainId: 31337, chainName: "local" },
    { db, client: client(() => Promise.reject(new Error("connection refused"))), chainId: 31338, chainName: "local-2" },
  ];

  it("reads each chain's checkpoint by its name and its head from its own client; the backfill flag once", async () => {
    expect(await observer(deps)()).toEqual({
      backfillDone: true,
      chains: [
        { chain: "local", chainId: 31337, head: 120n, indexed: 100n },
        { chain: "local-2", chainId: 31338, head: null, indexed: 50n },
      ],
    });
  });

  it("puts one sample per chain on /metrics, labelled with the chain's name", async () => {
    const registry = new Registry();
    const common = globalThis as { PONDER_COMMON?: unknown };
    const before = common.PONDER_COMMON;
    common.PONDER_COMMON = { metrics: { registry } };
    try {
      registerLagMetrics(observer(deps));
      const text = await registry.metrics();
      expect(text).toMatch(/^api_indexed_block\{chain="local"\} 100$/m);
      expect(text).toMatch(/^api_indexed_block\{chain="local-2"\} 50$/m);
      expect(text).toMatch(/^api_chain_head_block\{chain="local"\} 120$/m);
      expect(text).toMatch(/^api_index_lag_blocks\{chain="local"\} 20$/m);
      // No head for local-2: no head or lag sample for it, rather than a made-up one.
      expect(text).not.toMatch(/^api_(chain_head_block|index_lag_blocks)\{chain="local-2"\}/m);
    } finally {
      common.PONDER_COMMON = before;
    }
  });
});
