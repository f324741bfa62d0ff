// Whether `signature` is `address`'s signature of a sign-in message. An EOA's is recovered
// locally; anything else is put to the chain (ERC-1271 `isValidSignature` of a deployed
// smart-contract wallet, ERC-6492 for one not deployed yet), so Safe or Coinbase Smart Wallet
// users can sign in too. Only a signature that fails locally costs an RPC call.
import { createPublicClient, fallback, http, isErc6492Signature, verifyMessage, type Address, type Hex, type PublicClient } from "viem";
import { ApiError } from "../http/errors.js";

export type MessageVerifier = (address: Address, message: string, signature: Hex) => Promise<boolean>;

export function messageVerifier(client: PublicClient | null): MessageVerifier {
  return async (address, message, signature) => {
    try {
      if (await verifyMessage({ address, message, signature })) return true;
    } catch {
      // not a 65-byte ECDSA signature: maybe a contract wallet's
    }
    if (!client) return false;
    // viem's verifyMessage answers false for an RPC failure too, so whether the chain answers is
    // found out first (and an address without code and without an ERC-6492 wrapper is an EOA whose
    // signature just failed: no call needed).
    const unavailable = (err: Error) => {
      throw new ApiError(503, "chain_unavailable", "could not ask the chain whether this contract wallet signed the message; try again", {
        reason: err.message.split("\n")[0],
      });
    };
    const code = await client.getCode({ address }).catch(unavailable);
    if (!code && !isErc6492Signature(signature)) return false;
    return client.verifyMessage({ address, message, signature }).catch(unavailable);
  };
}

/** A client for the indexed chain's RPC URLs; none configured: EOA signatures only. */
export function chainClient(rpcUrls: readonly string[]): PublicClient | null {
  if (rpcUrls.length === 0) return null;
  const opts = { timeout: 5_000, retryCount: 1 };
  return createPublicClient({ transport: rpcUrls.length === 1 ? http(rpcUrls[0], opts) : fallback(rpcUrls.map((u) => http(u, opts))) });
}
