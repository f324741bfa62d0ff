// Where reconciliation reads the chain in the API process: the network and RPC URLs ponder.config.ts
// indexes (same environment, same resolution), through a client of its own. Ponder's `publicClients`
// (ponder:api) would send every view call one by one through the indexer's RPC queue; a separate
// client batches them (anvil has no Multicall3) and leaves the indexer's queue alone.
import { existsSync } from "node:fs";
import { createPublicClient, type PublicClient } from "viem";
import { deploymentPath, readDeployment } from "../../config/deployment.js";
import { rpcTransport } from "../../config/rpc.js";
import { resolveNetwork, type ContractName, type Env } from "../../config/network.js";
import type { ContractAddresses } from "./checks.js";
import type { IndexDb, ReconcileDeps } from "./collect.js";

const BATCH = { batchSize: 100 };

export function chainClient(rpcUrls: readonly string[]): PublicClient {
  return createPublicClient({ transport: rpcTransport(rpcUrls, { batch: BATCH }) });
}

export function reconcileDepsFromEnv(db: IndexDb, env: Env = process.env): ReconcileDeps {
  const network = resolveNetwork(env, { path: deploymentPath, exists: existsSync, read: readDeployment });
  const contracts: ContractAddresses = {};
  for (const [name, placement] of Object.entries(network.contracts)) if (placement) contracts[name as ContractName] = placement.address;
  return { db, client: chainClient(network.rpcUrls), contracts, chainName: network.name };
}
