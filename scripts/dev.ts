// npm run dev: the one command for a bare machine. Starts anvil, deploys, keeps the simulator
// producing gentle traffic, runs Ponder on a fresh PGlite (or, with DATABASE_URL, fresh schemas of
// that PostgreSQL) and stops everything on Ctrl-C or SIGTERM. It listens on loopback only: it runs
// with the public dev secret and dev keys (config/dev-server.ts).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, runCli, UsageError } from "../cli/flags.js";
import { writeDeployment } from "../config/deployment.js";
import { DEV_HOST, devListenProblem } from "../config/dev-server.js";
import { freePort, startAnvil } from "../devchain/anvil.js";
import { resetDevDatabase } from "../devchain/database.js";
import { deployLocal } from "../devchain/local.js";
import { simulate } from "../devchain/sim/simulator.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `usage: npm run dev -- [--port N] [--host H] [--schema NAME] [--state-dir DIR] [--seed N] [--interval-ms N] [--no-traffic]
  --port N         API port (default 42069, or a free one when taken)
  --host H         address to listen on (default ${DEV_HOST}: this machine only; any other needs AUTH_SECRET set)
  --schema NAME    with DATABASE_URL set: the PostgreSQL schema of the index (default dev); the offchain
                   store uses NAME_offchain. Both, and the chain's cached RPC rows, are dropped at start
  --state-dir DIR  where the deployment file and the PGlite data go (default deployments/local.json
                   and .ponder/), e.g. to run a second dev server beside the first
  --seed N         simulator seed (default 1)
  --interval-ms N  pause between simulated operations (default 1000)
  --no-traffic     deploy but send no simulated traffic`;

const log = (line: string) => console.log(`dev: ${line}`);

runCli(async () => {
  const flags = parseFlags(
    {
      port: { type: "string" },
      host: { type: "string" },
      schema: { type: "string" },
      "state-dir": { type: "string" },
      seed: { type: "string" },
      "interval-ms": { type: "string" },
      "no-traffic": { type: "boolean" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) return console.log(USAGE);
  const seed = intFlag("seed", flags.seed, 1);
  const intervalMs = intFlag("interval-ms", flags["interval-ms"], 1000);
  const host = flags.host?.trim() || DEV_HOST;
  const refusal = devListenProblem(host, process.env);
  if (refusal) throw new Error(refusal);
  const databaseUrl = process.env.DATABASE_URL?.trim() || null;
  if (flags.schema && !databaseUrl) throw new UsageError(`--schema needs DATABASE_URL (without it the index is a PGlite directory)\n\n${USAGE}`);
  const schema = flags.schema ?? "dev";
  const port = flags.port ? intFlag("port", flags.port, 0, 1) : await freePortPreferring(42069, host);
  const urlHost = host === "0.0.0.0" || host === "::" ? DEV_HOST : net.isIPv6(host) ? `[${host}]` : host;
  const apiUrl = `http://${urlHost}:${port}`;

  log("starting a local chain and deploying the contracts");
  const anvil = await startAnvil({ accounts: 60 });
  const stopping = new AbortController();
  const cleanups: (() => Promise<void>)[] = [() => anvil.stop()];
  const stopAll = async () => {
    stopping.abort();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const deployment = await deployLocal(anvil.rpcUrl);
    const stateDir = flags["state-dir"] ? path.resolve(flags["state-dir"]) : null;
    const deploymentFile = writeDeployment(deployment, stateDir ? path.join(stateDir, "local.json") : undefined);
    // A fresh chain needs a fresh index and a fresh offchain store: an old run's sent actions
    // would otherwise be re-broadcast to this chain, which has the same id.
    let database: Record<string, string>;
    if (databaseUrl) {
      const offchainSchema = `${schema}_offchain`;
      await resetDevDatabase({ url: databaseUrl, schema, offchainSchema, chainId: deployment.chainId });
      database = { DATABASE_URL: databaseUrl, OFFCHAIN_SCHEMA: offchainSchema };
      log(`database: PostgreSQL, schemas ${schema} and ${offchainSchema} (fresh)`);
    } else {
      const pgliteDir = path.join(stateDir ?? path.join(root, ".ponder"), "dev-pglite");
      const offchainDir = path.join(stateDir ?? path.join(root, ".ponder"), "dev-offchain");
      rmSync(pgliteDir, { recursive: true, force: true });
      rmSync(offchainDir, { recursive: true, force: true });
      // DATABASE_URL empty, not unset: Ponder would take it from a .env.local.
      database = { DATABASE_URL: "", PGLITE_DIR: pgliteDir, OFFCHAIN_PGLITE_DIR: offchainDir };
      log(`database: PGlite in ${path.relative(root, pgliteDir)} (fresh)`);
    }
    // Plain log lines, not Ponder's terminal UI: that one redraws a status table with escape codes
    // several times a second (megabytes a minute in a log file) and shows port 42069 before the real one.
    const args = ["dev", "--disable-ui", "--hostname", host, "--port", String(port), ...(databaseUrl ? ["--schema", schema] : [])];
    const ponder = spawn(process.execPath, [path.join(root, "node_modules/ponder/dist/esm/bin/ponder.js"), ...args], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, ...database, PONDER_NETWORK: "local", DEPLOYMENT_FILE: deploymentFile },
    });
    const exited = new Promise<void>((resolve) => ponder.once("exit", () => resolve()));
    cleanups.push(async () => {
      if (ponder.exitCode !== null || ponder.signalCode !== null) return;
      ponder.kill("SIGTERM");
      // Ponder waits for in-flight work on SIGTERM; a hung one is killed.
      const timer = setTimeout(() => ponder.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    });
    const done = new Promise<void>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
          log(`${signal}: stopping`);
          resolve();
          // A second signal while stopping: stop waiting for anyone.
          process.once(signal, () => {
            ponder.kill("SIGKILL");
            anvil.process.kill("SIGKILL");
            process.exit(130);
          });
        });
      }
      // `npm run dev` is npm → sh → tsx → this process: if a signal ends a parent without reaching
      // us, we are re-parented; stop rather than leave the chain and the indexer running.
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) {
          log("parent process gone: stopping");
          resolve();
        }
      }, 1000).unref();
      ponder.once("exit", (code, signal) => {
        if (!stopping.signal.aborted) console.error(`dev: ponder exited (${signal ?? code}); stopping`);
        resolve();
      });
    });
    void whenHealthy(`${apiUrl}/health`, stopping.signal).then((up) => {
      if (!up) return;
      console.log(
        `\n  API       ${apiUrl}  (listening on ${host}:${port})` +
          `\n  GraphQL   ${apiUrl}/graphql` +
          `\n  SQL       ${apiUrl}/sql/*` +
          `\n  REST      ${apiUrl}/api/…  ·  docs ${apiUrl}/docs` +
          `\n  status    ${apiUrl}/status  ·  ${apiUrl}/ready` +
          `\n  chain     ${anvil.rpcUrl} (chain ${deployment.chainId}, deployment ${path.relative(root, deploymentFile)})\n`,
      );
    });
    const traffic = flags["no-traffic"]
      ? Promise.resolve()
      : simulate({ rpcUrl: anvil.rpcUrl, deployment, seed, ops: Number.MAX_SAFE_INTEGER, intervalMs, signal: stopping.signal }).then(
          () => {},
          (err: Error) => {
            if (!stopping.signal.aborted) console.error(`dev: simulator stopped: ${err.message}`);
          },
        );
    await done;
    await stopAll();
    await traffic;
    log("stopped (API, indexer, simulator and chain)");
  } catch (err) {
    await stopAll();
    throw err;
  }
});

async function freePortPreferring(preferred: number, host: string): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(preferred, host, () => server.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}

/** Polls until the URL answers 200 (true), or until stopped (false). */
async function whenHealthy(url: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
