// npm run deploy -- --network NAME --rpc URL: deploys every contract to a running chain and
// writes deployments/NAME.json. The deployer key comes from DEPLOYER_PRIVATE_KEY; role addresses
// from SIGNER_ADDRESS, OPERATOR_ADDRESS, PLATFORM_WALLET, VALIDATOR_ADDRESSES, BOT_ADDRESSES
// (comma-separated); USDC_ADDRESS / USDT_ADDRESS use existing tokens instead of deploying the
// public-mint test tokens, and are required outside a local chain. On chain 31337 the dev accounts fill in whatever is not set.
import { createPublicClient, defineChain, http, isAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { roleAccount } from "../config/accounts.js";
import { parseFlags, runCli, UsageError } from "../cli/flags.js";
import { deployAll } from "../devchain/deploy.js";
import { deploymentPath, writeDeployment } from "../config/deployment.js";

const USAGE = `usage: npm run deploy -- --network NAME --rpc URL
  env DEPLOYER_PRIVATE_KEY, SIGNER_ADDRESS, OPERATOR_ADDRESS, PLATFORM_WALLET,
      VALIDATOR_ADDRESSES, BOT_ADDRESSES, USDC_ADDRESS, USDT_ADDRESS
      (required except on a local chain, 31337, where dev accounts and test tokens fill in)`;

function envAddresses(name: string, fallback: Address[] | undefined): Address[] {
  const raw = process.env[name];
  if (!raw) {
    if (fallback) return fallback;
    throw new UsageError(`set ${name} (an address, or a comma-separated list)`);
  }
  const list = raw.split(",").map((s) => s.trim()).filter(Boolean);
  for (const a of list) if (!isAddress(a)) throw new UsageError(`${name}: "${a}" is not an address`);
  return list as Address[];
}

runCli(async () => {
  const flags = parseFlags({ network: { type: "string" }, rpc: { type: "string" }, help: { type: "boolean" } }, USAGE);
  if (flags.help) return console.log(USAGE);
  if (!flags.network) throw new UsageError(`--network is required\n\n${USAGE}`);
  if (!flags.rpc) throw new UsageError(`--rpc is required\n\n${USAGE}`);
  const file = deploymentPath(flags.network);
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport: http(flags.rpc, { retryCount: 0, timeout: 5000 }) }).getChainId();
  } catch {
    throw new Error(`no chain answers at ${flags.rpc}`);
  }
  const local = chainId === 31337;
  const key = process.env.DEPLOYER_PRIVATE_KEY;
  if (!key && !local) throw new UsageError("set DEPLOYER_PRIVATE_KEY (0x-prefixed hex)");
  if (key && !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError("DEPLOYER_PRIVATE_KEY must be 0x followed by 64 hex digits");
  const owner = key ? privateKeyToAccount(key as Hex) : roleAccount("owner");
  const one = (name: string, role: Parameters<typeof roleAccount>[0]) => envAddresses(name, local ? [roleAccount(role).address] : undefined)[0]!;
  const deployment = await deployAll({
    rpcUrl: flags.rpc,
    chain: defineChain({ id: chainId, name: flags.network, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [flags.rpc] } } }),
    network: flags.network,
    owner,
    tokens: {
      USDC: local ? envAddresses("USDC_ADDRESS", [])[0] : envAddresses("USDC_ADDRESS", undefined)[0],
      USDT: local ? envAddresses("USDT_ADDRESS", [])[0] : envAddresses("USDT_ADDRESS", undefined)[0],
    },
    roles: {
      signer: one("SIGNER_ADDRESS", "signer"),
      operator: one("OPERATOR_ADDRESS", "operator"),
      platformWallet: one("PLATFORM_WALLET", "platformWallet"),
      validators: envAddresses("VALIDATOR_ADDRESSES", local ? [roleAccount("validator").address] : undefined),
      bots: envAddresses("BOT_ADDRESSES", local ? [roleAccount("bot").address] : undefined),
    },
  });
  writeDeployment(deployment, file);
  console.log(`deployed to chain ${chainId}; written to ${file}`);
});
