// npm run chain -- [--port N] [--block-time S] [--network NAME]: a local anvil with every contract
// deployed and wired, written to deployments/NAME.json; runs until Ctrl-C.
import { startAnvil } from "../devchain/anvil.js";
import { intFlag, parseFlags, runCli, UsageError } from "../cli/flags.js";
import { deploymentPath, writeDeployment } from "../config/deployment.js";
import { deployLocal } from "../devchain/local.js";

const USAGE = `usage: npm run chain -- [--port N] [--block-time S] [--accounts N] [--network NAME]
  --port N        port to listen on (default: a free one)
  --block-time S  interval mining every S seconds (default: a block per transaction)
  --accounts N    unlocked dev accounts (default 60; the simulator's actors start at the 7th)
  --network NAME  deployment file name (default local → deployments/local.json)`;

runCli(async () => {
  const flags = parseFlags(
    { port: { type: "string" }, "block-time": { type: "string" }, accounts: { type: "string" }, network: { type: "string" }, help: { type: "boolean" } },
    USAGE,
  );
  if (flags.help) return console.log(USAGE);
  const network = flags.network ?? "local";
  if (!network.startsWith("local")) throw new UsageError(`--network for a local chain must start with "local", got "${network}"`);
  deploymentPath(network); // validates the name before anything starts
  const anvil = await startAnvil({
    port: flags.port ? intFlag("port", flags.port, 0, 1) : undefined,
    blockTime: flags["block-time"] ? intFlag("block-time", flags["block-time"], 1, 1) : undefined,
    accounts: intFlag("accounts", flags.accounts, 60, 12),
  });
  try {
    const file = writeDeployment(await deployLocal(anvil.rpcUrl, network));
    console.log(`anvil (pid ${anvil.process.pid}) at ${anvil.rpcUrl}, chain ${anvil.chainId}; deployment written to ${file}`);
  } catch (err) {
    await anvil.stop();
    throw err;
  }
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
    anvil.process.once("exit", () => resolve());
  });
  await anvil.stop();
});
