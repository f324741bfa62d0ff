// Which chain the indexer follows and where the contracts are, from the environment. Pure: the
// environment and the deployment-file reader are passed in, so the rules are unit-tested
// (test/unit/network.test.ts) and ponder.config.ts only wires them to Ponder.
//
// Environment:
//   PONDER_NETWORK        local (default) | base-sepolia | base | sepolia | any name with a
//                         deployments/<name>.json written by `npm run deploy` (e.g. local-sim)
//   DEPLOYMENT_FILE       deployment file for local / file-based networks (default deployments/<name>.json)
//   PONDER_RPC_URL        HTTP RPC URL, or a comma-separated list (tried in order, viem `fallback`);
//                         required on built-in networks, defaults to the deployment's rpcUrl otherwise
//   PONDER_WS_URL         optional WebSocket URL for new blocks
//   PONDER_POLLING_INTERVAL_MS  optional block polling interval (Ponder's default: 1000)
//   PONDER_<CONTRACT>_ADDRESS / PONDER_<CONTRACT>_START_BLOCK  (CONTRACT = BOOKING_ESCROW,
//                         EVENT_TICKET_NFT, PAYMENT_PROCESSOR, QR_PAYMENT, ORACLE_HUB): address and
//                         first block of a contract on a built-in network; override the known
//                         deployment, supply one the network needs, or add one it does not list
//   DATABASE_URL          PostgreSQL connection string; unset → PGlite
//   PGLITE_DIR            PGlite data directory (default .ponder/pglite)

import type { Deployment } from "./deployment.js";

export type Address = `0x${string}`;

export const CONTRACT_NAMES = ["BookingEscrow", "EventTicketNFT", "PaymentProcessor", "QRPayment", "OracleHub"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export type ContractPlacement = { address: Address; startBlock: number };

export type NetworkConfig = {
  /** Ponder chain name (the network name). */
  name: string;
  chainId: number;
  /** One or more HTTP RPC URLs; several are used as a viem `fallback`. */
  rpcUrls: string[];
  wsUrl?: string;
  pollingInterval?: number;
  /** Ponder's RPC cache is keyed by chain id: a restarted local chain reuses 31337, so no cache there. */
  disableCache: boolean;
  /** Contracts present on this network; the others are left out of indexing. */
  contracts: Partial<Record<ContractName, ContractPlacement>>;
  /** Where the contract list came from, for logs. */
  source: "built-in" | { deploymentFile: string };
};

export type DatabaseSettings = { kind: "postgres"; connectionString: string } | { kind: "pglite"; directory: string };

export type Env = Record<string, string | undefined>;

export type DeploymentSource = {
  /** Path of the default deployment file of a network. */
  path(network: string): string;
  exists(file: string): boolean;
  read(network: string, file: string): Deployment;
};

export const LOCAL_CHAIN_ID = 31337;
export const DEFAULT_NETWORK = "local";
export const DEFAULT_PGLITE_DIR = ".ponder/pglite";

/** A contract a built-in network has: with its known address, or one the environment must supply. */
type KnownContract = { address?: Address; startBlock?: number };

type BuiltInNetwork = { chainId: number; contracts: Partial<Record<ContractName, KnownContract>> };

/** The real deployments SPEC §1 names. */
export const BUILT_IN_NETWORKS: Record<string, BuiltInNetwork> = {
  "base-sepolia": {
    chainId: 84532,
    contracts: { BookingEscrow: { address: "0x33ddEd6F8183aa4dAB04E2aE216a5a3f9871405a", startBlock: 30740428 } },
  },
  base: {
    chainId: 8453,
    contracts: { EventTicketNFT: {}, PaymentProcessor: {} },
  },
  sepolia: {
    chainId: 11155111,
    contracts: { QRPayment: { address: "0x30B25eEd981bcc3E25eF0fEAF0D67D6ECD7FeDec" }, OracleHub: {} },
  },
};

const ENV_STEM: Record<ContractName, string> = {
  BookingEscrow: "BOOKING_ESCROW",
  EventTicketNFT: "EVENT_TICKET_NFT",
  PaymentProcessor: "PAYMENT_PROCESSOR",
  QRPayment: "QR_PAYMENT",
  OracleHub: "ORACLE_HUB",
};

export function addressEnvVar(contract: ContractName): string {
  return `PONDER_${ENV_STEM[contract]}_ADDRESS`;
}

export function startBlockEnvVar(contract: ContractName): string {
  return `PONDER_${ENV_STEM[contract]}_START_BLOCK`;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function parseAddress(raw: string, varName: string): Address {
  if (!ADDRESS.test(raw)) throw new Error(`${varName} must be a 0x-prefixed 20-byte hex address, got "${raw}"`);
  return raw as Address;
}

function parseBlock(raw: string, varName: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`${varName} must be a non-negative integer block number, got "${raw}"`);
  }
  return Number(raw);
}

export function parseRpcUrls(raw: string, varName = "PONDER_RPC_URL"): string[] {
  const urls = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new Error(`${varName} is empty: set it to an HTTP(S) RPC URL or a comma-separated list`);
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new Error(`${varName}: "${u}" is not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new Error(`${varName}: "${u}" must be an http(s) URL (use PONDER_WS_URL for WebSocket)`);
    }
  }
  return urls;
}

function parseWsUrl(env: Env): string | undefined {
  const raw = value(env, "PONDER_WS_URL");
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`PONDER_WS_URL: "${raw}" is not a URL`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") throw new Error(`PONDER_WS_URL: "${raw}" must be a ws(s) URL`);
  return raw;
}

function parsePollingInterval(env: Env): number | undefined {
  const raw = value(env, "PONDER_POLLING_INTERVAL_MS");
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 100) {
    throw new Error(`PONDER_POLLING_INTERVAL_MS must be an integer number of milliseconds >= 100, got "${raw}"`);
  }
  return Number(raw);
}

function builtInNetwork(name: string, known: BuiltInNetwork, env: Env): NetworkConfig {
  const rawRpc = value(env, "PONDER_RPC_URL");
  if (rawRpc === undefined) {
    throw new Error(
      `PONDER_RPC_URL is required for network "${name}" (chain ${known.chainId}): set it to an HTTP(S) RPC URL, or a comma-separated list of them`,
    );
  }
  const contracts: Partial<Record<ContractName, ContractPlacement>> = {};
  for (const contract of CONTRACT_NAMES) {
    const entry = known.contracts[contract];
    const envAddress = value(env, addressEnvVar(contract));
    const envStart = value(env, startBlockEnvVar(contract));
    if (entry === undefined && envAddress === undefined) {
      // Not deployed on this network: left out. A start block alone is a configuration mistake.
      if (envStart !== undefined) {
        throw new Error(`${startBlockEnvVar(contract)} is set but ${contract} is not on network "${name}": set ${addressEnvVar(contract)} too, or unset it`);
      }
      continue;
    }
    const rawAddress = envAddress ?? entry?.address;
    if (rawAddress === undefined) {
      throw new Error(`${addressEnvVar(contract)} is required for network "${name}": the address of ${contract} on chain ${known.chainId}`);
    }
    const address = parseAddress(rawAddress, envAddress !== undefined ? addressEnvVar(contract) : `${contract} address`);
    // Without a start block Ponder scans from genesis: correct, only slow. The known deployments carry theirs.
    const startBlock =
      envStart !== undefined
        ? parseBlock(envStart, startBlockEnvVar(contract))
        : envAddress === undefined || envAddress.toLowerCase() === entry?.address?.toLowerCase()
          ? (entry?.startBlock ?? 0)
          : 0;
    contracts[contract] = { address, startBlock };
  }
  return {
    name,
    chainId: known.chainId,
    rpcUrls: parseRpcUrls(rawRpc),
    wsUrl: parseWsUrl(env),
    pollingInterval: parsePollingInterval(env),
    disableCache: known.chainId === LOCAL_CHAIN_ID,
    contracts,
    source: "built-in",
  };
}

function fileNetwork(name: string, file: string, deployments: DeploymentSource, env: Env): NetworkConfig {
  const deployment = deployments.read(name, file);
  const rawRpc = value(env, "PONDER_RPC_URL") ?? deployment.rpcUrl;
  if (rawRpc === undefined) {
    throw new Error(`PONDER_RPC_URL is required for network "${name}": ${file} has no rpcUrl`);
  }
  const contracts: Partial<Record<ContractName, ContractPlacement>> = {};
  for (const contract of CONTRACT_NAMES) contracts[contract] = { ...deployment.contracts[contract] };
  return {
    name,
    chainId: deployment.chainId,
    rpcUrls: parseRpcUrls(rawRpc, value(env, "PONDER_RPC_URL") !== undefined ? "PONDER_RPC_URL" : `rpcUrl in ${file}`),
    wsUrl: parseWsUrl(env),
    pollingInterval: parsePollingInterval(env),
    disableCache: deployment.chainId === LOCAL_CHAIN_ID,
    contracts,
    source: { deploymentFile: file },
  };
}

const NETWORK_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The network to index. Built-in names (base-sepolia, base, sepolia) are configured from SPEC's
 * known deployments plus the environment; `local` and any other name read a deployment file.
 */
export function resolveNetwork(env: Env, deployments: DeploymentSource): NetworkConfig {
  const name = value(env, "PONDER_NETWORK") ?? DEFAULT_NETWORK;
  if (!NETWORK_NAME.test(name)) {
    throw new Error(`PONDER_NETWORK "${name}" is not a valid network name: use lower-case letters, digits and dashes`);
  }
  const known = BUILT_IN_NETWORKS[name];
  if (known) return builtInNetwork(name, known, env);

  const explicitFile = value(env, "DEPLOYMENT_FILE");
  const file = explicitFile ?? deployments.path(name);
  if (!deployments.exists(file)) {
    if (name === DEFAULT_NETWORK || explicitFile !== undefined) {
      throw new Error(
        `no deployment file for network "${name}" at ${file}: start a local chain (npm run chain), or set DEPLOYMENT_FILE to a deployment written by npm run deploy`,
      );
    }
    throw new Error(
      `unknown network "${name}" in PONDER_NETWORK: expected local, ${Object.keys(BUILT_IN_NETWORKS).join(", ")}, or a network with a deployment file (${file} does not exist; set DEPLOYMENT_FILE to use another file)`,
    );
  }
  return fileNetwork(name, file, deployments, env);
}

/** `DATABASE_URL` → PostgreSQL; otherwise PGlite in `PGLITE_DIR`. */
export function resolveDatabase(env: Env): DatabaseSettings {
  const url = value(env, "DATABASE_URL");
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// connection string`);
    return { kind: "postgres", connectionString: url };
  }
  const directory = value(env, "PGLITE_DIR") ?? DEFAULT_PGLITE_DIR;
  if (directory.startsWith("memory://")) {
    // Ponder 0.16's `start` crashes on an in-memory PGlite: a directory is required.
    throw new Error(`PGLITE_DIR must be a directory: in-memory PGlite ("memory://") crashes ponder start in 0.16`);
  }
  return { kind: "pglite", directory };
}
