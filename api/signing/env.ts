// What the signing routes run with, from the auth settings and the indexed networks: the signer
// account and, per chain, BookingEscrow's EIP-712 domain and a clock; the index. Missing pieces
// stay null and the routes answer 503 for them instead of failing the start.
import { createPublicClient, type LocalAccount, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ReadDeps } from "../rest/db.js";
import { authRuntime } from "../auth/runtime.js";
import { servedNetworks } from "../../config/networks.js";
import { rpcTransport } from "../../config/rpc.js";
import { chainClock, type Clock } from "./clock.js";
import { escrowDomain, type EscrowDomain } from "./typed-data.js";

/** One chain signed for: the index is read for its rows only, and its block time is its clock. */
export type SigningChain = {
  chainId: number;
  networkName: string;
  /** null when the network has no BookingEscrow. */
  domain: EscrowDomain | null;
  now: Clock;
};

export type SigningDeps = {
  read: ReadDeps;
  signer: LocalAccount | null;
  /** Every served chain, in PONDER_NETWORKS order. */
  chains: SigningChain[];
  rateLimitPerMinute: number;
};

function headClient(rpcUrls: readonly string[]): PublicClient | null {
  if (rpcUrls.length === 0) return null;
  // Short and without retries: the clock falls back to the wall clock rather than hold a request.
  return createPublicClient({ transport: rpcTransport(rpcUrls, { timeout: 2_000, retryCount: 0 }) });
}

export function signingDepsFromEnv(read: ReadDeps): SigningDeps {
  const { config } = authRuntime();
  return {
    read,
    signer: config.signerPrivateKey ? privateKeyToAccount(config.signerPrivateKey) : null,
    chains: servedNetworks().map((network) => {
      const escrow = network.contracts.BookingEscrow?.address;
      return {
        chainId: network.chainId,
        networkName: network.name,
        domain: escrow ? escrowDomain(network.chainId, escrow) : null,
        now: chainClock(headClient(network.rpcUrls)),
      };
    }),
    rateLimitPerMinute: config.signingRateLimitPerMinute,
  };
}
