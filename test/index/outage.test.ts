// A database outage during live traffic, on PostgreSQL: a TCP proxy of the test's own between the
// app and PostgreSQL is cut for 10 s while blocks keep coming.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDeployment } from "../../config/deployment.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { dropSyncRows, indexedBlock, startPonder, type PonderHandle } from "../helpers/ponder.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

let chain: TestChain;
let tmpDir: string;
let proxy: TcpProxy;
let ponder: PonderHandle;

beforeAll(async () => {
  if (!pgAvailable) return;
  chain = await startTestChain({ chainId: uniqueChainId() });
  const sim = await simulate({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, seed: 21, ops: 40, profile: "mixed" });
  if (sim.failures.length > 0) throw new Error(`simulator: ${sim.failures.length} transactions failed`);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-outage-"));
  const deploymentFile = writeDeployment(chain.deployment, path.join(tmpDir, "deployment.json"));
  const pgUrl = new URL(PG_URL);
  proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  ponder = await startPonder({ deploymentFile, database: { kind: "postgres", url: proxy.url(PG_URL) } });
  await ponder.waitForBlock(await chain.publicClient.getBlockNumber({ cacheTime: 0 }), 120_000);
}, 300_000);

afterAll(async () => {
  await ponder?.stop();
  await proxy?.close();
  await chain?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable && chain) dropSyncRows(PG_URL, chain.chain.id);
});

describe("a 10 s database cut during live traffic (PostgreSQL)", () => {
  (pgAvailable ? it : it.skip)("indexing resumes by itself; requests during the cut get 503, never 500", async () => {
    let mining = true;
    const miner = (async () => {
      while (mining) {
        await chain.testClient.mine({ blocks: 1 });
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const statuses: string[] = [];
    await new Promise((r) => setTimeout(r, 2_000));
    proxy.cut();
    const cutAt = Date.now();
    while (Date.now() - cutAt < 10_000) {
      for (const p of ["/graphql", "/api/ready", "/status"]) {
        const res = await fetch(`${ponder.url}${p}`, p === "/graphql" ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ bookings(limit: 1) { items { id } } }" }) } : {}).catch((e: Error) => e);
        statuses.push(`${p} ${res instanceof Error ? res.message : res.status}`);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    proxy.restore();
    console.log(statuses.join("\n"));
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    for (let i = 0; i < 60; i++) {
      console.log(`t+${i * 2}s indexed ${await indexedBlock(ponder.url)} head ${await chain.publicClient.getBlockNumber({ cacheTime: 0 })}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
    mining = false;
    await miner;
    await ponder.waitForBlock(head, 10_000);
    expect(ponder.process.exitCode).toBeNull();
  }, 300_000);
});
