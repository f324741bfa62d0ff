// Runs the indexer (`ponder start`) as a child process for one test: its own PGlite directory or
// PostgreSQL schema, a free port, logs in a file. Node runs Ponder's bin directly (not npx), so the
// handle's PID is Ponder itself and stopping it stops everything.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../devchain/anvil.js";
import { networkEnvStem } from "../../config/network.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PONDER_BIN = path.join(ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
/** Logs of test runs (gitignored). */
export const PONDER_LOG_DIR = path.join(ROOT, ".tmp", "ponder-logs");

export type PonderDatabase = { kind: "pglite" } | { kind: "postgres"; url: string };

export type PonderOptions = {
  /** Deployment file (deployments/*.json format) of the chain to index. */
  deploymentFile?: string;
  /** Several chains in one index instead (PONDER_NETWORKS): each network's name and deployment file. */
  networks?: { name: string; deploymentFile: string }[];
  database?: PonderDatabase;
  /** Database schema; default a unique one per start. */
  schema?: string;
  /** Extra environment for the child (applied last). */
  env?: Record<string, string>;
  /** Milliseconds to wait for /ready. */
  readyTimeoutMs?: number;
  /** Keep the PGlite directory / PostgreSQL schema after stop (debugging). */
  keepData?: boolean;
  /** PGlite data directory; default a fresh one. Pass a killed run's (with its `schema`) to restart on its data. */
  pgliteDir?: string;
  /** Return once /health answers (HTTP up, backfill under way) instead of waiting for /ready. */
  returnWhenHealthy?: boolean;
  /**
   * "serve": an HTTP-only replica (`ponder serve`, PostgreSQL only) of the `ponder start` that owns
   * `schema`; same environment, so the same offchain store. Its stop leaves the data to the owner.
   */
  command?: "start" | "serve";
};

/**
 * Where a run's offchain store (api/store) lives: beside its PGlite directory, or in a PostgreSQL
 * schema named after its onchain schema, so a restart on the same data finds the same store.
 */
export function offchainStoreOf(schema: string, pgliteDir: string | undefined): { OFFCHAIN_SCHEMA: string; OFFCHAIN_PGLITE_DIR: string } {
  return { OFFCHAIN_SCHEMA: `${schema}_offchain`, OFFCHAIN_PGLITE_DIR: pgliteDir ? `${pgliteDir}-offchain` : "" };
}

export type PonderHandle = {
  url: string;
  port: number;
  pid: number;
  schema: string;
  /** The PGlite data directory (PGlite only). */
  pgliteDir?: string;
  logFile: string;
  process: ChildProcess;
  /** POSTs a GraphQL query to /graphql; throws on transport or GraphQL errors. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Waits until /status shows the chain indexed up to `block`. */
  waitForBlock(block: bigint | number, timeoutMs?: number): Promise<void>;
  /** Waits until /ready answers 200 (backfill done, live indexing started); throws with the log tail otherwise. */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Last lines of the log, for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after a grace period; removes the PGlite directory / schema unless keepData. */
  stop(): Promise<void>;
  /** SIGKILL now (simulates a crash); leaves the data in place. */
  kill(): void;
};

/** A schema name Ponder accepts (≤ 45 chars) and no other run uses. */
export function uniqueSchema(prefix = "t"): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`.slice(0, 45);
}

/** Whether a PostgreSQL server accepts TCP connections at the URL's host and port. */
export async function postgresReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname || "127.0.0.1";
    port = Number(u.port || 5432);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Drops a schema with psql when it is installed (best effort: test cleanup only). */
export function dropPostgresSchema(url: string, schema: string): void {
  if (!/^[a-z0-9_]+$/.test(schema)) throw new Error(`refusing to drop unusual schema name "${schema}"`);
  spawnSync("psql", [url, "-q", "-c", `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { stdio: "ignore", timeout: 15_000 });
}

/** Removes one chain's rows from PostgreSQL's shared `ponder_sync` with psql (best effort: test cleanup only). */
export function dropSyncRows(url: string, chainId: number): void {
  if (!Number.isSafeInteger(chainId)) throw new Error(`unusual chain id ${chainId}`);
  const sql = `DO $$ DECLARE t text; BEGIN
    FOR t IN SELECT table_name FROM information_schema.columns WHERE table_schema = 'ponder_sync' AND column_name = 'chain_id' LOOP
      EXECUTE format('DELETE FROM ponder_sync.%I WHERE chain_id = ${chainId}', t);
    END LOOP; END $$`;
  spawnSync("psql", [url, "-q", "-c", sql], { stdio: "ignore", timeout: 30_000 });
}

/** Logs stay for a day after the run that wrote them. */
function pruneLogs(maxAgeMs = 24 * 3600_000): void {
  for (const name of readdirSync(PONDER_LOG_DIR)) {
    const file = path.join(PONDER_LOG_DIR, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > maxAgeMs) rmSync(file, { force: true });
    } catch {
      // another run removed it
    }
  }
}

type Status = Record<string, { id: number; block: { number: number; timestamp: number } }>;

export async function indexedBlock(url: string): Promise<number | undefined> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) return undefined;
  const status = (await res.json()) as Status;
  const blocks = Object.values(status).map((s) => s.block.number);
  return blocks.length ? Math.min(...blocks) : undefined;
}

/** Polls /status until each named chain is indexed up to its block. */
export async function waitForChains(ponder: PonderHandle, blocks: Record<string, bigint>, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const res = await fetch(`${ponder.url}/status`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (res?.ok) {
      const status = (await res.json()) as Record<string, { block: { number: number } } | undefined>;
      last = JSON.stringify(status);
      if (Object.entries(blocks).every(([chain, block]) => (status[chain]?.block.number ?? -1) >= Number(block))) return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`chains not indexed to ${JSON.stringify(Object.fromEntries(Object.entries(blocks).map(([k, v]) => [k, String(v)])))} in time; /status ${last}; log ${ponder.logFile}:\n${ponder.logTail()}`);
}

/** Which chains the child indexes, polled every 200 ms: one (PONDER_NETWORK=local) or a list (PONDER_NETWORKS). */
function chainsEnv(options: PonderOptions): Record<string, string> {
  if (!options.networks) {
    if (!options.deploymentFile) throw new Error("startPonder: give deploymentFile or networks");
    return { PONDER_NETWORKS: "", PONDER_NETWORK: "local", DEPLOYMENT_FILE: options.deploymentFile, PONDER_POLLING_INTERVAL_MS: "200" };
  }
  const env: Record<string, string> = { PONDER_NETWORKS: options.networks.map((n) => n.name).join(","), PONDER_NETWORK: "", DEPLOYMENT_FILE: "", PONDER_POLLING_INTERVAL_MS: "" };
  for (const n of options.networks) {
    const stem = networkEnvStem(n.name);
    env[`PONDER_${stem}_DEPLOYMENT_FILE`] = n.deploymentFile;
    env[`PONDER_${stem}_POLLING_INTERVAL_MS`] = "200";
  }
  return env;
}

/** Polls `url + path` until it answers 200 ("ok"), the process dies ("exited") or the time is up ("timeout"). */
async function pollUntil200(url: string, path: string, timeoutMs: number, isAlive: () => boolean): Promise<"ok" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) return "exited";
    try {
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      if (res.status === 200) return "ok";
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return "timeout";
}

/** Polls /status until every chain is indexed up to `block`. */
export async function waitForIndexedBlock(url: string, block: bigint | number, timeoutMs = 60_000, isAlive: () => boolean = () => true) {
  const target = Number(block);
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`ponder exited while waiting for block ${target} (last indexed ${last ?? "none"})`);
    try {
      last = await indexedBlock(url);
      if (last !== undefined && last >= target) return;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ponder did not index block ${target} within ${timeoutMs} ms (last indexed ${last ?? "none"})`);
}

export async function startPonder(options: PonderOptions): Promise<PonderHandle> {
  if (!existsSync(PONDER_BIN)) throw new Error(`ponder is not installed at ${PONDER_BIN}: run npm install`);
  const database = options.database ?? { kind: "pglite" };
  const command = options.command ?? "start";
  if (command === "serve" && (database.kind !== "postgres" || !options.schema)) throw new Error("ponder serve needs PostgreSQL and the schema of a running `ponder start`");
  const schema = options.schema ?? uniqueSchema();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(PONDER_LOG_DIR, { recursive: true });
  pruneLogs();
  const logFile = path.join(PONDER_LOG_DIR, command === "serve" ? `${schema}-serve-${port}.log` : `${schema}.log`);
  const pgliteDir = database.kind === "pglite" ? (options.pgliteDir ?? mkdtempSync(path.join(os.tmpdir(), "ponder-pglite-"))) : undefined;

  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_VIEWS_SCHEMA;
  // Nothing from the caller's shell, nor from a .env.local (Ponder loads it, without overriding
  // variables already set, even empty ones), may point the child at another database, port or chain.
  Object.assign(env, {
    ...chainsEnv(options),
    PONDER_RPC_URL: "",
    PONDER_WS_URL: "",
    DATABASE_URL: database.kind === "postgres" ? database.url : "",
    DATABASE_PRIVATE_URL: "",
    DATABASE_SCHEMA: schema,
    PGLITE_DIR: pgliteDir ?? "",
    PORT: String(port), // Ponder prefers PORT over --port
    PONDER_TELEMETRY_DISABLED: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    // Every test client is 127.0.0.1: suites sign in far more than a person would per minute.
    // test/api/auth.test.ts sets its own limit to test it.
    SIGN_IN_RATE_LIMIT_PER_MINUTE: "1000000",
    TRUSTED_PROXY_HOPS: "",
    ...offchainStoreOf(schema, pgliteDir),
    ...options.env,
  });

  const logFd = openSync(logFile, "w");
  const child = spawn(process.execPath, [PONDER_BIN, command, "--schema", schema, "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const logTail = (lines = 40) => {
    try {
      return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  };

  const cleanup = () => {
    if (options.keepData || command === "serve") return;
    const offchain = offchainStoreOf(schema, pgliteDir);
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    if (offchain.OFFCHAIN_PGLITE_DIR) rmSync(offchain.OFFCHAIN_PGLITE_DIR, { recursive: true, force: true });
    if (database.kind === "postgres") {
      dropPostgresSchema(database.url, schema);
      dropPostgresSchema(database.url, offchain.OFFCHAIN_SCHEMA);
    }
  };

  const kill = () => {
    if (alive()) child.kill("SIGKILL");
  };

  const stop = async () => {
    if (alive()) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => kill(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };

  const handle: PonderHandle = {
    url,
    port,
    pid: child.pid ?? -1,
    schema,
    pgliteDir,
    logFile,
    process: child,
    async graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const send = () => fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
      // A query is a read, so one retry on a new connection when a reused one turns out closed, as
      // HTTP clients do for idempotent requests. Seen twice in CI, on the first query after a test
      // that blocked this process for seconds (spawnSync), though the server keeps idle
      // connections 65 s (api/http/keep-alive.ts); the cause is not found yet.
      const res = await send().catch((err: Error & { cause?: { code?: string } }) => {
        if (err.cause?.code !== "UND_ERR_SOCKET" && err.cause?.code !== "ECONNRESET") throw err;
        return send();
      });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (!res.ok || body.errors?.length) {
        throw new Error(`GraphQL ${res.status}: ${body.errors?.map((e) => e.message).join("; ") ?? "no data"}`);
      }
      return body.data as T;
    },
    waitForBlock: (block, timeoutMs = 60_000) => waitForIndexedBlock(url, block, timeoutMs, alive),
    async waitForReady(timeoutMs = 180_000) {
      const outcome = await pollUntil200(url, "/ready", timeoutMs, alive);
      if (outcome !== "ok") throw new Error(`ponder ${outcome === "exited" ? "exited" : `was not ready within ${timeoutMs} ms`}; log ${logFile}:\n${logTail()}`);
    },
    logTail,
    stop,
    kill,
  };

  const outcome = await pollUntil200(url, options.returnWhenHealthy ? "/health" : "/ready", options.readyTimeoutMs ?? 90_000, alive);
  if (outcome === "ok") return handle;
  if (outcome === "exited") {
    cleanup();
    throw new Error(`ponder exited with code ${child.exitCode ?? child.signalCode} before it was ready; log ${logFile}:\n${logTail()}`);
  }
  await stop();
  throw new Error(`ponder was not ready within ${options.readyTimeoutMs ?? 90_000} ms; log ${logFile}:\n${logTail()}`);
}

/** A `ponder serve` replica of `primary` (PostgreSQL only): same schema, offchain store and deployment. */
export function startPonderServe(primary: PonderHandle, options: Omit<PonderOptions, "schema" | "command" | "pgliteDir">): Promise<PonderHandle> {
  return startPonder({ ...options, schema: primary.schema, command: "serve" });
}
