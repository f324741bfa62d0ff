// npm run bench:backfill -- [--events N] [--db pglite|postgres|both] [--seed N]
// Backfill throughput and memory of `ponder start` from scratch over a simulated chain. Prints a
// table and writes .tmp/bench/backfill.json; it measures, it asserts nothing.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { intFlag, parseFlags, runCli } from "../cli/flags.js";
import { benchDatabases, PG_URL_HELP, redact } from "./lib/databases.js";
import { writeDeployment } from "../config/deployment.js";
import { ROOT, startPonder, uniqueSchema, type PonderDatabase } from "../test/helpers/ponder.js";
import { prepareChain, type BenchChain } from "./lib/chain.js";
import { ponderFigures, type PonderFigures } from "./lib/figures.js";
import { descendants, peakRss } from "./lib/memory.js";
import { scrape } from "./lib/prometheus.js";
import { deleteSyncRows, uniqueChainId } from "./lib/syncStore.js";

const USAGE = `usage: npm run bench:backfill -- [options]
  --events N      indexed events to put on chain first (default 100000)
  --db D          pglite, postgres or both (default both)
  --seed N        simulator seed (default 1)
${PG_URL_HELP}`;

const OUT_DIR = path.join(ROOT, ".tmp", "bench");
const OUT_FILE = path.join(OUT_DIR, "backfill.json");
/** A cold 100k-event backfill takes tens of seconds; this only catches a hung run. */
const RUN_TIMEOUT_MS = 60 * 60_000;

type DbKind = PonderDatabase["kind"];

type RunFigures = {
  database: DbKind;
  /** Events Ponder indexed (its own counter). */
  events: number;
  /** Spawn of `ponder start` until the last event block is indexed. */
  wallSeconds: number;
  wallEventsPerSecond: number;
  /** Spawn until /ready (backfill complete). */
  readySeconds: number;
  /** Ponder's historical loop (sync wait + indexing) and the indexing phase alone. */
  backfillSeconds: number;
  backfillEventsPerSecond: number;
  indexingSeconds: number;
  indexingEventsPerSecond: number;
  syncWaitSeconds: number;
  handlerSeconds: number;
  indexingSteps: PonderFigures["indexingSteps"];
  /** Peak resident set (VmHWM) of the Ponder process; PostgreSQL's own memory is not included. */
  peakRssMiB: number | null;
  /** Peak resident set of Ponder's helper processes (esbuild's service), summed. */
  helperPeakRssMiB: number | null;
  loadAverageAtStart: number;
  logFile: string;
};

const mib = (bytes: number | undefined) => (bytes === undefined ? null : Math.round((bytes / 2 ** 20) * 10) / 10);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const rate = (events: number, seconds: number) => (seconds > 0 ? Math.round(events / seconds) : 0);

async function measure(chain: BenchChain, deploymentFile: string, database: PonderDatabase): Promise<RunFigures> {
  const loadAverageAtStart = os.loadavg()[0]!;
  const started = performance.now();
  const ponder = await startPonder({ deploymentFile, database, schema: uniqueSchema("bench"), readyTimeoutMs: RUN_TIMEOUT_MS });
  try {
    const readySeconds = (performance.now() - started) / 1000;
    await ponder.waitForBlock(chain.lastEventBlock, RUN_TIMEOUT_MS);
    const wallSeconds = (performance.now() - started) / 1000;
    const figures = ponderFigures(await scrape(ponder.url));
    const helpers = descendants(ponder.pid).map(peakRss);
    const helperBytes = helpers.length > 0 && helpers.every((h) => h !== undefined) ? helpers.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
    const events = figures.indexedEvents;
    return {
      database: database.kind,
      events,
      wallSeconds: round(wallSeconds),
      wallEventsPerSecond: rate(events, wallSeconds),
      readySeconds: round(readySeconds),
      backfillSeconds: round(figures.backfillSeconds),
      backfillEventsPerSecond: rate(events, figures.backfillSeconds),
      indexingSeconds: round(figures.indexingSeconds),
      indexingEventsPerSecond: rate(events, figures.indexingSeconds),
      syncWaitSeconds: round(figures.syncWaitSeconds),
      handlerSeconds: round(figures.handlerSeconds),
      indexingSteps: Object.fromEntries(Object.entries(figures.indexingSteps).map(([k, v]) => [k, round(v)])),
      peakRssMiB: mib(peakRss(ponder.pid)),
      helperPeakRssMiB: mib(helperBytes),
      loadAverageAtStart: round(loadAverageAtStart),
      logFile: path.relative(ROOT, ponder.logFile),
    };
  } finally {
    await ponder.stop();
  }
}

function table(runs: RunFigures[]): string {
  const header = ["database", "events", "wall s", "ev/s", "backfill s", "ev/s", "indexing s", "ev/s", "sync wait s", "handlers s", "peak RSS MiB"];
  const rows = runs.map((r) => [
    r.database, r.events, r.wallSeconds, r.wallEventsPerSecond, r.backfillSeconds, r.backfillEventsPerSecond,
    r.indexingSeconds, r.indexingEventsPerSecond, r.syncWaitSeconds, r.handlerSeconds, r.peakRssMiB ?? "n/a",
  ].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

runCli(async () => {
  const flags = parseFlags({ events: { type: "string" }, db: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } }, USAGE);
  if (flags.help) return console.log(USAGE);
  const events = intFlag("events", flags.events, 100_000, 1);
  const seed = intFlag("seed", flags.seed, 1);
  const { databases, pgUrl } = await benchDatabases(flags.db, { postgresRequired: true });

  const chainId = uniqueChainId();
  console.error(`building chain ${chainId} with at least ${events} indexed events (seed ${seed}, bench profile)…`);
  const chain = await prepareChain({ events, seed, chainId, srcDir: path.join(ROOT, "src"), onProgress: (n) => console.error(`  ${n} events on chain`) });
  try {
    console.error(
      `chain: ${chain.events} indexed events (${chain.logs} logs) from ${chain.ops} ops, ${chain.transactions} transactions, ` +
        `last event block ${chain.lastEventBlock}, simulated in ${chain.simulateSeconds.toFixed(1)} s`,
    );
    mkdirSync(OUT_DIR, { recursive: true });
    const deploymentFile = writeDeployment(chain.deployment, path.join(OUT_DIR, "backfill-deployment.json"));

    const runs: RunFigures[] = [];
    for (const database of databases) {
      console.error(`ponder start on ${database.kind} from scratch…`);
      let run: RunFigures;
      try {
        run = await measure(chain, deploymentFile, database);
      } finally {
        if (database.kind === "postgres") await deleteSyncRows(database.url, chainId).catch((err: Error) => console.error(`  could not remove chain ${chainId} from ponder_sync: ${err.message}`));
      }
      if (run.events !== chain.events) console.error(`  note: Ponder indexed ${run.events} events, the chain has ${chain.events} with handlers`);
      runs.push(run);
    }

    const ponderVersion = (JSON.parse(readFileSync(path.join(ROOT, "node_modules", "ponder", "package.json"), "utf8")) as { version: string }).version;
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version, ponder: ponderVersion },
      chain: {
        chainId,
        seed,
        requestedEvents: events,
        events: chain.events,
        logs: chain.logs,
        ops: chain.ops,
        transactions: chain.transactions,
        lastEventBlock: Number(chain.lastEventBlock),
        simulateSeconds: round(chain.simulateSeconds),
      },
      ...(databases.some((d) => d.kind === "postgres") ? { postgres: redact(pgUrl) } : {}),
      runs,
    };
    writeFileSync(OUT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(table(runs));
    console.log(`\n${chain.events} events (${chain.logs} logs, ${chain.transactions} transactions); ${os.cpus().length} cores; figures in ${path.relative(ROOT, OUT_FILE)}`);
  } finally {
    await chain.anvil.stop();
  }
});
