// Which chain's BookingEscrow an authorization is signed for. A signature is only good on the chain
// and contract its EIP-712 domain names, so with escrows on several served chains the request must
// say which (`chainId`); with one, that one.
import { chainRequired, unknownChain } from "../rest/chain.js";
import type { SigningChain } from "./env.js";

export function signingChainFor(chains: readonly SigningChain[], wanted: number | undefined): SigningChain {
  if (wanted !== undefined) {
    const chain = chains.find((c) => c.chainId === wanted);
    if (!chain) throw unknownChain(wanted, chains.map((c) => c.chainId));
    return chain;
  }
  const withEscrow = chains.filter((c) => c.domain !== null);
  if (withEscrow.length > 1) throw chainRequired("BookingEscrow", withEscrow.map((c) => c.chainId));
  // None: the first chain, whose missing escrow the route reports (503 escrow_not_configured).
  return withEscrow[0] ?? chains[0]!;
}
