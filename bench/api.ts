// npm run bench:api -- [--db pglite|postgres|both] [--rate N] [--sign-rate N] [--duration S] [--clients N] [--ops N] [--seed N]
// Latency and throughput of the HTTP API under a load generator (autocannon): a GraphQL query, the
// REST reads and booking signatures, each at a fixed request rate (p50/p90/p99) and then as fast as
// the server answers (max throughput), against `ponder start` on PGlite and on PostgreSQL over a
// simulated chain. Prints a table and writes .tmp/bench/api.json; it measures, it asserts nothing.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAnvil } from "../devchain/anvil.js";
import { intFlag, parseFlags, runCli } from "../cli/flags.js";
import { benchDatabases, PG_URL_HELP, redact } from "./lib/databases.js";
import { writeDeployment } from "../config/deployment.js";
import { deployLocal } from "../devchain/local.js";
import { simulate } from "../devchain/sim/simulator.js";
import { ROOT, startPonder, uniqueSchema, type PonderDatabase } from "../test/helpers/ponder.js";
import { load, type LoadFigures } from "./lib/api-load.js";
import { hasSigning, indexedIds, readTargets, signingTarget, type Target } from "./lib/api-targets.js";
import { deleteSyncRows, uniqueChainId } from "./lib/syncStore.js";

const USAGE = `usage: npm run bench:api -- [options]
  --db D          pglite, postgres or both (default both)
  --rate N        requests per second for the fixed-rate reads (default 50)
  --sign-rate N   requests per second for the fixed-rate signing run (default 20)
  --duration S    seconds per fixed-rate run; max-throughput runs take half (default 10)
  --clients N     signed-in clients (connections) for signing (default 10)
  --ops N         simulator operations before indexing (default 400)
  --seed N        simulator seed (default 1)
${PG_URL_HELP}`;

const OUT_DIR = path.join(ROOT, ".tmp", "bench");
const OUT_FILE = path.join(OUT_DIR, "api.json");
/** Connections for the read runs: enough that a slow answer does not hold back the fixed rate. */
const READ_CONNECTIONS = 10;
const WARMUP_SECONDS = 2;

type Row = { database: PonderDatabase["kind"]; target: string; mode: "fixed rate" | "max"; figures: LoadFigures };

type Settings = { rate: number; signRate: number; duration: number; clients: number };

async function measureTarget(url: string, database: Row["database"], target: Target, rate: number, connections: number, s: Settings): Promise<Row[]> {
  const base = { url, requests: target.requests, connections, connectionHeaders: target.connectionHeaders };
  await load({ ...base, durationSeconds: WARMUP_SECONDS, rate });
  console.error(`  ${target.name}: ${rate} req/s for ${s.duration} s, then unthrottled for ${Math.ceil(s.duration / 2)} s`);
  const fixed = await load({ ...base, durationSeconds: s.duration, rate });
  const max = await load({ ...base, durationSeconds: Math.ceil(s.duration / 2) });
  return [
    { database, target: target.name, mode: "fixed rate", figures: fixed },
    { database, target: target.name, mode: "max", figures: max },
  ];
}

async function measureDatabase(deploymentFile: string, head: bigint, database: PonderDatabase, s: Settings): Promise<{ rows: Row[]; notes: string[] }> {
  const ponder = await startPonder({
    deploymentFile,
    database,
    schema: uniqueSchema("benchapi"),
    readyTimeoutMs: 300_000,
    // The benchmark measures signing, not the per-client limit (default 10 a minute).
    env: { SIGNING_RATE_LIMIT_PER_MINUTE: "1000000", SIGN_IN_RATE_LIMIT_PER_MINUTE: "1000000" },
  });
  const notes: string[] = [];
  try {
    await ponder.waitForBlock(head, 300_000);
    const rows: Row[] = [];
    for (const target of readTargets(await indexedIds(ponder.url))) rows.push(...(await measureTarget(ponder.url, database.kind, target, s.rate, READ_CONNECTIONS, s)));
    if (await hasSigning(ponder.url)) {
      rows.push(...(await measureTarget(ponder.url, database.kind, await signingTarget(ponder.url, s.clients), s.signRate, s.clients, s)));
    } else {
      notes.push(`${database.kind}: the API has no POST /api/sign/booking yet; signing was not measured`);
    }
    return { rows, notes };
  } finally {
    await ponder.stop();
  }
}

function table(rows: Row[]): string {
  const header = ["database", "target", "mode", "asked req/s", "2xx/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx", "errors"];
  const cells = rows.map((r) => {
    const f = r.figures;
    const non2xx = Object.entries(f.statuses).filter(([code]) => !code.startsWith("2")).map(([code, n]) => `${code}×${n}`).join(" ") || "0";
    return [r.database, r.target, r.mode, f.targetRate ?? "-", f.okPerSecond, f.latencyMs.p50, f.latencyMs.p90, f.latencyMs.p99, f.latencyMs.max, non2xx, f.errors].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i < 3 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  return [line(header), ...cells.map(line)].join("\n");
}

runCli(async () => {
  const flags = parseFlags(
    {
      db: { type: "string" },
      rate: { type: "string" },
      "sign-rate": { type: "string" },
      duration: { type: "string" },
      clients: { type: "string" },
      ops: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) return console.log(USAGE);
  const settings: Settings = {
    rate: intFlag("rate", flags.rate, 50, 1),
    signRate: intFlag("sign-rate", flags["sign-rate"], 20, 1),
    duration: intFlag("duration", flags.duration, 10, 1),
    clients: intFlag("clients", flags.clients, 10, 1),
  };
  const ops = intFlag("ops", flags.ops, 400, 1);
  const seed = intFlag("seed", flags.seed, 1);
  const { databases, pgUrl } = await benchDatabases(flags.db);

  // A chain id of its own: Ponder's ponder_sync rows on a shared PostgreSQL are keyed by chain id (bench/lib/syncStore.ts).
  const chainId = uniqueChainId();
  const anvil = await startAnvil({ accounts: 60, chainId });
  try {
    console.error(`chain ${chainId}: deploying and simulating ${ops} operations (seed ${seed})…`);
    const deployment = await deployLocal(anvil.rpcUrl, "local", chainId);
    const sim = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed, ops, profile: "mixed" });
    if (sim.failures.length > 0) throw new Error(`${sim.failures.length} simulated transactions reverted`);
    mkdirSync(OUT_DIR, { recursive: true });
    const deploymentFile = writeDeployment(deployment, path.join(OUT_DIR, "api-deployment.json"));

    const rows: Row[] = [];
    const notes: string[] = [];
    const loadAverages: Record<string, number> = {};
    for (const database of databases) {
      console.error(`ponder start on ${database.kind}…`);
      loadAverages[database.kind] = Math.round(os.loadavg()[0]! * 100) / 100;
      try {
        const run = await measureDatabase(deploymentFile, sim.toBlock, database, settings);
        rows.push(...run.rows);
        notes.push(...run.notes);
      } finally {
        if (database.kind === "postgres") await deleteSyncRows(database.url, chainId).catch((err: Error) => console.error(`  could not remove chain ${chainId} from ponder_sync: ${err.message}`));
      }
    }

    const ponderVersion = (JSON.parse(readFileSync(path.join(ROOT, "node_modules", "ponder", "package.json"), "utf8")) as { version: string }).version;
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", node: process.version, ponder: ponderVersion },
      chain: { chainId, seed, ops, transactions: sim.transactions, toBlock: Number(sim.toBlock) },
      settings,
      loadAverageAtStart: loadAverages,
      ...(databases.some((d) => d.kind === "postgres") ? { postgres: redact(pgUrl) } : {}),
      rows,
      notes,
    };
    writeFileSync(OUT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(table(rows));
    for (const note of notes) console.log(`note: ${note}`);
    console.log(`\n${os.cpus().length} cores; load generator in the same machine; figures in ${path.relative(ROOT, OUT_FILE)}`);
  } finally {
    await anvil.stop();
  }
});
