// After a seeded simulator run (2000 mixed operations: every contract function) on a fresh chain,
// the index equals the chain on PGlite and on PostgreSQL:
// (a) GET /api/reconciliation compares every figure a view can confirm and finds no difference;
// (b) a figure tampered with in the database (PostgreSQL) is reported, and only that one;
// (c) every table holds exactly the rows an independent replay of the raw logs gives
//     (test/helpers/expectations.ts), itself checked against the contracts' views.
// test/index/basic.test.ts covers hand-made edge cases through GraphQL; this file covers volume.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http } from "viem";
import { getTableColumns } from "drizzle-orm";
import { ReconciliationSchema, type ReconciliationJson } from "../../api/reconcile/schema.js";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import { writeDeployment, type Deployment } from "../../config/deployment.js";
import { deployLocal } from "../../devchain/local.js";
import { simulate, type SimulationResult } from "../../devchain/sim/simulator.js";
import { summarize, type Summary } from "../../devchain/sim/summary.js";
import { uniqueChainId } from "../helpers/chain.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { canonical, COMPARED_COLUMNS, expectedTables, viewMismatches, type Expected } from "../helpers/expectations.js";
import { chainLogs, logDigest, type ChainLog } from "../helpers/logs.js";
import { ROOT, startPonder, type PonderHandle } from "../helpers/ponder.js";
import { schemaTables, tableRows } from "../helpers/tables.js";

const SEED = 21;
const OPS = 2000;
/** Every operation of the mixed profile (devchain/sim/simulator.ts). */
const MIXED_OPS = [
  "createBooking", "completeBooking", "operatorComplete", "cancelBooking", "emergencyCancel", "timeJump", "createEvent", "purchase",
  "compTickets", "transferTicket", "checkIn", "completeEvent", "cancelEvent", "refund", "claimStake", "withdrawEarnings",
  "withdrawPlatformFees", "payQR", "payQRNative", "topUp", "settle", "botChange", "rateUpdate", "pauseCycle",
];
const TSX_CLI = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
/** A chain id no other run uses (see uniqueChainId). */
const CHAIN_ID = uniqueChainId();

let anvil: Anvil;
let deployment: Deployment;
let sim: SimulationResult;
let summary: Summary;
let logs: ChainLog[];
let expected: Expected;
let tmpDir: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  anvil = await startAnvil({ accounts: 40, chainId: CHAIN_ID });
  deployment = await deployLocal(anvil.rpcUrl, "local", CHAIN_ID);
  sim = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed: SEED, ops: OPS, profile: "mixed" });
  summary = await summarize(anvil.rpcUrl, deployment, sim);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-reconcile-"));
  const deploymentFile = writeDeployment(deployment, path.join(tmpDir, "deployment.json"));
  const indexing = Promise.all(
    backends
      .filter((b) => b.enabled)
      .map(async (b) => {
        const ponder = await startPonder({ deploymentFile, database: b.database, readyTimeoutMs: 300_000 });
        ponders.set(b.name, ponder);
        await ponder.waitForBlock(sim.toBlock, 300_000).catch((err: Error) => {
          throw new Error(`${b.name}: ${err.message}; log ${ponder.logFile}:\n${ponder.logTail()}`);
        });
      }),
  );
  const replay = (async () => {
    logs = await chainLogs(anvil.rpcUrl, deployment, sim.toBlock);
    const client = createPublicClient({ transport: http(anvil.rpcUrl, { batch: true }) });
    expected = await expectedTables(logs, deployment, client, sim.toBlock);
  })();
  await Promise.all([indexing, replay]);
}, 900_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await anvil?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable) await dropSyncRows(CHAIN_ID);
});

/** Removes this run's chain from PostgreSQL's shared `ponder_sync` (best effort: cleanup only). */
async function dropSyncRows(chainId: number) {
  const db = new pg.Client({ connectionString: PG_URL });
  try {
    await db.connect();
    const { rows } = await db.query<{ table_name: string }>(
      "select table_name from information_schema.columns where table_schema = 'ponder_sync' and column_name = 'chain_id'",
    );
    for (const { table_name } of rows) await db.query(`delete from ponder_sync."${table_name}" where chain_id = $1`, [chainId]);
  } catch {
    // nothing to clean, or no permission: leftover rows only cost space
  } finally {
    await db.end().catch(() => {});
  }
}

function ponderFor(name: string): PonderHandle {
  const ponder = ponders.get(name);
  if (!ponder) throw new Error(`ponder (${name}) did not start`);
  return ponder;
}

async function reconciliation(ponder: PonderHandle): Promise<ReconciliationJson> {
  const res = await fetch(`${ponder.url}/api/reconciliation`);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return ReconciliationSchema.parse(body);
}

function runReconcileScript(...args: string[]) {
  const run = spawnSync(process.execPath, [TSX_CLI, "scripts/reconcile.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** At least the figures of the entities the simulation created: a floor from the chain, not from the index. */
function minimumFigures(): number {
  const n = (o: object) => Object.keys(o).length;
  const tickets = Number(BigInt(summary.tickets.nextTokenId) - 1n);
  return (
    n(summary.bookingEscrow.bookings) * 7 + // getBooking: status, amount, parties, rates
    n(summary.tickets.events) * 11 + // getEvent (7) and eventSales (4)
    tickets * 5 + // ownerOf, checkedIn, checkInGate, claimableStake, ticketStake
    n(summary.paymentProcessor.payments) * 5 + // getPayment
    n(summary.qrPayment.orders) * 7 + // getOrder (6) and unsettledAmount
    n(summary.bookingEscrow.earnings) // earnings of every actor
  );
}

describe("the simulated chain", () => {
  it("used every function of the mixed profile without a revert", () => {
    expect(sim.failures).toEqual([]);
    for (const op of MIXED_OPS) expect(sim.opsDone[op], op).toBeGreaterThan(0);
  });

  it("the raw logs the expectation replays are exactly the ones the summary digested", () => {
    expect(logDigest(logs, BigInt(summary.fromBlock), BigInt(summary.toBlock))).toEqual({ count: summary.logs.count, digest: summary.logs.digest });
  });

  it("the expectation agrees with the contracts' own views", () => {
    expect(viewMismatches(expected, summary, deployment.tokens)).toEqual([]);
  });

  it("compares every table of ponder.schema.ts, on every column but the ids of append-only rows", () => {
    const tables = schemaTables();
    expect([...tables.keys()].sort()).toEqual(Object.keys(COMPARED_COLUMNS).sort());
    for (const [name, { table }] of tables) {
      const all = Object.keys(getTableColumns(table));
      const compared = COMPARED_COLUMNS[name]!;
      expect(compared.filter((c) => !all.includes(c)), name).toEqual([]);
      // An append-only row's id is its log's transaction hash and index, which are compared.
      expect(all.filter((c) => !compared.includes(c)), name).toEqual(all.includes("logIndex") ? ["id"] : []);
    }
  });
});

describe.each(backends)("index on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;

  run("reconciliation at the final block finds no difference among thousands of figures", async () => {
    const report = await reconciliation(ponderFor(name));
    expect(report.block).toBe(sim.toBlock.toString());
    // The head it compared against is named: the chain has not moved since, so nothing is behind.
    expect([report.head, report.lagBlocks]).toEqual([sim.toBlock.toString(), 0]);
    expect(report.differences).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(minimumFigures());
    // One chain served: its entry says the same.
    expect(report.chains).toMatchObject([{ chainId: CHAIN_ID, block: report.block, head: report.head, lagBlocks: 0, checked: report.checked, differences: 0 }]);
  });

  run("npm run reconcile agrees and exits 0", () => {
    const { status, stdout, stderr } = runReconcileScript("--url", ponderFor(name).url);
    expect(stderr).not.toMatch(/error:/);
    expect(stdout).toMatch(new RegExp(`block ${sim.toBlock} \\(chain head ${sim.toBlock}, 0 behind\\): \\d+ figures checked, 0 differences`));
    expect(status).toBe(0);
  });

  for (const table of Object.keys(COMPARED_COLUMNS)) {
    run(`table ${table} equals the replay of the chain's logs`, async () => {
      const rows = await tableRows(ponderFor(name), table, COMPARED_COLUMNS[table]!);
      expect(canonical(rows)).toEqual(canonical(expected.tables[table]!));
    });
  }
});

describe("a figure tampered with in the database", () => {
  const run = pgAvailable ? it : it.skip;

  run("is reported by reconciliation, alone, and makes npm run reconcile exit 1 (PostgreSQL)", async () => {
    const ponder = ponderFor("postgres");
    const [account, total] = Object.entries(summary.bookingEscrow.earnings).find(([, v]) => BigInt(v) > 0n)!;
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    // Ponder's live-query trigger on every onchain table records the change in this session temp
    // table, which only Ponder's own connections create.
    await db.query("CREATE TEMP TABLE IF NOT EXISTS live_query_tables (table_name TEXT PRIMARY KEY)");
    const table = `"${ponder.schema}"."account_earnings"`;
    try {
      const updated = await db.query(`UPDATE ${table} SET total = total + 1 WHERE account = $1`, [account.toLowerCase()]);
      expect(updated.rowCount).toBe(1);
      const report = await reconciliation(ponder);
      expect(report.differences).toEqual([
        { chainId: CHAIN_ID, contract: "BookingEscrow", view: "earnings", key: account.toLowerCase(), chain: total, index: (BigInt(total) + 1n).toString() },
      ]);
      const script = runReconcileScript("--url", ponder.url);
      expect(script.stdout).toContain(`[${CHAIN_ID}] BookingEscrow.earnings(${account.toLowerCase()}): chain ${total}, index ${BigInt(total) + 1n}`);
      expect(script.stdout).toMatch(/1 difference\b/);
      expect(script.stderr).toMatch(/error: the index differs from the chain in 1 figure/);
      expect(script.status).toBe(1);
    } finally {
      await db.query(`UPDATE ${table} SET total = total - 1 WHERE account = $1`, [account.toLowerCase()]);
      await db.end();
    }
    expect((await reconciliation(ponder)).differences).toEqual([]);
  });
});

describe("without a chain to read", () => {
  it("answers 502 chain_unavailable, and npm run reconcile says so and exits 1", async () => {
    const ponder = ponderFor("pglite");
    await anvil.stop();
    const res = await fetch(`${ponder.url}/api/reconciliation`);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(502);
    expect(body.error.code).toBe("chain_unavailable");
    const script = runReconcileScript("--url", ponder.url);
    expect(script.stderr).toMatch(/error: .*502 chain_unavailable/);
    expect(script.status).toBe(1);
  });
});
