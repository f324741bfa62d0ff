// npm run bench:hostile -- [--db pglite|postgres|both] [--duration S] [--ops N]
// What ten hostile reads in flight cost everyone else: /health, a normal GraphQL query and a new
// block's way into the index (mined → in /status), measured quiet first (the floor, same process,
// same run) and then while ten hostile requests are kept in flight: six 150⁴-row cross joins over
// /sql/db (refused by the default work bound; in a second PostgreSQL run SQL_MAX_ROWS is lifted so
// they run until SQL_TIMEOUT_MS stops them), two queries failing on the data, two GraphQL
// operations near GRAPHQL_MAX_COST. Target: probes within 1 s, a block within the polling
// interval + 1 s. Prints a table and writes .tmp/bench/hostile.json; it measures, it asserts nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestClient, createPublicClient, http } from "viem";
import { intFlag, parseFlags, runCli } from "../cli/flags.js";
import { writeDeployment } from "../config/deployment.js";
import { startAnvil } from "../devchain/anvil.js";
import { deployLocal } from "../devchain/local.js";
import { simulate } from "../devchain/sim/simulator.js";
import { indexedBlock, ROOT, startPonder, uniqueSchema, type PonderDatabase } from "../test/helpers/ponder.js";
import { benchDatabases, PG_URL_HELP } from "./lib/databases.js";
import { deleteSyncRows, uniqueChainId } from "./lib/syncStore.js";

const USAGE = `usage: npm run bench:hostile -- [options]
  --db D          pglite, postgres or both (default both)
  --duration S    seconds of each phase, quiet and hostile (default 15)
  --ops N         simulator operations before indexing (default 200)
${PG_URL_HELP}`;
const OUT_DIR = path.join(ROOT, ".tmp", "bench");
const POLLING_MS = 200; // what startPonder configures

const values = `(values ${Array.from({ length: 150 }, (_, i) => `(${i})`).join(",")})`;
const sqlUrl = (base: string, sql: string) => `${base}/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql, params: [] } }))}`;
const gql = (query: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
const hostileRequests = (base: string): [string, RequestInit?][] => [
  ...Array.from({ length: 6 }, (_, i): [string] => [sqlUrl(base, `select count(*) as h${i} from ${values} a(x), ${values} b(x), ${values} c(x), ${values} d(x)`)]),
  [sqlUrl(base, "select 1 / (count(*) - count(*)) as x from booking_history")],
  [sqlUrl(base, "select 1 / (count(*) - count(*)) as x from booking_history")],
  [`${base}/graphql`, gql("{ bookingHistorys(limit: 1000) { items { id booking { id } } } }")],
  [`${base}/graphql`, gql("{ bookingHistorys(limit: 1000) { items { id booking { id } } } }")],
];

type Figures = { n: number; p50: number; p95: number; max: number };
const figures = (ms: number[]): Figures => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.at(-1) ?? NaN };
};

async function timedFetch(url: string, init?: RequestInit): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return performance.now() - started;
}

type Phase = { health: Figures; graphql: Figures; block: Figures; hostileAnswered: number; hostileStatuses: Record<string, number> };

async function phase(base: string, rpcUrl: string, seconds: number, hostile: boolean): Promise<Phase> {
  const test = createTestClient({ mode: "anvil", transport: http(rpcUrl) });
  const chain = createPublicClient({ transport: http(rpcUrl) });
  const until = Date.now() + seconds * 1000;
  const statuses: Record<string, number> = {};
  let answered = 0;
  const keepInFlight = async ([url, init]: [string, RequestInit?]) => {
    while (Date.now() < until) {
      const res = await fetch(url, init).catch(() => null);
      const key = String(res?.status ?? "error");
      statuses[key] = (statuses[key] ?? 0) + 1;
      answered++;
      await res?.arrayBuffer().catch(() => undefined);
    }
  };
  const load = hostile ? hostileRequests(base).map(keepInFlight) : [];
  const health: number[] = [];
  const graphql: number[] = [];
  const block: number[] = [];
  const probes = (async () => {
    while (Date.now() < until) {
      health.push(await timedFetch(`${base}/health`));
      graphql.push(await timedFetch(`${base}/graphql`, gql("{ bookings(limit: 5) { items { id status } } }")));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const blocks = (async () => {
    while (Date.now() < until - 3000) {
      await test.mine({ blocks: 1 });
      const mined = Number(await chain.getBlockNumber({ cacheTime: 0 }));
      const at = performance.now();
      while (((await indexedBlock(base)) ?? 0) < mined && performance.now() - at < 30_000) await new Promise((r) => setTimeout(r, 20));
      block.push(performance.now() - at);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  await Promise.all([probes, blocks, ...load]);
  return { health: figures(health), graphql: figures(graphql), block: figures(block), hostileAnswered: answered, hostileStatuses: statuses };
}

runCli(async () => {
  const flags = parseFlags({ db: { type: "string" }, duration: { type: "string" }, ops: { type: "string" }, help: { type: "boolean" } }, USAGE);
  if (flags.help) return console.log(USAGE);
  const seconds = intFlag("duration", flags.duration, 15, 5);
  const ops = intFlag("ops", flags.ops, 200, 1);
  const { databases } = await benchDatabases(flags.db);

  const chainId = uniqueChainId();
  const anvil = await startAnvil({ accounts: 60, chainId });
  const rows: { database: string; quiet: Phase; hostile: Phase }[] = [];
  try {
    const deployment = await deployLocal(anvil.rpcUrl, "local", chainId);
    const sim = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed: 4, ops, profile: "mixed" });
    if (sim.failures.length > 0) throw new Error(`${sim.failures.length} simulated transactions reverted`);
    mkdirSync(OUT_DIR, { recursive: true });
    const deploymentFile = writeDeployment(deployment, path.join(OUT_DIR, "hostile-deployment.json"));
    // Each store with the default bounds (the cross joins refused before they run), and PostgreSQL
    // once more with the row bound lifted, so the cross joins run until SQL_TIMEOUT_MS stops them.
    const runs = databases.flatMap((database): { database: PonderDatabase; raised: boolean }[] => (database.kind === "postgres" ? [{ database, raised: false }, { database, raised: true }] : [{ database, raised: false }]));
    for (const { database, raised } of runs) {
      const env: Record<string, string> = { SQL_MAX_CONCURRENT: "12", SQL_MAX_CONCURRENT_PER_CLIENT: "12" };
      if (raised) env.SQL_MAX_ROWS = String(10 ** 15);
      const label = raised ? `${database.kind}, SQL_MAX_ROWS lifted` : database.kind;
      console.error(`ponder start on ${label}…`);
      const ponder = await startPonder({ deploymentFile, database, schema: uniqueSchema("benchhostile"), env, readyTimeoutMs: 300_000 });
      try {
        const head = await createPublicClient({ transport: http(anvil.rpcUrl) }).getBlockNumber({ cacheTime: 0 });
        await ponder.waitForBlock(head, 300_000);
        console.error(`  quiet for ${seconds} s, then ten hostile requests in flight for ${seconds} s`);
        const quiet = await phase(ponder.url, anvil.rpcUrl, seconds, false);
        const hostile = await phase(ponder.url, anvil.rpcUrl, seconds, true);
        rows.push({ database: label, quiet, hostile });
      } finally {
        await ponder.stop();
        if (database.kind === "postgres") await deleteSyncRows(database.url, chainId).catch(() => undefined);
      }
    }
  } finally {
    await anvil.stop();
  }
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "-");
  const header = ["database", "probe", "quiet p50/p95 ms", "hostile p50/p95/max ms", "p95 ratio", "target"];
  const lines = rows.flatMap((r) =>
    (["health", "graphql", "block"] as const).map((k) => [
      r.database,
      k === "block" ? "block mined → indexed" : k === "health" ? "/health" : "normal GraphQL",
      `${ms(r.quiet[k].p50)}/${ms(r.quiet[k].p95)}`,
      `${ms(r.hostile[k].p50)}/${ms(r.hostile[k].p95)}/${ms(r.hostile[k].max)}`,
      (r.hostile[k].p95 / Math.max(1, r.quiet[k].p95)).toFixed(1),
      k === "block" ? `≤ ${POLLING_MS + 1000}` : "≤ 1000",
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  console.log([header, ...lines].map((l) => l.map((v, i) => v.padEnd(widths[i]!)).join("  ")).join("\n"));
  for (const r of rows) console.log(`${r.database}: hostile answers ${JSON.stringify(r.hostile.hostileStatuses)} (${r.hostile.hostileAnswered} in ${seconds} s)`);
  const out = path.join(OUT_DIR, "hostile.json");
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, loadAverage: os.loadavg()[0], seconds, rows }, null, 2)}\n`);
  console.log(`\n${os.cpus().length} cores; load generator on the same machine; figures in ${path.relative(ROOT, out)}`);
});
