// A test chain indexed by one `ponder start` per enabled backend (PGlite, PostgreSQL), for suites
// that read the API over a chain they set up themselves.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeDeployment } from "../../config/deployment.js";
import { backends, PG_URL, pgAvailable } from "./backends.js";
import type { TestChain } from "./chain.js";
import { dropSyncRows, startPonder, type PonderHandle } from "./ponder.js";

export type Indexed = { ponders: Map<string, PonderHandle>; stop(): Promise<void> };

/** Starts the ponders on `chain`'s deployment and waits until each has indexed its current head. */
export async function indexChain(chain: TestChain, label: string): Promise<Indexed> {
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const tmp = mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  const deploymentFile = writeDeployment({ ...chain.deployment, rpcUrl: chain.anvil.rpcUrl }, path.join(tmp, "local.json"));
  const ponders = new Map<string, PonderHandle>();
  const stop = async () => {
    await Promise.all([...ponders.values()].map((p) => p.stop()));
    rmSync(tmp, { recursive: true, force: true });
    if (pgAvailable) dropSyncRows(PG_URL, chain.anvil.chainId);
  };
  try {
    await Promise.all(
      backends
        .filter((b) => b.enabled)
        .map(async (b) => {
          const ponder = await startPonder({ deploymentFile, database: b.database });
          ponders.set(b.name, ponder);
          await ponder.waitForBlock(head);
        }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { ponders, stop };
}
