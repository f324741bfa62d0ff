// A backfill behind an RPC that fails 5% of calls with HTTP 429 (a seeded proxy of the test's own
// in front of anvil), then stops failing. Ponder's own client for an RPC URL would see every 429
// and lower its request rate for minutes (config/rpc.ts); through the indexer's transport the
// faults are retried before Ponder's limiter sees them, so none of them reaches it and the
// backfill runs at the provider's pace. The RPC is the same whatever the database: PGlite only.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDeployment } from "../../config/deployment.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { indexedBlock, startPonder, type PonderHandle } from "../helpers/ponder.js";
import { startRpcProxy, type RpcProxy } from "../helpers/rpc-proxy.js";

const FAULT_PHASE_MS = 20_000;
const MIN_FAULTS = 8;
const MAX_FAULT_PHASE_MS = 150_000;

let chain: TestChain;
let tmpDir: string;
let proxy: RpcProxy;
let ponder: PonderHandle;
let head: bigint;

beforeAll(async () => {
  chain = await startTestChain({ chainId: uniqueChainId() });
  // One transaction a block: some 550 blocks with logs, each fetched on its own.
  const sim = await simulate({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, seed: 31, ops: 400, profile: "mixed", blockSize: 1 });
  if (sim.failures.length > 0) throw new Error(`simulator: ${sim.failures.length} transactions failed`);
  head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-rpc-faults-"));
  proxy = await startRpcProxy(chain.anvil.rpcUrl, { failRate: 0.05, mode: "429", seed: 7 });
}, 300_000);

afterAll(async () => {
  await ponder?.stop();
  await proxy?.close();
  await chain?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
});

/** Ponder's count of RPC requests that failed in its own RPC layer (after our transport's retries). */
async function ponderRpcErrors(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((l) => l.startsWith("ponder_rpc_request_error_total{"))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

describe("a backfill behind an RPC failing 5% of calls with 429, then healthy", () => {
  it("no fault reaches Ponder's rate limiter, and the backfill finishes once the faults stop", async () => {
    const deploymentFile = writeDeployment({ ...chain.deployment, rpcUrl: proxy.url }, path.join(tmpDir, "deployment.json"));
    const started = Date.now();
    ponder = await startPonder({ deploymentFile, returnWhenHealthy: true });
    // At least FAULT_PHASE_MS, and until enough calls have failed: on a loaded machine Ponder's
    // start can take most of that time, leaving too few calls for 5% of them to be a sample.
    while (Date.now() - started < FAULT_PHASE_MS || (proxy.counts().failed < MIN_FAULTS && Date.now() - started < MAX_FAULT_PHASE_MS)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    proxy.setFailRate(0);
    const during = proxy.counts();
    const atHeal = await indexedBlock(ponder.url).catch(() => undefined);
    const healed = Date.now();
    await ponder.waitForBlock(head, 180_000);
    console.log(
      `faults: ${during.failed} of ${during.failed + during.forwarded} calls failed in the first ${Math.round((healed - started) / 1000)} s (indexed ${atHeal ?? "-"} of ${head} then); ` +
        `the backfill finished ${Math.round((Date.now() - healed) / 1000)} s after they stopped`,
    );
    expect(during.failed, "the proxy did fail calls").toBeGreaterThanOrEqual(MIN_FAULTS);
    expect(await ponderRpcErrors(ponder.url), "errors that reached Ponder's RPC layer").toBe(0);
  }, 400_000);
});
