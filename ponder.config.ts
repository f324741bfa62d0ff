// Ponder configuration: one index over the networks of PONDER_NETWORKS, or the one network of
// PONDER_NETWORK (see config/network.ts for every variable). Every contract is always declared, so
// the handlers in src/ register on any network; a contract is placed on each network that has it,
// and one no network has gets no chain entry and therefore no logs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createConfig } from "ponder";
import { BookingEscrowAbi } from "./abis/BookingEscrow.js";
import { EventTicketNFTAbi } from "./abis/EventTicketNFT.js";
import { OracleHubAbi } from "./abis/OracleHub.js";
import { PaymentProcessorAbi } from "./abis/PaymentProcessor.js";
import { QRPaymentAbi } from "./abis/QRPayment.js";
import { resolveDatabase, type ContractName, type ContractPlacement, type NetworkConfig } from "./config/network.js";
import { servedNetworks } from "./config/networks.js";
import { indexerTransport } from "./config/rpc.js";

const networks = servedNetworks(process.env);
const database = resolveDatabase(process.env);
/** A relative PGLITE_DIR is relative to the project root (where this file is), whatever the cwd. */
const rootDir = path.dirname(fileURLToPath(import.meta.url));

function chain(network: NetworkConfig) {
  return {
    id: network.chainId,
    // A transport of ours rather than the URLs: transient RPC faults are retried before Ponder's rate limiter sees them (config/rpc.ts).
    rpc: indexerTransport(network.rpcUrls),
    ...(network.wsUrl ? { ws: network.wsUrl } : {}),
    ...(network.pollingInterval ? { pollingInterval: network.pollingInterval } : {}),
    disableCache: network.disableCache,
  };
}

/** `{ [network]: { address, startBlock } }` for each network that has the contract; `{}` when none does (no sources). */
function on(contract: ContractName): Record<string, ContractPlacement> {
  const placements: Record<string, ContractPlacement> = {};
  for (const network of networks) {
    const placement = network.contracts[contract];
    if (placement) placements[network.name] = placement;
  }
  return placements;
}

export default createConfig({
  // Each chain advances on its own: handlers never read another chain's rows, so cross-chain order is
  // irrelevant (a reorg on one chain replays the other chains' later events too: Ponder's runtime/realtime.ts reschedules them).
  ordering: "multichain",
  database:
    database.kind === "postgres"
      ? { kind: "postgres", connectionString: database.connectionString }
      : { kind: "pglite", directory: path.resolve(rootDir, database.directory) },
  chains: Object.fromEntries(networks.map((network) => [network.name, chain(network)])),
  contracts: {
    BookingEscrow: { abi: BookingEscrowAbi, chain: on("BookingEscrow") },
    EventTicketNFT: { abi: EventTicketNFTAbi, chain: on("EventTicketNFT") },
    PaymentProcessor: { abi: PaymentProcessorAbi, chain: on("PaymentProcessor") },
    QRPayment: { abi: QRPaymentAbi, chain: on("QRPayment") },
    OracleHub: { abi: OracleHubAbi, chain: on("OracleHub") },
  },
});
