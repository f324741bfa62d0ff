// Crash recovery: SIGKILL `ponder start` in the middle of a backfill and in the middle of live
// indexing with traffic flowing, restart the same build on the same schema / PGlite directory, and
// check that the result equals, row for row, an index that was never interrupted. On PGlite and
// PostgreSQL.
//
// Ponder facts this relies on (TOOLCHAIN.md): a restart finds the dead process's lock in
// `_ponder_meta` and waits until its heartbeat is 25 s old (heartbeats every 10 s, so 15–25 s), then
// logs "Detected crash recovery" and resumes from the last safe checkpoint.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDeployment } from "../../config/deployment.js";
import { simulate, type SimulationResult } from "../../devchain/sim/simulator.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { dumpCounts, dumpDifference, dumpIndex, type IndexDump } from "../helpers/dump.js";
import {
  dropPostgresSchema,
  dropSyncRows,
  indexedBlock,
  postgresReachable,
  startPonder,
  uniqueSchema,
  type PonderDatabase,
  type PonderHandle,
} from "../helpers/ponder.js";

const enabled = backends.filter((b) => b.enabled);

/** Enough traffic that the backfill takes several seconds (~6k logs). */
const BACKFILL_OPS = 2500;
/** Live traffic: one block per operation, a pause between blocks. */
const LIVE_OPS = 300;
const LIVE_INTERVAL_MS = 60;
/** Ponder's finality depth on chain ids it does not know: blocks deeper than this are backfilled. */
const FINALITY = 30n;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (p: PonderHandle) => p.process.exitCode === null && p.process.signalCode === null;

async function killNow(p: PonderHandle): Promise<void> {
  const exited = new Promise<void>((resolve) => (alive(p) ? p.process.once("exit", () => resolve()) : resolve()));
  p.kill();
  await exited;
  // The restart writes the same log file: keep the killed run's.
  copyFileSync(p.logFile, p.logFile.replace(/\.log$/, ".killed.log"));
}

/** Polls /status until `ready(block)`; fails if the process dies or `done(block)` comes first. */
async function waitForProgress(p: PonderHandle, ready: (block: number) => boolean, done: (block: number) => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(p)) throw new Error(`ponder exited; log ${p.logFile}:\n${p.logTail()}`);
    const block = await indexedBlock(p.url).catch(() => undefined);
    if (block !== undefined && done(block)) throw new Error(`ponder reached block ${block} before the kill`);
    if (block !== undefined && ready(block)) return block;
    await sleep(50);
  }
  throw new Error(`no progress within ${timeoutMs} ms; log ${p.logFile}:\n${p.logTail()}`);
}

type Outcome = { killedAt: number; killedLog: string; restartLog: string; recovered: IndexDump; reference: IndexDump };

const withLog = (p: PonderHandle) => (err: Error) => {
  throw new Error(`${err.message}; log ${p.logFile}:\n${p.logTail()}`);
};

let tmpDir: string;
const chains: TestChain[] = [];
const handles: PonderHandle[] = [];
/** Stops a handle at the end (and removes its data) unless the test already did. */
const track = (p: PonderHandle) => {
  handles.push(p);
  return p;
};

beforeAll(() => {
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-crash-"));
});

afterAll(async () => {
  await Promise.all(handles.map((p) => p.stop()));
  await Promise.all(chains.map((c) => c.stop()));
  if (pgAvailable) for (const c of chains) dropSyncRows(PG_URL, c.chain.id);
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
});

/**
 * Starts `victim`, kills it once `killWhen` says so, restarts it on the same schema / directory
 * while `reference` indexes without interruption, and dumps both at `head()`.
 */
async function crashAndRecover(
  database: PonderDatabase,
  deploymentFile: string,
  killWhen: (p: PonderHandle) => Promise<number>,
  finished: () => Promise<bigint>,
  reference?: PonderHandle,
): Promise<Outcome> {
  const schema = uniqueSchema("crash");
  const victim = await startPonder({ deploymentFile, database, schema, returnWhenHealthy: true, keepData: true });
  let restarted: PonderHandle | undefined;
  try {
    const killedAt = await killWhen(victim);
    await killNow(victim);
    const killedLog = readFileSync(victim.logFile.replace(/\.log$/, ".killed.log"), "utf8");
    // startPonder waits for /ready, so the restart includes the wait for the dead process's lock.
    const [ref, again] = await Promise.all([
      reference ?? startPonder({ deploymentFile, database, readyTimeoutMs: 180_000 }).then(track),
      startPonder({ deploymentFile, database, schema, pgliteDir: victim.pgliteDir, readyTimeoutMs: 180_000 }).then(track),
    ]);
    restarted = again;
    const head = await finished();
    await restarted.waitForBlock(head, 120_000).catch(withLog(restarted));
    await ref.waitForBlock(head, 120_000).catch(withLog(ref));
    return {
      killedAt,
      killedLog,
      restartLog: readFileSync(restarted.logFile, "utf8"),
      recovered: await dumpIndex(restarted.url),
      reference: await dumpIndex(ref.url),
    };
  } finally {
    // keepData held the victim's data for the restart; the restarted handle removes it on stop.
    if (!restarted) {
      await victim.stop();
      if (victim.pgliteDir) rmSync(victim.pgliteDir, { recursive: true, force: true });
      if (database.kind === "postgres") dropPostgresSchema(database.url, schema);
    }
  }
}

function expectRecovered(o: Outcome) {
  expect(o.restartLog).toContain("Detected crash recovery");
  expect(dumpDifference(o.recovered, o.reference, ["recovered", "uninterrupted"])).toBeUndefined();
  expect(dumpCounts(o.recovered)).toEqual(dumpCounts(o.reference));
  // The comparison is only worth something if the index holds the traffic.
  for (const table of ["booking", "ticket", "payment", "qr_payment", "check_in"]) expect(o.recovered.get(table)!.rows.length, table).toBeGreaterThan(0);
}

describe("SIGKILL during the backfill, then restart on the same schema", () => {
  let t: TestChain;
  let sim: SimulationResult;
  let backfillEnd: number;
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    t = await startTestChain({ chainId: uniqueChainId() });
    chains.push(t);
    sim = await simulate({ rpcUrl: t.anvil.rpcUrl, deployment: t.deployment, seed: 41, ops: BACKFILL_OPS, blockSize: 40 });
    if (sim.failures.length) throw new Error(`simulation: ${sim.failures.length} transactions reverted`);
    // Everything the simulator mined is final once 30 more blocks exist: Ponder backfills it.
    await t.testClient.mine({ blocks: Number(FINALITY) + 1 });
    const head = await t.publicClient.getBlockNumber({ cacheTime: 0 });
    backfillEnd = Number(head - FINALITY);
    const deploymentFile = writeDeployment(t.deployment, path.join(tmpDir, "backfill.json"));
    const startBlock = Math.min(...Object.values(t.deployment.contracts).map((c) => c.startBlock));
    await Promise.all(
      enabled.map(async (b) => {
        outcomes.set(
          b.name,
          await crashAndRecover(
            b.database,
            deploymentFile,
            // Some range indexed and committed, the backfill not finished.
            (p) => waitForProgress(p, (block) => block > startBlock, (block) => block >= backfillEnd),
            async () => head,
          ),
        );
      }),
    );
  }, 600_000);

  describe.each(backends)("on $name", ({ name, enabled }) => {
    const run = enabled ? it : it.skip;
    run("was killed mid-backfill and recovers to exactly the uninterrupted index", () => {
      const o = outcomes.get(name);
      if (!o) throw new Error(`no outcome for ${name}`);
      expect(o.killedAt).toBeLessThan(backfillEnd);
      expect(o.killedLog).toContain("Started backfill indexing");
      expect(o.killedLog).not.toContain("Completed backfill indexing");
      expectRecovered(o);
      expect(o.recovered.get("booking")!.rows).toHaveLength(sim.bookingIds.length);
    });
  });
});

describe("SIGKILL during live indexing with traffic flowing, then restart on the same schema", () => {
  let t: TestChain;
  let sim: SimulationResult;
  let liveFrom: bigint;
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    t = await startTestChain({ chainId: uniqueChainId() });
    chains.push(t);
    const deploymentFile = writeDeployment(t.deployment, path.join(tmpDir, "live.json"));
    liveFrom = await t.publicClient.getBlockNumber({ cacheTime: 0 });
    // The uninterrupted runs follow the chain live from before the first transaction.
    const references = new Map<string, PonderHandle>();
    await Promise.all(enabled.map(async (b) => references.set(b.name, track(await startPonder({ deploymentFile, database: b.database })))));
    let traffic: Promise<SimulationResult> | undefined;
    const startTraffic = () =>
      (traffic ??= simulate({ rpcUrl: t.anvil.rpcUrl, deployment: t.deployment, seed: 42, ops: LIVE_OPS, blockSize: 20, intervalMs: LIVE_INTERVAL_MS }));
    const finished = async () => {
      sim = await startTraffic();
      if (sim.failures.length) throw new Error(`simulation: ${sim.failures.length} transactions reverted`);
      return sim.toBlock;
    };
    await Promise.all(
      enabled.map(async (b) => {
        outcomes.set(
          b.name,
          await crashAndRecover(
            b.database,
            deploymentFile,
            async (p) => {
              // Live once /ready answers (the backfill is over). The traffic starts then rather than
              // once the victim has caught up: on an idle chain a lagging indexer was seen to sit
              // below the head for a minute, and new blocks are what it polls for.
              await p.waitForReady();
              void startTraffic();
              // Killed while the simulator is still sending, well into its traffic.
              return waitForProgress(p, (block) => block >= Number(liveFrom) + 15, () => false, 180_000);
            },
            finished,
            references.get(b.name),
          ),
        );
      }),
    );
  }, 600_000);

  describe.each(backends)("on $name", ({ name, enabled }) => {
    const run = enabled ? it : it.skip;
    run("was killed with traffic flowing and recovers to exactly the uninterrupted index", () => {
      const o = outcomes.get(name);
      if (!o) throw new Error(`no outcome for ${name}`);
      expect(o.killedLog).toContain("Started live indexing");
      expect(BigInt(o.killedAt)).toBeLessThan(sim.toBlock); // traffic went on after the kill
      expectRecovered(o);
      expect(o.recovered.get("booking")!.rows).toHaveLength(sim.bookingIds.length);
    });
  });
});
