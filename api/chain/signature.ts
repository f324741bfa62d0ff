// Whether `signature` is `address`'s signature of `hash` (an EIP-191 message hash, an EIP-712
// typed-data hash). An EOA's is recovered locally; anything else is put to the chain (ERC-1271
// `isValidSignature` of a deployed smart-contract wallet, ERC-6492 for one not deployed yet), so
// Safe or Coinbase Smart Wallet users can sign in and check in too. Only a signature that fails
// locally costs an RPC call.
import { createPublicClient, isAddressEqual, isErc6492Signature, recoverAddress, type Address, type Hex, type PublicClient } from "viem";
import { ApiError } from "../http/errors.js";
import { rpcTransport } from "../../config/rpc.js";

export type HashVerifier = (address: Address, hash: Hex, signature: Hex) => Promise<boolean>;

export function signedBy(client: PublicClient | null): HashVerifier {
  return async (address, hash, signature) => {
    try {
      if (isAddressEqual(await recoverAddress({ hash, signature }), address)) return true;
    } catch {
      // not a 64/65-byte ECDSA signature: maybe a contract wallet's
    }
    if (!client) return false;
    // viem's verifyHash answers false for an RPC failure too, so whether the chain answers is
    // found out first; an address without code, and without an ERC-6492 wrapper, is an EOA whose
    // signature just failed: no call needed.
    const unavailable = (err: Error): never => {
      throw new ApiError(503, "chain_unavailable", "could not ask the chain whether a contract wallet signed this; try again", {
        reason: err.message.split("\n")[0],
      });
    };
    const code = await client.getCode({ address }).catch(unavailable);
    if (!code && !isErc6492Signature(signature)) return false;
    return client.verifyHash({ address, hash, signature }).catch(unavailable);
  };
}

/** A client for the indexed chain's RPC URLs; none configured: EOA signatures only. */
export function signatureClient(rpcUrls: readonly string[]): PublicClient | null {
  if (rpcUrls.length === 0) return null;
  return createPublicClient({ transport: rpcTransport(rpcUrls, { timeout: 5_000, retryCount: 1 }) });
}
