// npm run dev: the one command for a bare machine. Starts anvil, deploys, keeps the simulator
// producing gentle traffic, runs Ponder on a fresh PGlite and stops everything on Ctrl-C.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { freePort, startAnvil } from "../devchain/anvil.js";
import { intFlag, parseFlags, runCli } from "../cli/flags.js";
import { writeDeployment } from "../config/deployment.js";
import { deployLocal } from "../devchain/local.js";
import { simulate } from "../devchain/sim/simulator.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `usage: npm run dev -- [--port N] [--seed N] [--interval-ms N] [--no-traffic]
  --port N         API port (default 42069, or a free one when taken)
  --seed N         simulator seed (default 1)
  --interval-ms N  pause between simulated operations (default 1000)
  --no-traffic     deploy but send no simulated traffic`;

runCli(async () => {
  const flags = parseFlags(
    { port: { type: "string" }, seed: { type: "string" }, "interval-ms": { type: "string" }, "no-traffic": { type: "boolean" }, help: { type: "boolean" } },
    USAGE,
  );
  if (flags.help) return console.log(USAGE);
  const seed = intFlag("seed", flags.seed, 1);
  const intervalMs = intFlag("interval-ms", flags["interval-ms"], 1000);
  const port = flags.port ? intFlag("port", flags.port, 0, 1) : await freePortPreferring(42069);

  const anvil = await startAnvil({ accounts: 60 });
  const stopping = new AbortController();
  const cleanups: (() => Promise<void>)[] = [() => anvil.stop()];
  const stopAll = async () => {
    stopping.abort();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const deployment = await deployLocal(anvil.rpcUrl);
    const deploymentFile = writeDeployment(deployment);
    const pgliteDir = path.join(root, ".ponder", "dev-pglite");
    // A fresh chain needs a fresh index, and a fresh offchain store: an old run's sent actions would
    // otherwise be re-broadcast to this chain, which has the same id.
    const offchainDir = path.join(root, ".ponder", "dev-offchain");
    rmSync(pgliteDir, { recursive: true, force: true });
    rmSync(offchainDir, { recursive: true, force: true });
    const ponder = spawn(process.execPath, [path.join(root, "node_modules/ponder/dist/esm/bin/ponder.js"), "dev", "--port", String(port)], {
      cwd: root,
      stdio: "inherit",
      // Always PGlite (DATABASE_URL empty, not unset: Ponder would take it from a .env.local).
      env: { ...process.env, PONDER_NETWORK: "local", DEPLOYMENT_FILE: deploymentFile, PGLITE_DIR: pgliteDir, OFFCHAIN_PGLITE_DIR: offchainDir, DATABASE_URL: "" },
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (ponder.exitCode !== null) return resolve();
          ponder.once("exit", () => resolve());
          ponder.kill("SIGTERM");
          setTimeout(() => ponder.kill("SIGKILL"), 5000).unref();
        }),
    );
    console.log(
      `\n  chain     ${anvil.rpcUrl} (chain 31337, deployment ${path.relative(root, deploymentFile)})` +
        `\n  GraphQL   http://localhost:${port}/graphql` +
        `\n  SQL       http://localhost:${port}/sql/*` +
        `\n  REST      http://localhost:${port}/api/…  ·  docs http://localhost:${port}/docs` +
        `\n  status    http://localhost:${port}/status  ·  http://localhost:${port}/ready\n`,
    );
    const done = new Promise<void>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      ponder.once("exit", (code) => {
        if (!stopping.signal.aborted) console.error(`ponder exited (${code}); stopping`);
        resolve();
      });
    });
    const traffic = flags["no-traffic"]
      ? Promise.resolve()
      : simulate({ rpcUrl: anvil.rpcUrl, deployment, seed, ops: Number.MAX_SAFE_INTEGER, intervalMs, signal: stopping.signal }).then(
          () => {},
          (err: Error) => {
            if (!stopping.signal.aborted) console.error(`simulator stopped: ${err.message}`);
          },
        );
    await done;
    await stopAll();
    await traffic;
  } catch (err) {
    await stopAll();
    throw err;
  }
});

async function freePortPreferring(preferred: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(preferred, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}
