import { describe, expect, it } from "vitest";
import { lagBlocks, readiness, readyMaxLagBlocks } from "../../api/lag/lag.js";

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
