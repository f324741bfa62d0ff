// Hostile reads against a real `ponder start` on PGlite and on PostgreSQL, with live blocks coming
// in: ten at once (cross joins, queries that fail on the data, GraphQL at its cost bound) while
// /health, a normal GraphQL query and the indexer must go on answering. On PGlite the cross joins
// are refused before they run (nothing can interrupt PGlite once it runs); on PostgreSQL this
// instance lets them run (SQL_MAX_ROWS raised) to show what stops them there: SQL_TIMEOUT_MS, and
// a cancel when the client disconnects.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDeployment } from "../../config/deployment.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { dropSyncRows, indexedBlock, startPonder, type PonderHandle } from "../helpers/ponder.js";

const SQL_TIMEOUT_MS = 8_000;

let chain: TestChain;
let tmpDir: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  chain = await startTestChain({ chainId: uniqueChainId() });
  const sim = await simulate({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, seed: 11, ops: 60, profile: "mixed" });
  if (sim.failures.length > 0) throw new Error(`simulator: ${sim.failures.length} transactions failed`);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "api-hostile-"));
  const deploymentFile = writeDeployment(chain.deployment, path.join(tmpDir, "deployment.json"));
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  // Room for ten at once from this one client; on PostgreSQL a work bound the cross joins pass.
  const roomy = { SQL_MAX_CONCURRENT: "12", SQL_MAX_CONCURRENT_PER_CLIENT: "12" };
  const env: Record<string, Record<string, string>> = {
    pglite: roomy,
    postgres: { ...roomy, SQL_MAX_ROWS: String(10 ** 15), SQL_TIMEOUT_MS: String(SQL_TIMEOUT_MS) },
  };
  await Promise.all(
    backends
      .filter((b) => b.enabled)
      .map(async (b) => {
        const ponder = await startPonder({ deploymentFile, database: b.database, env: env[b.name] });
        ponders.set(b.name, ponder);
        await ponder.waitForBlock(head, 120_000);
      }),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await chain?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable && chain) dropSyncRows(PG_URL, chain.chain.id);
});

type Answer = { status: number; body: any; ms: number };

async function timed(url: string, init?: RequestInit): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, init);
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, ms: Date.now() - started };
}

const sqlUrl = (base: string, sql: string) => `${base}/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql, params: [] } }))}`;
const gqlInit = (query: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
const values = `(values ${Array.from({ length: 150 }, (_, i) => `(${i})`).join(",")})`;
/** 150⁴ rows: minutes of work if nothing stops it. `marker` names it in pg_stat_activity. */
const crossJoin = (marker: string) => `select count(*) as ${marker} from ${values} a(x), ${values} b(x), ${values} c(x), ${values} d(x)`;
/** Plans fine, fails only on the data. */
const failsOnData = "select 1 / (count(*) - count(*)) as x from booking_history";
/** Close to GRAPHQL_MAX_COST (50000): 10 + 1000 + 1000 × (10 + 10) = 21010. */
const costlyGraphql = "{ bookingHistorys(limit: 1000) { items { id booking { id } } } }";
const normalGraphql = "{ bookings(limit: 5) { items { id status } } }";

describe.each(backends)("hostile reads on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const base = () => ponders.get(name)!.url;

  run("ten hostile requests at once: each is refused or cut short, while /health, a normal query and indexing keep answering", async () => {
    const url = base();
    const hostile = [
      ...Array.from({ length: 6 }, (_, i) => timed(sqlUrl(url, crossJoin(`hostile_${i}`)))),
      timed(sqlUrl(url, failsOnData)),
      timed(sqlUrl(url, failsOnData)),
      timed(`${url}/graphql`, gqlInit(costlyGraphql)),
      timed(`${url}/graphql`, gqlInit(costlyGraphql)),
    ];
    let settled = 0;
    hostile.forEach((p) => void p.then(() => settled++));
    await new Promise((r) => setTimeout(r, 300));

    const health = await timed(`${url}/health`);
    const normal = await timed(`${url}/graphql`, gqlInit(normalGraphql));
    // For the log line only: on a loaded machine /status (a query of its own) may take over its 5 s.
    const before = await indexedBlock(url).catch(() => "?");
    await chain.testClient.mine({ blocks: 1 });
    const mined = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const mineStarted = Date.now();
    await ponders.get(name)!.waitForBlock(mined, 30_000);
    const blockMs = Date.now() - mineStarted;
    const stillRunning = hostile.length - settled;
    console.log(`${name}: with ${stillRunning} hostile requests still running, /health ${health.ms} ms, a normal query ${normal.ms} ms, block ${before}→${mined} indexed in ${blockMs} ms`);

    expect(health.status).toBe(200);
    expect(normal.status, JSON.stringify(normal.body)).toBe(200);
    expect(normal.body.data.bookings.items.length).toBeGreaterThan(0);

    const answers = await Promise.all(hostile);
    const codes = answers.map((a) => a.body?.error?.code ?? a.body?.errors?.[0]?.extensions?.code ?? a.status);
    // On PostgreSQL the cross joins ran, until SQL_TIMEOUT_MS stopped them; PGlite's work bound refused them first.
    const crossJoinCode = name === "postgres" ? "sql_timeout" : "sql_too_costly";
    expect(codes.slice(0, 6), JSON.stringify(answers.slice(0, 6).map((a) => a.body))).toEqual(Array(6).fill(crossJoinCode));
    for (const a of answers.slice(0, 8)) expect(a.status).toBe(400);
    expect(codes.slice(6, 8)).toEqual(["sql_rejected", "sql_rejected"]);
    expect(answers[6]!.body.error.message).toContain("division by zero");
    // Once, not retried: Ponder's retries of a failing statement take over a minute.
    expect(answers[6]!.ms).toBeLessThan(30_000);
    for (const a of answers.slice(8)) expect(a.status, JSON.stringify(a.body).slice(0, 300)).toBe(200);
    if (name === "postgres") {
      expect(stillRunning, "the cross joins were still running while the probes answered").toBeGreaterThan(0);
      expect(answers[0]!.body.error.details).toEqual({ timeoutMs: SQL_TIMEOUT_MS });
    }
  }, 120_000);

});

describe("hostile reads on PostgreSQL", () => {
  const base = () => ponders.get("postgres")!.url;

  (pgAvailable ? it : it.skip)("a query whose client disconnects is cancelled at once, not left to the timeout", async () => {
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    const running = async () =>
      (await db.query("select pid from pg_stat_activity where state = 'active' and query like '%as hostile_left%' and pid <> pg_backend_pid()")).rowCount ?? 0;
    try {
      const abort = new AbortController();
      const request = fetch(sqlUrl(base(), crossJoin("hostile_left")), { signal: abort.signal }).catch((e: Error) => e);
      let seenAt = 0;
      for (let i = 0; i < 100 && !seenAt; i++) {
        if ((await running()) > 0) seenAt = Date.now();
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(seenAt, "the query reached PostgreSQL").toBeGreaterThan(0);
      abort.abort();
      expect(await request).toBeInstanceOf(Error);
      let goneAt = 0;
      for (let i = 0; i < 200 && !goneAt; i++) {
        if ((await running()) === 0) goneAt = Date.now();
        else await new Promise((r) => setTimeout(r, 25));
      }
      console.log(`postgres: a disconnected client's query ended ${goneAt - seenAt} ms after it was seen running (timeout ${SQL_TIMEOUT_MS} ms)`);
      expect(goneAt).toBeGreaterThan(0);
      expect(goneAt - seenAt, "ended by the cancel, well before SQL_TIMEOUT_MS").toBeLessThan(SQL_TIMEOUT_MS - 3_000);
      // The API goes on serving SQL on the same pool.
      const after = await timed(sqlUrl(base(), "select count(*)::int as n from booking"));
      expect(after.status, JSON.stringify(after.body)).toBe(200);
      expect(after.body.rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  }, 60_000);
});

// Last in the file: it moves the shared chain far ahead.
describe.each(backends)("readiness on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;

  run("/api/ready is 503 lagging while the index is more than READY_MAX_LAG_BLOCKS behind the head, 200 once it caught up; the lag is on /metrics", async () => {
    const ponder = ponders.get(name)!;
    await ponder.waitForBlock(await chain.publicClient.getBlockNumber({ cacheTime: 0 }), 60_000); // the other store's run moved the chain
    const before = await timed(`${ponder.url}/api/ready`);
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toMatchObject({ ready: true, maxLagBlocks: 20 });
    expect(before.body.lagBlocks).toBeLessThanOrEqual(20);

    // 300 blocks at once: the indexer fetches them one by one (some 15-20 a second), so for a while it is far behind.
    await chain.testClient.mine({ blocks: 300 });
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await new Promise((r) => setTimeout(r, 600)); // past the half second in which probes share one observation
    const behind = await timed(`${ponder.url}/api/ready`);
    expect(behind.status, JSON.stringify(behind.body)).toBe(503);
    expect(behind.body.error.code).toBe("lagging");
    expect(behind.body.error.details).toMatchObject({ head: String(head), maxLagBlocks: 20 });
    expect(behind.body.error.details.lagBlocks).toBeGreaterThan(20);
    const metrics = await timed(`${ponder.url}/metrics`);
    const lag = Number(/^api_index_lag_blocks\{chain="[^"]+"\} (\d+)$/m.exec(metrics.body)?.[1]);
    expect(lag, "the lag gauge").toBeGreaterThan(0);
    expect(metrics.body).toMatch(new RegExp(`^api_chain_head_block\\{chain="[^"]+"\\} ${head}$`, "m"));

    await ponder.waitForBlock(head, 90_000);
    const after = await timed(`${ponder.url}/api/ready`);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body).toMatchObject({ ready: true, head: String(head), indexed: String(head), lagBlocks: 0 });
  }, 180_000);
});
