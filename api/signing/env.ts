// What the signing routes run with, from the auth settings and the indexed network: the signer
// account, BookingEscrow's EIP-712 domain, a clock, the index. Missing pieces stay null and the
// routes answer 503 for them instead of failing the start.
import { createPublicClient, type LocalAccount, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ReadDeps } from "../rest/db.js";
import { authRuntime } from "../auth/runtime.js";
import { rpcTransport } from "../../config/rpc.js";
import { chainClock, type Clock } from "./clock.js";
import { escrowDomain, type EscrowDomain } from "./typed-data.js";

export type SigningDeps = {
  read: ReadDeps;
  /** The chain signed for (the primary network): the index is read for its rows only. */
  chainId: number;
  signer: LocalAccount | null;
  /** null when the network has no BookingEscrow. */
  domain: EscrowDomain | null;
  networkName: string;
  now: Clock;
  rateLimitPerMinute: number;
};

function headClient(rpcUrls: readonly string[]): PublicClient | null {
  if (rpcUrls.length === 0) return null;
  // Short and without retries: the clock falls back to the wall clock rather than hold a request.
  return createPublicClient({ transport: rpcTransport(rpcUrls, { timeout: 2_000, retryCount: 0 }) });
}

export function signingDepsFromEnv(read: ReadDeps): SigningDeps {
  const { config, network } = authRuntime();
  const escrow = network.contracts.BookingEscrow?.address;
  return {
    read,
    chainId: network.chainId,
    signer: config.signerPrivateKey ? privateKeyToAccount(config.signerPrivateKey) : null,
    domain: escrow ? escrowDomain(network.chainId, escrow) : null,
    networkName: network.name,
    now: chainClock(headClient(network.rpcUrls)),
    rateLimitPerMinute: config.signingRateLimitPerMinute,
  };
}
