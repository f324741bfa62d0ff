// How the API reaches each chain it sends the platform's transactions to: the network, RPC URLs and
// contract addresses ponder.config.ts indexes (same environment, same resolution as
// api/reconcile/env.ts), that chain's sending keys, and a client of its own (not Ponder's RPC queue).
import { createPublicClient, defineChain, type Chain, type PublicClient, type Transport } from "viem";
import { type Address, type ContractName, type Env, type NetworkConfig } from "../../config/network.js";
import { servedNetworks } from "../../config/networks.js";
import { KEY_ROLES, keyVariables, resolveSenderKeys, type KeyRole, type SenderKeys } from "./keys.js";
import { rpcTransport } from "../../config/rpc.js";

export type ChainContext = {
  network: NetworkConfig;
  chain: Chain;
  client: PublicClient<Transport, Chain>;
  contracts: Partial<Record<ContractName, Address>>;
  keys: SenderKeys;
  /** Per role, the variables its key is read from (for the message when none is set). */
  keyVars: Record<KeyRole, string[]>;
  /** Blocks after which Ponder treats a block as final (a reorg deeper than that is fatal to it). */
  finality: number;
};

/** Ponder 0.16's finality depth per chain id (TOOLCHAIN.md). */
export function finalityBlocks(chainId: number): number {
  if (chainId === 1 || chainId === 11155111) return 65;
  if (chainId === 137) return 200;
  if (chainId === 42161) return 240;
  return 30;
}

/** One context per served network, in PONDER_NETWORKS order; a malformed key throws, naming its variable. */
export function chainContextsFromEnv(env: Env = process.env): ChainContext[] {
  const listed = Boolean(env.PONDER_NETWORKS?.trim());
  return servedNetworks(env).map((network) => chainContextFor(network, env, listed));
}

function chainContextFor(network: NetworkConfig, env: Env, listed: boolean): ChainContext {
  const chain = defineChain({
    id: network.chainId,
    name: network.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: network.rpcUrls } },
  });
  const transport = rpcTransport(network.rpcUrls);
  const contracts: Partial<Record<ContractName, Address>> = {};
  for (const [name, placement] of Object.entries(network.contracts)) if (placement) contracts[name as ContractName] = placement.address;
  return {
    network,
    chain,
    client: createPublicClient({ chain, transport, pollingInterval: 250 }),
    contracts,
    keys: resolveSenderKeys(env, network, listed),
    keyVars: Object.fromEntries(KEY_ROLES.map((role) => [role, keyVariables(role, network.name, listed)])) as Record<KeyRole, string[]>,
    finality: finalityBlocks(network.chainId),
  };
}
