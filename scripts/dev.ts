// npm run dev: the one command for a bare machine. Starts two anvil chains, `local` (31337,
// deployments/local.json) and `local-2` (31338, deployments/local-2.json), deploys every contract on
// both, keeps a simulator producing gentle traffic on each (seeds N and N+1, so the chains differ),
// runs one Ponder over both (PONDER_NETWORKS=local,local-2) on a fresh PGlite (or, with DATABASE_URL,
// fresh schemas of that PostgreSQL) and stops everything on Ctrl-C or SIGTERM. Sign-in, signing,
// write actions and reconciliation serve both chains, with the dev keys on each. It listens on
// loopback only: it runs with the public dev secret and dev keys (config/dev-server.ts).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, runCli, UsageError } from "../cli/flags.js";
import { writeDeployment } from "../config/deployment.js";
import { DEV_HOST, devListenProblem } from "../config/dev-server.js";
import { CONTRACT_NAMES, LOCAL_CHAIN_IDS, prefixedEnvVars, UNPREFIXED_ENV_VARS, type NetworkEnvVars } from "../config/network.js";
import { freePort, startAnvil, type Anvil } from "../devchain/anvil.js";
import { resetDevDatabase } from "../devchain/database.js";
import { deployLocal } from "../devchain/local.js";
import { simulate } from "../devchain/sim/simulator.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The dev chains, in PONDER_NETWORKS order: the first is the one sign-in, signing and write actions use. */
const CHAINS = [
  { network: "local", chainId: LOCAL_CHAIN_IDS[0] },
  { network: "local-2", chainId: LOCAL_CHAIN_IDS[1] },
] as const;
const USAGE = `usage: npm run dev -- [--port N] [--host H] [--schema NAME] [--state-dir DIR] [--seed N] [--interval-ms N] [--no-traffic]
  --port N         API port (default 42069, or a free one when taken)
  --host H         address to listen on (default ${DEV_HOST}: this machine only; any other needs AUTH_SECRET set)
  --schema NAME    with DATABASE_URL set: the PostgreSQL schema of the index (default dev); the offchain
                   store uses NAME_offchain. Both, and both chains' cached RPC rows, are dropped at start
  --state-dir DIR  where the deployment files and the PGlite data go (default deployments/local.json,
                   deployments/local-2.json and .ponder/), e.g. to run a second dev server beside the first
  --seed N         simulator seed of the first chain; the second chain's is N+1 (default 1)
  --interval-ms N  pause between simulated operations, on each chain (default 1000)
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

  log(`starting ${CHAINS.length} local chains (${CHAINS.map((c) => `${c.network} ${c.chainId}`).join(", ")}) and deploying the contracts`);
  const stopping = new AbortController();
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    stopping.abort();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    // Both chains at once; when one fails the other is still waited for, so that it is stopped too.
    const started = await Promise.allSettled(CHAINS.map((c) => startAnvil({ accounts: 60, chainId: c.chainId })));
    for (const r of started) if (r.status === "fulfilled") cleanups.push(() => r.value.stop());
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    const anvils = started.map((r) => (r as PromiseFulfilledResult<Anvil>).value);
    const stateDir = flags["state-dir"] ? path.resolve(flags["state-dir"]) : null;
    const chains = await Promise.all(
      CHAINS.map(async ({ network, chainId }, i) => {
        const anvil = anvils[i]!;
        const deployment = await deployLocal(anvil.rpcUrl, network, chainId);
        // The first chain's file is today's deployments/local.json; the second's is local-2.json beside it.
        const deploymentFile = writeDeployment(deployment, stateDir ? path.join(stateDir, `${network}.json`) : undefined);
        return { network, chainId, anvil, deployment, deploymentFile, seed: seed + i };
      }),
    );
    // Fresh chains need a fresh index and a fresh offchain store: an old run's sent actions would
    // otherwise be re-broadcast to these chains, which have the same ids.
    let database: Record<string, string>;
    if (databaseUrl) {
      const offchainSchema = `${schema}_offchain`;
      await resetDevDatabase({ url: databaseUrl, schema, offchainSchema, chainIds: chains.map((c) => c.chainId) });
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
      env: { ...process.env, ...database, ...ponderNetworkEnv(chains) },
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
            for (const { anvil } of chains) anvil.process.kill("SIGKILL");
            process.exit(130);
          });
        });
      }
      // `npm run dev` is npm → sh → tsx → this process: if a signal ends a parent without reaching
      // us, we are re-parented; stop rather than leave the chains and the indexer running.
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
          chains
            .map((c) => `\n  chain     ${c.anvil.rpcUrl} (${c.network}, chain ${c.chainId}, deployment ${path.relative(root, c.deploymentFile)})`)
            .join("") +
          "\n",
      );
    });
    const traffic = flags["no-traffic"]
      ? Promise.resolve()
      : Promise.all(
          chains.map((c) =>
            simulate({ rpcUrl: c.anvil.rpcUrl, deployment: c.deployment, seed: c.seed, ops: Number.MAX_SAFE_INTEGER, intervalMs, signal: stopping.signal }).then(
              () => {},
              (err: Error) => {
                if (!stopping.signal.aborted) console.error(`dev: simulator on ${c.network} stopped: ${err.message}`);
              },
            ),
          ),
        );
    await done;
    await stopAll();
    await traffic;
    log("stopped (API, indexer, simulators and chains)");
  } catch (err) {
    await stopAll();
    throw err;
  }
});

/** Every per-network variable of `vars` (RPC, WebSocket, polling, deployment file, contracts). */
function networkVarNames(vars: NetworkEnvVars): string[] {
  return [vars.rpcUrl, vars.wsUrl, vars.pollingInterval, vars.deploymentFile, ...CONTRACT_NAMES.flatMap((c) => [vars.address(c), vars.startBlock(c)])];
}

/**
 * Ponder's network variables: PONDER_NETWORKS and each chain's deployment file, and every other
 * network variable a developer's shell (or .env.local, which Ponder reads for what is unset: hence
 * empty, not deleted) may hold blanked: PONDER_NETWORK, DEPLOYMENT_FILE, PONDER_RPC_URL next to
 * PONDER_NETWORKS are an error, and a PONDER_LOCAL_RPC_URL would point the index at another chain.
 */
function ponderNetworkEnv(chains: readonly { network: string; deploymentFile: string }[]): Record<string, string> {
  const env: Record<string, string> = { PONDER_NETWORK: "" };
  for (const vars of [UNPREFIXED_ENV_VARS, ...chains.map((c) => prefixedEnvVars(c.network))]) for (const name of networkVarNames(vars)) env[name] = "";
  for (const c of chains) env[prefixedEnvVars(c.network).deploymentFile] = c.deploymentFile;
  env.PONDER_NETWORKS = chains.map((c) => c.network).join(",");
  return env;
}

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
