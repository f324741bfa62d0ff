// Which chains the indexer follows and where the contracts are, from the environment. Pure: the
// environment and the deployment-file reader are passed in, so the rules are unit-tested
// (test/unit/network.test.ts) and ponder.config.ts only wires them to Ponder.
//
// One network (the default):
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
//
// Several networks in one index (instead of PONDER_NETWORK; both set is refused):
//   PONDER_NETWORKS       comma-separated network names, e.g. `base,sepolia` or `local,local-2`; each
//                         is a network as above, and each must be a different chain id
//   PONDER_<STEM>_RPC_URL, PONDER_<STEM>_WS_URL, PONDER_<STEM>_POLLING_INTERVAL_MS,
//   PONDER_<STEM>_DEPLOYMENT_FILE, PONDER_<STEM>_<CONTRACT>_ADDRESS, PONDER_<STEM>_<CONTRACT>_START_BLOCK
//                         the variables above for one listed network, STEM = its name upper-cased with
//                         `-` as `_` (base-sepolia → PONDER_BASE_SEPOLIA_RPC_URL, local-2 →
//                         PONDER_LOCAL_2_DEPLOYMENT_FILE; file networks default to deployments/<name>.json).
//                         With a list the unprefixed ones are refused (which chain they meant would be
//                         a guess, and a wrong guess indexes the wrong thing), and so is a prefixed one
//                         the network does not read (a built-in's DEPLOYMENT_FILE, a file network's contracts)
//
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
  /** Ponder's RPC cache is keyed by chain id: a restarted local chain reuses its id, so none on LOCAL_CHAIN_IDS. */
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
/** The dev server's anvil chains: `local` (deployments/local.json) and `local-2` (deployments/local-2.json). */
export const LOCAL_CHAIN_IDS = [LOCAL_CHAIN_ID, 31338] as const;
export const DEFAULT_NETWORK = "local";
export const DEFAULT_PGLITE_DIR = ".ponder/pglite";

/** A chain id a restarted local anvil reuses for new blocks. */
export function isLocalChain(chainId: number): boolean {
  return (LOCAL_CHAIN_IDS as readonly number[]).includes(chainId);
}

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

/** Own keys only: a name such as "constructor" passes NETWORK_NAME and would find Object's prototype. */
function builtIn(name: string): BuiltInNetwork | undefined {
  return Object.hasOwn(BUILT_IN_NETWORKS, name) ? BUILT_IN_NETWORKS[name] : undefined;
}

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

/**
 * The names of the variables one network is read from: unprefixed for PONDER_NETWORK, prefixed with
 * the network's stem for each entry of PONDER_NETWORKS. The resolution rules take one of these, so
 * both ways of configuring share every rule and every error names the variable to set.
 */
export type NetworkEnvVars = {
  /** The variable the network's name came from. */
  selector: "PONDER_NETWORK" | "PONDER_NETWORKS";
  rpcUrl: string;
  wsUrl: string;
  pollingInterval: string;
  deploymentFile: string;
  address(contract: ContractName): string;
  startBlock(contract: ContractName): string;
};

export const UNPREFIXED_ENV_VARS: NetworkEnvVars = {
  selector: "PONDER_NETWORK",
  rpcUrl: "PONDER_RPC_URL",
  wsUrl: "PONDER_WS_URL",
  pollingInterval: "PONDER_POLLING_INTERVAL_MS",
  deploymentFile: "DEPLOYMENT_FILE",
  address: addressEnvVar,
  startBlock: startBlockEnvVar,
};

/** base-sepolia → BASE_SEPOLIA: a network name as it appears inside a variable name. */
export function networkEnvStem(network: string): string {
  return network.toUpperCase().replaceAll("-", "_");
}

/** The variables of one entry of PONDER_NETWORKS, e.g. PONDER_BASE_SEPOLIA_RPC_URL. */
export function prefixedEnvVars(network: string): NetworkEnvVars {
  const prefix = `PONDER_${networkEnvStem(network)}_`;
  return {
    selector: "PONDER_NETWORKS",
    rpcUrl: `${prefix}RPC_URL`,
    wsUrl: `${prefix}WS_URL`,
    pollingInterval: `${prefix}POLLING_INTERVAL_MS`,
    deploymentFile: `${prefix}DEPLOYMENT_FILE`,
    address: (contract) => `${prefix}${ENV_STEM[contract]}_ADDRESS`,
    startBlock: (contract) => `${prefix}${ENV_STEM[contract]}_START_BLOCK`,
  };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** `network "base" (chain 8453)`: where a setting belongs, for error messages. */
function where(name: string, chainId?: number): string {
  return chainId === undefined ? `network "${name}"` : `network "${name}" (chain ${chainId})`;
}

function parseAddress(raw: string, varName: string, at: string): Address {
  if (!ADDRESS.test(raw)) throw new Error(`${varName} must be a 0x-prefixed 20-byte hex address for ${at}, got "${raw}"`);
  return raw as Address;
}

function parseBlock(raw: string, varName: string, at: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`${varName} must be a non-negative integer block number for ${at}, got "${raw}"`);
  }
  return Number(raw);
}

/**
 * `raw` split at commas into http(s) URLs. `wsVar` is the variable a WebSocket URL belongs in and
 * `at` the network it is for, both only for the error messages.
 */
export function parseRpcUrls(raw: string, varName = "PONDER_RPC_URL", options: { wsVar?: string; at?: string } = {}): string[] {
  const { wsVar = "PONDER_WS_URL" } = options;
  const at = options.at === undefined ? "" : ` for ${options.at}`;
  const urls = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new Error(`${varName} is empty${at}: set it to an HTTP(S) RPC URL or a comma-separated list`);
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new Error(`${varName}: "${u}" is not a URL${at}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new Error(`${varName}: "${u}" must be an http(s) URL${at} (use ${wsVar} for WebSocket)`);
    }
  }
  return urls;
}

function parseWsUrl(env: Env, varName: string, at: string): string | undefined {
  const raw = value(env, varName);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`${varName}: "${raw}" is not a URL (${at})`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") throw new Error(`${varName}: "${raw}" must be a ws(s) URL (${at})`);
  return raw;
}

function parsePollingInterval(env: Env, varName: string, at: string): number | undefined {
  const raw = value(env, varName);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 100) {
    throw new Error(`${varName} must be an integer number of milliseconds >= 100 for ${at}, got "${raw}"`);
  }
  return Number(raw);
}

function builtInNetwork(name: string, known: BuiltInNetwork, env: Env, vars: NetworkEnvVars): NetworkConfig {
  const at = where(name, known.chainId);
  const rawRpc = value(env, vars.rpcUrl);
  if (rawRpc === undefined) {
    throw new Error(`${vars.rpcUrl} is required for ${at}: set it to an HTTP(S) RPC URL, or a comma-separated list of them`);
  }
  const contracts: Partial<Record<ContractName, ContractPlacement>> = {};
  for (const contract of CONTRACT_NAMES) {
    const addressVar = vars.address(contract);
    const startVar = vars.startBlock(contract);
    const entry = known.contracts[contract];
    const envAddress = value(env, addressVar);
    const envStart = value(env, startVar);
    if (entry === undefined && envAddress === undefined) {
      // Not deployed on this network: left out. A start block alone is a configuration mistake.
      if (envStart !== undefined) {
        throw new Error(`${startVar} is set but ${contract} is not on ${at}: set ${addressVar} too, or unset it`);
      }
      continue;
    }
    const rawAddress = envAddress ?? entry?.address;
    if (rawAddress === undefined) {
      throw new Error(`${addressVar} is required for network "${name}": the address of ${contract} on chain ${known.chainId}`);
    }
    const address = parseAddress(rawAddress, envAddress !== undefined ? addressVar : `${contract} address`, at);
    // Without a start block Ponder scans from genesis: correct, only slow. The known deployments carry theirs.
    const startBlock =
      envStart !== undefined
        ? parseBlock(envStart, startVar, at)
        : envAddress === undefined || envAddress.toLowerCase() === entry?.address?.toLowerCase()
          ? (entry?.startBlock ?? 0)
          : 0;
    contracts[contract] = { address, startBlock };
  }
  return {
    name,
    chainId: known.chainId,
    rpcUrls: parseRpcUrls(rawRpc, vars.rpcUrl, { wsVar: vars.wsUrl, at }),
    wsUrl: parseWsUrl(env, vars.wsUrl, at),
    pollingInterval: parsePollingInterval(env, vars.pollingInterval, at),
    disableCache: isLocalChain(known.chainId),
    contracts,
    source: "built-in",
  };
}

function fileNetwork(name: string, file: string, deployments: DeploymentSource, env: Env, vars: NetworkEnvVars): NetworkConfig {
  const deployment = deployments.read(name, file);
  const at = where(name, deployment.chainId);
  const envRpc = value(env, vars.rpcUrl);
  const rawRpc = envRpc ?? deployment.rpcUrl;
  if (rawRpc === undefined) {
    throw new Error(`${vars.rpcUrl} is required for ${at}: ${file} has no rpcUrl`);
  }
  const contracts: Partial<Record<ContractName, ContractPlacement>> = {};
  for (const contract of CONTRACT_NAMES) contracts[contract] = { ...deployment.contracts[contract] };
  return {
    name,
    chainId: deployment.chainId,
    rpcUrls: parseRpcUrls(rawRpc, envRpc !== undefined ? vars.rpcUrl : `rpcUrl in ${file}`, { wsVar: vars.wsUrl, at }),
    wsUrl: parseWsUrl(env, vars.wsUrl, at),
    pollingInterval: parsePollingInterval(env, vars.pollingInterval, at),
    disableCache: isLocalChain(deployment.chainId),
    contracts,
    source: { deploymentFile: file },
  };
}

const NETWORK_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** One network, by a valid name, from the variables `vars` names. */
function namedNetwork(name: string, env: Env, deployments: DeploymentSource, vars: NetworkEnvVars): NetworkConfig {
  const known = builtIn(name);
  if (known) return builtInNetwork(name, known, env, vars);

  const explicitFile = value(env, vars.deploymentFile);
  const file = explicitFile ?? deployments.path(name);
  if (!deployments.exists(file)) {
    if (name === DEFAULT_NETWORK || explicitFile !== undefined) {
      throw new Error(
        `no deployment file for network "${name}" at ${file}: start a local chain (npm run chain), or set ${vars.deploymentFile} to a deployment written by npm run deploy`,
      );
    }
    throw new Error(
      `unknown network "${name}" in ${vars.selector}: expected local, ${Object.keys(BUILT_IN_NETWORKS).join(", ")}, or a network with a deployment file (${file} does not exist; set ${vars.deploymentFile} to use another file)`,
    );
  }
  return fileNetwork(name, file, deployments, env, vars);
}

/**
 * The network to index. Built-in names (base-sepolia, base, sepolia) are configured from SPEC's
 * known deployments plus the environment; `local` and any other name read a deployment file.
 */
export function resolveNetwork(env: Env, deployments: DeploymentSource): NetworkConfig {
  const name = value(env, "PONDER_NETWORK") ?? DEFAULT_NETWORK;
  if (!NETWORK_NAME.test(name)) {
    throw new Error(`PONDER_NETWORK "${name}" is not a valid network name: use lower-case letters, digits and dashes`);
  }
  return namedNetwork(name, env, deployments, UNPREFIXED_ENV_VARS);
}

/** A per-network variable, and which kind of network reads it (the other kind would silently ignore it). */
type PerNetworkVar = { pick: (vars: NetworkEnvVars) => string; builtIn: boolean; file: boolean };

const PER_NETWORK_VARS: readonly PerNetworkVar[] = [
  { pick: (v) => v.rpcUrl, builtIn: true, file: true },
  { pick: (v) => v.wsUrl, builtIn: true, file: true },
  { pick: (v) => v.pollingInterval, builtIn: true, file: true },
  // A built-in network's contracts are SPEC's plus the environment; a file network's are its file's.
  { pick: (v) => v.deploymentFile, builtIn: false, file: true },
  ...CONTRACT_NAMES.flatMap((c): PerNetworkVar[] => [
    { pick: (v) => v.address(c), builtIn: true, file: false },
    { pick: (v) => v.startBlock(c), builtIn: true, file: false },
  ]),
];

function reads(variable: PerNetworkVar, network: string): boolean {
  return builtIn(network) ? variable.builtIn : variable.file;
}

/** PONDER_NETWORKS as names: trimmed, empty entries dropped, each valid, none twice, at least one. */
function parseNetworkList(raw: string): string[] {
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`PONDER_NETWORKS lists no network: set it to comma-separated network names, e.g. "base,sepolia"`);
  const seen = new Set<string>();
  for (const name of names) {
    if (!NETWORK_NAME.test(name)) {
      throw new Error(`PONDER_NETWORKS: "${name}" is not a valid network name: use lower-case letters, digits and dashes`);
    }
    if (seen.has(name)) throw new Error(`PONDER_NETWORKS lists network "${name}" twice: list each network once`);
    seen.add(name);
  }
  return names;
}

/**
 * With a list, an unprefixed per-network variable is a mistake: it is for one of the chains, and
 * which one is a guess. The error names the prefixed variable of each listed network that reads it.
 */
function rejectUnprefixed(env: Env, names: string[]): void {
  for (const variable of PER_NETWORK_VARS) {
    const unprefixed = variable.pick(UNPREFIXED_ENV_VARS);
    if (value(env, unprefixed) === undefined) continue;
    const instead = names
      .filter((name) => reads(variable, name))
      .map((name) => `${variable.pick(prefixedEnvVars(name))} for ${where(name, builtIn(name)?.chainId)}`);
    throw new Error(
      instead.length > 0
        ? `${unprefixed} is set, but with PONDER_NETWORKS each network has its own variables: set ${instead.join(", or ")} instead, and unset ${unprefixed}`
        : `${unprefixed} is set, but no network in PONDER_NETWORKS (${names.join(", ")}) reads it: unset it`,
    );
  }
}

/** A prefixed variable the network's kind does not read would be silently ignored: refused instead. */
function rejectUnread(env: Env, network: NetworkConfig): void {
  const vars = prefixedEnvVars(network.name);
  for (const variable of PER_NETWORK_VARS) {
    const name = variable.pick(vars);
    if (reads(variable, network.name) || value(env, name) === undefined) continue;
    const why =
      network.source === "built-in"
        ? `it is a built-in network, which reads no deployment file`
        : `its contracts come from ${network.source.deploymentFile}`;
    throw new Error(`${name} is set, but ${where(network.name, network.chainId)} does not read it (${why}): unset it`);
  }
}

function describeSource(network: NetworkConfig): string {
  return network.source === "built-in" ? "built-in" : `from ${network.source.deploymentFile}`;
}

/** Ponder keys its chains (and RPC cache) by id: two names for one chain would index it twice. */
function rejectSharedChainIds(networks: NetworkConfig[]): void {
  const byChain = new Map<number, NetworkConfig>();
  for (const network of networks) {
    const other = byChain.get(network.chainId);
    if (other) {
      throw new Error(
        `networks "${other.name}" (${describeSource(other)}) and "${network.name}" (${describeSource(network)}) in PONDER_NETWORKS are both chain ${network.chainId}: each network must be a different chain`,
      );
    }
    byChain.set(network.chainId, network);
  }
}

/**
 * The networks to index: the PONDER_NETWORKS list, each configured from its own prefixed variables,
 * or, when PONDER_NETWORKS is unset or blank, the one network of resolveNetwork.
 */
export function resolveNetworks(env: Env, deployments: DeploymentSource): NetworkConfig[] {
  const list = value(env, "PONDER_NETWORKS");
  if (list === undefined) return [resolveNetwork(env, deployments)];
  const single = value(env, "PONDER_NETWORK");
  if (single !== undefined) {
    throw new Error(
      `PONDER_NETWORK ("${single}") and PONDER_NETWORKS ("${list}") are both set: use one or the other: PONDER_NETWORK for one network with unprefixed variables, PONDER_NETWORKS for a list with prefixed ones`,
    );
  }
  const names = parseNetworkList(list);
  rejectUnprefixed(env, names);
  const networks = names.map((name) => namedNetwork(name, env, deployments, prefixedEnvVars(name)));
  for (const network of networks) rejectUnread(env, network);
  rejectSharedChainIds(networks);
  return networks;
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
