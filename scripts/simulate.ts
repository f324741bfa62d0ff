// npm run simulate -- --seed N --ops N [--network local | --deployment FILE] [--rpc URL] [--profile mixed|bench] [--out FILE]
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { intFlag, parseFlags, runCli, UsageError } from "../cli/flags.js";
import { deploymentPath, readDeployment } from "../config/deployment.js";
import { simulate, type Profile } from "../devchain/sim/simulator.js";
import { summarize } from "../devchain/sim/summary.js";

const USAGE = `usage: npm run simulate -- --seed N --ops N [options]
  --seed N            PRNG seed (default 1); the same seed on a fresh chain gives the same events
  --ops N             operations to perform (default 1000)
  --network NAME      reads deployments/NAME.json (default local)
  --deployment FILE   a deployment file instead of --network
  --rpc URL           RPC endpoint (default: the deployment's rpcUrl)
  --profile P         mixed (every function, default) or bench (mostly batch purchases)
  --block-size N      transactions per block (default 200)
  --interval-ms N     pause after every operation, for gentle live traffic (default 0)
  --out FILE          summary file (default deployments/NAME.summary.json)
  --no-summary        skip the summary`;

runCli(async () => {
  const flags = parseFlags(
    {
      seed: { type: "string" }, ops: { type: "string" }, network: { type: "string" }, deployment: { type: "string" },
      rpc: { type: "string" }, profile: { type: "string" }, "block-size": { type: "string" }, "interval-ms": { type: "string" },
      out: { type: "string" }, "no-summary": { type: "boolean" }, help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) return console.log(USAGE);
  const profile = (flags.profile ?? "mixed") as Profile;
  if (profile !== "mixed" && profile !== "bench") throw new UsageError(`--profile must be mixed or bench, got "${flags.profile}"`);
  const seed = intFlag("seed", flags.seed, 1);
  const ops = intFlag("ops", flags.ops, 1000);
  const blockSize = intFlag("block-size", flags["block-size"], 200, 1);
  const intervalMs = intFlag("interval-ms", flags["interval-ms"], 0);
  const network = flags.network ?? "local";
  const deploymentFile = flags.deployment ? path.resolve(flags.deployment) : deploymentPath(network);
  const deployment = readDeployment(network, deploymentFile);
  const rpcUrl = flags.rpc ?? deployment.rpcUrl;
  if (!rpcUrl) throw new UsageError("no RPC URL: pass --rpc or add rpcUrl to the deployment file");

  const started = Date.now();
  const result = await simulate({
    rpcUrl, deployment, seed, ops, profile,
    blockSize,
    intervalMs,
    onProgress: (done, total) => console.error(`  ${done}/${total} ops`),
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`simulated ${ops} ops (seed ${seed}, ${profile}): ${result.transactions} transactions in ${result.blocks} blocks, ${seconds.toFixed(1)} s`);
  if (result.failures.length > 0) {
    console.error(`${result.failures.length} transactions reverted, first: ${result.failures.slice(0, 5).map((f) => `${f.label} ${f.hash}`).join(", ")}`);
  }
  if (!flags["no-summary"]) {
    const summary = await summarize(rpcUrl, deployment, result);
    const out = flags.out ? path.resolve(flags.out) : deploymentFile.replace(/\.json$/, ".summary.json");
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ seed, ops, profile, ...summary }, null, 2)}\n`);
    console.log(`${summary.logs.count} contract events (digest ${summary.logs.digest}); summary written to ${out}`);
  }
  if (result.failures.length > 0) process.exitCode = 1;
});
