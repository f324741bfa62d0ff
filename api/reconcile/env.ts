// Where reconciliation reads the chains in the API process: the networks and RPC URLs ponder.config.ts
// indexes (same environment, same resolution), each through a client of its own. Ponder's `publicClients`
// (ponder:api) would send every view call one by one through the indexer's RPC queue; a separate
// client batches them (anvil has no Multicall3) and leaves the indexer's queue alone.
import { createPublicClient, type PublicClient } from "viem";
import { rpcTransport } from "../../config/rpc.js";
import { type ContractName, type Env, type NetworkConfig } from "../../config/network.js";
import { servedNetworks } from "../../config/networks.js";
import type { ContractAddresses } from "./checks.js";
import type { IndexDb, ReconcileDeps } from "./collect.js";

const BATCH = { batchSize: 100 };

export function chainClient(rpcUrls: readonly string[]): PublicClient {
  return createPublicClient({ transport: rpcTransport(rpcUrls, { batch: BATCH }) });
}

/** One network's reads: its own client, its contracts, and its id and name (Ponder's chain name). */
export function reconcileDepsFor(db: IndexDb, network: NetworkConfig): ReconcileDeps {
  const contracts: ContractAddresses = {};
  for (const [name, placement] of Object.entries(network.contracts)) if (placement) contracts[name as ContractName] = placement.address;
  return { db, client: chainClient(network.rpcUrls), contracts, chainId: network.chainId, chainName: network.name };
}

/** Every served network's reads, in served (PONDER_NETWORKS) order: the first is the primary network. */
export function reconcileChainsFromEnv(db: IndexDb, env: Env = process.env): ReconcileDeps[] {
  return servedNetworks(env).map((network) => reconcileDepsFor(db, network));
}
