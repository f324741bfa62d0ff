// Which chain's BookingEscrow an authorization is signed for. A signature is only good on the chain
// and contract its EIP-712 domain names, so with escrows on several served chains the request must
// say which (`chainId`); with one, that one.
import { ApiError } from "../http/errors.js";
import { unknownChain } from "../rest/chain.js";
import type { SigningChain } from "./env.js";

const chainRequired = (chainIds: readonly number[]) =>
  new ApiError(400, "chain_required", `BookingEscrow is on chains ${chainIds.join(", ")} here: add "chainId" to say which one the authorization is for`, { chains: chainIds });

export function signingChainFor(chains: readonly SigningChain[], wanted: number | undefined): SigningChain {
  if (wanted !== undefined) {
    const chain = chains.find((c) => c.chainId === wanted);
    if (!chain) throw unknownChain(wanted, chains.map((c) => c.chainId));
    return chain;
  }
  const withEscrow = chains.filter((c) => c.domain !== null);
  if (withEscrow.length > 1) throw chainRequired(withEscrow.map((c) => c.chainId));
  // None: the first chain, whose missing escrow the route reports (503 escrow_not_configured).
  return withEscrow[0] ?? chains[0]!;
}
