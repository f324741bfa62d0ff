// npm run bench:multichain -- [--db pglite|postgres|both] [--backlog-ops N] [--block-size N] [--live-ops N] [--interval-ms N] [--quiet-seconds S] [--seed N]
// Realtime latency of one chain while another chain of the same index backfills: two anvils with
// the same deployment, chain "slow" with a large backlog, chain "live" (network `local`) with a
// small history, one `ponder start` over both. Every --interval-ms the owner sets an OracleHub rate
// on the live chain; latency = the setRate row visible in GraphQL − its receipt. Samples count as
// "backfilling" when /status, read after the receipt, shows the slow chain below the end of its
// backfill (its head − 30: Ponder's finality depth; the last 30 blocks, empty, come by the realtime
// path); the floor is the same measurement once the slow chain is at its head and /ready answers
// (quiet), same process, same run.
// Target (the issue): p95 within the polling interval + 250 ms. Prints a table and writes
// .tmp/bench/multichain.json; it measures, it asserts nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeFunctionData, type Hex } from "viem";
import { intFlag, parseFlags, runCli } from "../cli/flags.js";
import { writeDeployment, type Deployment } from "../config/deployment.js";
import { abis } from "../devchain/artifacts.js";
import { startAnvil, type Anvil } from "../devchain/anvil.js";
import { deployLocal } from "../devchain/local.js";
import { Rpc } from "../devchain/sim/rpc.js";
import { simulate } from "../devchain/sim/simulator.js";
import { ROOT, startPonder, uniqueSchema, type PonderDatabase, type PonderHandle } from "../test/helpers/ponder.js";
import { LogCounter } from "./lib/chain.js";
import { benchDatabases, PG_URL_HELP } from "./lib/databases.js";
import { ponderFigures } from "./lib/figures.js";
import { handledSelectors } from "./lib/handlers.js";
import { scrape } from "./lib/prometheus.js";
import { deleteSyncRows, uniqueChainId } from "./lib/syncStore.js";

const USAGE = `usage: npm run bench:multichain -- [options]
  --db D            pglite, postgres or both (default both)
  --backlog-ops N   simulator operations on the slow chain before Ponder starts (default 500)
  --block-size N    transactions per block of that backlog (default 1: many blocks)
  --live-ops N      simulator operations on the live chain before Ponder starts (default 50)
  --interval-ms N   pause between two samples (default 300)
  --quiet-seconds S seconds of the quiet phase, after the slow chain is at its head (default 15)
  --seed N          simulator seed of the slow chain (the live chain's is N+1; default 1)
${PG_URL_HELP}`;
const OUT_DIR = path.join(ROOT, ".tmp", "bench");
const POLLING_MS = 200; // what startPonder configures, per chain
const TARGET_MS = POLLING_MS + 250;
/** Ponder finalizes 30 blocks deep on unknown chains: the backlog is buried below that, so all of it is backfilled. */
const FINALITY_BLOCKS = 30;
const GRAPHQL_POLL_MS = 20;
/** How long a backfill may take before the run gives up (a hung run, not a slow one). */
const BACKFILL_TIMEOUT_MS = 20 * 60_000;
const SLOW = "slow";
/** The last block Ponder backfills: the finalized block when it starts (the slow chain gets no new blocks). */
const backfillEnd = (head: bigint) => Number(head) - FINALITY_BLOCKS;
const LIVE = "local"; // the primary network: the dev keys and secret serve the API on it

type Figures = { n: number; p50: number; p95: number; max: number };
const figures = (ms: number[]): Figures => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.at(-1) ?? NaN };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

type World = { name: string; anvil: Anvil; deployment: Deployment; rpc: Rpc; head: bigint; ops: number; transactions: number; blocks: number; logs: number; events: number; simulateSeconds: number };

async function build(name: string, ops: number, seed: number, blockSize: number | undefined, bury: boolean): Promise<World> {
  const chainId = uniqueChainId();
  const anvil = await startAnvil({ accounts: 60, chainId });
  try {
    const deployment = await deployLocal(anvil.rpcUrl, name, chainId);
    const started = performance.now();
    const sim = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed, ops, profile: "mixed", ...(blockSize ? { blockSize } : {}) });
    const simulateSeconds = (performance.now() - started) / 1000;
    if (sim.failures.length > 0) throw new Error(`${sim.failures.length} simulated transactions reverted on ${name}, first ${sim.failures[0]!.label} ${sim.failures[0]!.hash}`);
    const rpc = new Rpc(anvil.rpcUrl);
    if (bury) await rpc.call("anvil_mine", [`0x${(FINALITY_BLOCKS + 1).toString(16)}`]);
    const head = BigInt(await rpc.call<Hex>("eth_blockNumber"));
    const counter = new LogCounter(rpc, deployment, handledSelectors(path.join(ROOT, "src")));
    const events = await counter.advance(head);
    return { name, anvil, deployment, rpc, head, ops, transactions: sim.transactions, blocks: sim.blocks, logs: counter.logs, events, simulateSeconds };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

type Status = Record<string, { id: number; block: { number: number } } | undefined>;
async function readStatus(url: string): Promise<Status | undefined> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
  if (!res?.ok) return undefined;
  return (await res.json().catch(() => undefined)) as Status | undefined;
}

/** Polls /status every 100 ms and notes when the slow chain first reaches the end of its backfill, and its head. */
function watchStatus(url: string, slowHead: bigint) {
  const w = { backfilledAt: undefined as number | undefined, doneAt: undefined as number | undefined, lastSlow: -1, polls: 0, stopped: false };
  const loop = (async () => {
    while (!w.stopped) {
      const status = await readStatus(url);
      const at = performance.now();
      if (status) {
        w.polls++;
        w.lastSlow = status[SLOW]?.block.number ?? -1;
        if (w.backfilledAt === undefined && w.lastSlow >= backfillEnd(slowHead)) w.backfilledAt = at;
        if (w.doneAt === undefined && w.lastSlow >= Number(slowHead)) w.doneAt = at;
      }
      await sleep(100);
    }
  })();
  return Object.assign(w, { stop: async () => ((w.stopped = true), await loop) });
}

type Sample = { hash: Hex; block: number; sentAt: number; minedAt: number; visibleAt?: number; slowBlockAfterMined?: number };

/** One query every 20 ms for every sample not seen yet: `oracleRateHistorys(where: { chainId, txHash_in })`. */
function watchGraphql(url: string, chainId: number) {
  const pending = new Map<string, Sample>();
  const w = { queries: 0, errors: 0, firstError: undefined as string | undefined, stopped: false };
  const loop = (async () => {
    while (!w.stopped) {
      const hashes = [...pending.keys()].slice(0, 100);
      if (hashes.length > 0) {
        const query = `{ oracleRateHistorys(where: { chainId: ${chainId}, txHash_in: ${JSON.stringify(hashes)} }, limit: 100) { items { txHash } } }`;
        try {
          const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(30_000) });
          const body = (await res.json()) as { data?: { oracleRateHistorys: { items: { txHash: string }[] } }; errors?: unknown[] };
          const at = performance.now();
          w.queries++;
          if (!res.ok || body.errors?.length || !body.data) {
            w.errors++;
            w.firstError ??= `${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`;
          }
          for (const { txHash } of body.data?.oracleRateHistorys.items ?? []) {
            const s = pending.get(txHash.toLowerCase());
            if (s && s.visibleAt === undefined) s.visibleAt = at;
            pending.delete(txHash.toLowerCase());
          }
        } catch (err) {
          w.errors++;
          w.firstError ??= (err as Error).message;
        }
      }
      await sleep(GRAPHQL_POLL_MS);
    }
  })();
  return Object.assign(w, {
    add: (s: Sample) => pending.set(s.hash.toLowerCase(), s),
    /** Waits until every sample is seen or `timeoutMs` passes; returns how many were not seen. */
    drain: async (timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      while (pending.size > 0 && performance.now() < deadline) await sleep(50);
      return pending.size;
    },
    stop: async () => ((w.stopped = true), await loop),
  });
}

let nextRate = 0n;
/** The owner sets the USDC rate (a new, unique value) on the live chain; resolves at the receipt. */
async function sendSample(live: World): Promise<Sample> {
  const rate = 20_000n * 10n ** 18n + ++nextRate;
  const data = encodeFunctionData({ abi: abis.OracleHub, functionName: "setRate", args: [live.deployment.tokens.USDC, rate] });
  const sentAt = performance.now();
  const hash = await live.rpc.call<Hex>("eth_sendTransaction", [{ from: live.deployment.roles.owner, to: live.deployment.contracts.OracleHub.address, data }]);
  for (;;) {
    const receipt = await live.rpc.call<{ status: Hex; blockNumber: Hex } | null>("eth_getTransactionReceipt", [hash]);
    if (receipt) {
      const minedAt = performance.now();
      if (receipt.status !== "0x1") throw new Error(`setRate ${hash} reverted`);
      return { hash, block: Number(BigInt(receipt.blockNumber)), sentAt, minedAt };
    }
    await sleep(5);
  }
}

type PhaseResult = { samples: Sample[]; figures: Figures };
const latencies = (samples: Sample[]) => samples.filter((s) => s.visibleAt !== undefined).map((s) => s.visibleAt! - s.minedAt);

type Run = {
  database: string;
  loadAverageAtStart: number;
  /** Spawn of `ponder start` until /health answers. */
  healthySeconds: number;
  /** Spawn until /status shows the slow chain at the end of its backfill (head − 30). */
  slowBackfilledSeconds: number;
  /** /health answering until then: the window the backfilling samples come from. */
  windowSeconds: number;
  /** Spawn until /status shows the slow chain at its head (the last 30 blocks by the realtime path). */
  slowAtHeadSeconds: number;
  /** Ponder's historical loop, both chains (sync wait + indexing, `ponder_historical_concurrency_group_duration`). */
  ponderBackfillSeconds: number;
  indexedEvents: number;
  backfilling: PhaseResult;
  quiet: PhaseResult;
  /** Samples sent before the slow chain's backfill was seen to end whose /status read after the receipt showed it ended. */
  transition: number;
  unseen: number;
  /** Backfilling samples: visible − the end of the slow chain's backfill in /status (ms), min and max. */
  releasedAfterBackfillMs: { min: number; max: number } | null;
  graphqlQueries: number;
  graphqlErrors: number;
  graphqlFirstError: string | null;
  logFile: string;
};

async function measure(database: PonderDatabase, slow: World, live: World, networks: { name: string; deploymentFile: string }[], intervalMs: number, quietSeconds: number): Promise<Run> {
  const loadAverageAtStart = os.loadavg()[0]!;
  const spawnAt = performance.now();
  let ponder: PonderHandle | undefined;
  try {
    ponder = await startPonder({ networks, database, schema: uniqueSchema("benchmulti"), returnWhenHealthy: true, readyTimeoutMs: 300_000 });
    const healthyAt = performance.now();
    const status = watchStatus(ponder.url, slow.head);
    const gql = watchGraphql(ponder.url, live.deployment.chainId);
    const url = ponder.url;
    const jitter = () => Math.floor(Math.random() * POLLING_MS);
    try {
      // While the slow chain backfills: one sample every interval, not waiting for the last to show.
      console.error(`  sampling the live chain every ~${intervalMs} ms while the slow chain backfills (slow head ${slow.head})…`);
      const during: Sample[] = [];
      const classified: Promise<void>[] = [];
      while (status.backfilledAt === undefined) {
        if (performance.now() - healthyAt > BACKFILL_TIMEOUT_MS) throw new Error(`the slow chain was not indexed to ${slow.head} within ${BACKFILL_TIMEOUT_MS / 60_000} min (last ${status.lastSlow}); log ${ponder.logFile}`);
        if (!alive(ponder)) throw new Error(`ponder exited during the backfill; log ${ponder.logFile}:\n${ponder.logTail()}`);
        const s = await sendSample(live);
        gql.add(s);
        during.push(s);
        classified.push(readStatus(url).then((st) => void (s.slowBlockAfterMined = st?.[SLOW]?.block.number ?? -1)));
        await sleep(intervalMs - POLLING_MS / 2 + jitter());
      }
      await Promise.all(classified);
      const backfilledAt = status.backfilledAt;
      await gql.drain(120_000);
      await ponder.waitForReady(120_000);
      await waitForChain(ponder, SLOW, Number(slow.head));
      await waitForChain(ponder, LIVE, Number(BigInt(await live.rpc.call<Hex>("eth_blockNumber"))));
      await sleep(2000);

      const slowDoneAt = status.doneAt ?? performance.now();
      console.error(`  slow chain backfilled ${round((backfilledAt - spawnAt) / 1000)} s after spawn, at its head after ${round((slowDoneAt - spawnAt) / 1000)} s; quiet phase for ${quietSeconds} s`);
      const quiet: Sample[] = [];
      const quietUntil = performance.now() + quietSeconds * 1000;
      while (performance.now() < quietUntil) {
        const s = await sendSample(live);
        gql.add(s);
        quiet.push(s);
        await sleep(intervalMs - POLLING_MS / 2 + jitter());
      }
      await gql.drain(30_000);

      const backfilling = during.filter((s) => (s.slowBlockAfterMined ?? -1) < backfillEnd(slow.head));
      const released = backfilling.filter((s) => s.visibleAt !== undefined).map((s) => s.visibleAt! - backfilledAt);
      const metrics = ponderFigures(await scrape(url));
      return {
        database: database.kind,
        loadAverageAtStart: round(loadAverageAtStart, 2),
        healthySeconds: round((healthyAt - spawnAt) / 1000, 2),
        slowBackfilledSeconds: round((backfilledAt - spawnAt) / 1000, 2),
        windowSeconds: round((backfilledAt - healthyAt) / 1000, 2),
        slowAtHeadSeconds: round((slowDoneAt - spawnAt) / 1000, 2),
        ponderBackfillSeconds: round(metrics.backfillSeconds, 2),
        indexedEvents: metrics.indexedEvents,
        backfilling: { samples: backfilling, figures: figures(latencies(backfilling)) },
        quiet: { samples: quiet, figures: figures(latencies(quiet)) },
        transition: during.length - backfilling.length,
        unseen: [...during, ...quiet].filter((s) => s.visibleAt === undefined).length,
        releasedAfterBackfillMs: released.length ? { min: round(Math.min(...released), 0), max: round(Math.max(...released), 0) } : null,
        graphqlQueries: gql.queries,
        graphqlErrors: gql.errors,
        graphqlFirstError: gql.firstError ?? null,
        logFile: path.relative(ROOT, ponder.logFile),
      };
    } finally {
      await gql.stop();
      await status.stop();
    }
  } finally {
    await ponder?.stop();
    if (database.kind === "postgres") for (const w of [slow, live]) await deleteSyncRows(database.url, w.deployment.chainId).catch(() => undefined);
  }
}

const alive = (p: PonderHandle) => p.process.exitCode === null && p.process.signalCode === null;

/** Polls /status until `chain` is indexed up to `block` (waitForBlock waits for every chain). */
async function waitForChain(ponder: PonderHandle, chain: string, block: number, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (((await readStatus(ponder.url))?.[chain]?.block.number ?? -1) < block) {
    if (performance.now() > deadline) throw new Error(`${chain} was not indexed to block ${block} within ${timeoutMs} ms; log ${ponder.logFile}`);
    await sleep(100);
  }
}

runCli(async () => {
  const flags = parseFlags(
    {
      db: { type: "string" },
      "backlog-ops": { type: "string" },
      "block-size": { type: "string" },
      "live-ops": { type: "string" },
      "interval-ms": { type: "string" },
      "quiet-seconds": { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) return console.log(USAGE);
  const backlogOps = intFlag("backlog-ops", flags["backlog-ops"], 500, 1);
  const blockSize = intFlag("block-size", flags["block-size"], 1, 1);
  const liveOps = intFlag("live-ops", flags["live-ops"], 50, 1);
  const intervalMs = intFlag("interval-ms", flags["interval-ms"], 300, POLLING_MS);
  const quietSeconds = intFlag("quiet-seconds", flags["quiet-seconds"], 15, 3);
  const seed = intFlag("seed", flags.seed, 1);
  const { databases } = await benchDatabases(flags.db);

  console.error(`building the chains: slow (${backlogOps} operations, ${blockSize} transaction(s) a block) and live (${liveOps} operations)…`);
  const worlds = await Promise.allSettled([build(SLOW, backlogOps, seed, blockSize, true), build(LIVE, liveOps, seed + 1, undefined, false)]);
  const built = worlds.flatMap((w) => (w.status === "fulfilled" ? [w.value] : []));
  const runs: Run[] = [];
  try {
    for (const w of worlds) if (w.status === "rejected") throw w.reason;
    const [slow, live] = built as [World, World];
    console.error(`  slow: chain ${slow.deployment.chainId}, ${slow.transactions} transactions in ${slow.blocks} blocks, ${slow.events} indexed events (${slow.logs} logs), head ${slow.head}, simulated in ${round(slow.simulateSeconds)} s`);
    mkdirSync(OUT_DIR, { recursive: true });
    const networks = [live, slow].map((w) => ({ name: w.name, deploymentFile: writeDeployment(w.deployment, path.join(OUT_DIR, `multichain-${w.name}.json`)) }));
    for (const database of databases) {
      console.error(`ponder start on ${database.kind} over both chains…`);
      runs.push(await measure(database, slow, live, networks, intervalMs, quietSeconds));
    }

    const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "-");
    const header = ["database", "phase (latency on the live chain)", "samples", "p50 ms", "p95 ms", "max ms", "p95 target", "p95 backfilling/quiet"];
    const lines = runs.flatMap((r) =>
      (["backfilling", "quiet"] as const).map((k) => [
        r.database,
        k === "backfilling" ? "slow chain backfilling" : "slow chain at its head (quiet)",
        String(r[k].figures.n),
        ms(r[k].figures.p50),
        ms(r[k].figures.p95),
        ms(r[k].figures.max),
        `≤ ${TARGET_MS}`,
        k === "backfilling" ? (r.backfilling.figures.p95 / Math.max(1, r.quiet.figures.p95)).toFixed(1) : "-",
      ]),
    );
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    console.log([header, ...lines].map((l) => l.map((v, i) => v.padEnd(widths[i]!)).join("  ")).join("\n"));
    console.log(
      `\nlive = network "${LIVE}", chain ${live.deployment.chainId} (${live.transactions} transactions before the start, then one setRate a sample)` +
        `\nslow = network "${SLOW}", chain ${slow.deployment.chainId}: ${slow.ops} operations, ${slow.transactions} transactions in ${slow.blocks} blocks, ${slow.events} indexed events (${slow.logs} logs), head ${slow.head}` +
        `\nlatency = row in GraphQL (polled every ${GRAPHQL_POLL_MS} ms) − receipt; polling interval ${POLLING_MS} ms per chain; target p95 ≤ ${POLLING_MS} + 250 = ${TARGET_MS} ms; one sample every ~${intervalMs} ms`,
    );
    for (const r of runs) {
      const rel = r.releasedAfterBackfillMs;
      console.log(
        `${r.database}: /health ${r.healthySeconds} s after spawn; slow chain backfilled (block ${backfillEnd(slow.head)} in /status) after ${r.slowBackfilledSeconds} s, ` +
          `${r.windowSeconds} s of it after /health; at its head after ${r.slowAtHeadSeconds} s; Ponder's historical loop (both chains) ${r.ponderBackfillSeconds} s; ` +
          `${r.backfilling.figures.n} samples while backfilling, ${r.transition} at the edge left out, ${r.unseen} never seen` +
          (rel ? `; the backfilling samples showed up ${rel.min}…${rel.max} ms after the slow chain's backfill ended` : "") +
          `; load average ${r.loadAverageAtStart} at the start` +
          (r.graphqlErrors ? `; ${r.graphqlErrors} of ${r.graphqlQueries} GraphQL polls failed (first: ${r.graphqlFirstError})` : ""),
      );
    }
    const out = path.join(OUT_DIR, "multichain.json");
    const chain = (w: World) => ({ name: w.name, chainId: w.deployment.chainId, ops: w.ops, transactions: w.transactions, blocks: w.blocks, logs: w.logs, events: w.events, head: String(w.head), simulateSeconds: round(w.simulateSeconds, 2) });
    const sample = (s: Sample) => ({ hash: s.hash, block: s.block, latencyMs: s.visibleAt === undefined ? null : round(s.visibleAt - s.minedAt), sendToReceiptMs: round(s.minedAt - s.sentAt), slowBlockAfterMined: s.slowBlockAfterMined ?? null });
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          cpus: os.cpus().length,
          pollingIntervalMs: POLLING_MS,
          targetP95Ms: TARGET_MS,
          flags: { backlogOps, blockSize, liveOps, intervalMs, quietSeconds, seed },
          chains: { slow: chain(slow), live: chain(live) },
          runs: runs.map((r) => ({ ...r, backfilling: { figures: r.backfilling.figures, samples: r.backfilling.samples.map(sample) }, quiet: { figures: r.quiet.figures, samples: r.quiet.samples.map(sample) } })),
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\n${os.cpus().length} cores, shared; anvil, PostgreSQL, Ponder and the load on one machine; figures in ${path.relative(ROOT, out)}`);
  } finally {
    await Promise.all(built.map((w) => w.anvil.stop()));
  }
});
