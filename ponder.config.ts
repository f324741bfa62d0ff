// Ponder configuration: one network per process, chosen by PONDER_NETWORK (see
// config/network.ts for every variable). Every contract is always declared, so the handlers
// in src/ register on any network; a contract the network does not have gets no chain entry and
// therefore no logs.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createConfig } from "ponder";
import { BookingEscrowAbi } from "./abis/BookingEscrow.js";
import { EventTicketNFTAbi } from "./abis/EventTicketNFT.js";
import { OracleHubAbi } from "./abis/OracleHub.js";
import { PaymentProcessorAbi } from "./abis/PaymentProcessor.js";
import { QRPaymentAbi } from "./abis/QRPayment.js";
import { resolveDatabase, resolveNetwork, type ContractName, type ContractPlacement } from "./config/network.js";
import { deploymentPath, readDeployment } from "./config/deployment.js";
import { indexerTransport } from "./config/rpc.js";

const network = resolveNetwork(process.env, {
  path: deploymentPath,
  exists: existsSync,
  read: readDeployment,
});
const database = resolveDatabase(process.env);
/** A relative PGLITE_DIR is relative to the project root (where this file is), whatever the cwd. */
const rootDir = path.dirname(fileURLToPath(import.meta.url));

// A transport of ours rather than the URLs: transient RPC faults are retried before Ponder's rate limiter sees them (config/rpc.ts).
const rpc = indexerTransport(network.rpcUrls);

/** `{ [network]: { address, startBlock } }` when the network has the contract, else `{}` (no sources). */
function on(contract: ContractName): Record<string, ContractPlacement> {
  const placement = network.contracts[contract];
  return placement ? { [network.name]: placement } : {};
}

export default createConfig({
  database:
    database.kind === "postgres"
      ? { kind: "postgres", connectionString: database.connectionString }
      : { kind: "pglite", directory: path.resolve(rootDir, database.directory) },
  chains: {
    [network.name]: {
      id: network.chainId,
      rpc,
      ...(network.wsUrl ? { ws: network.wsUrl } : {}),
      ...(network.pollingInterval ? { pollingInterval: network.pollingInterval } : {}),
      disableCache: network.disableCache,
    },
  },
  contracts: {
    BookingEscrow: { abi: BookingEscrowAbi, chain: on("BookingEscrow") },
    EventTicketNFT: { abi: EventTicketNFTAbi, chain: on("EventTicketNFT") },
    PaymentProcessor: { abi: PaymentProcessorAbi, chain: on("PaymentProcessor") },
    QRPayment: { abi: QRPaymentAbi, chain: on("QRPayment") },
    OracleHub: { abi: OracleHubAbi, chain: on("OracleHub") },
  },
});
