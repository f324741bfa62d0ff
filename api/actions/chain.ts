// Which chain a write action is sent to. An action on something the index holds (an order, a
// booking, an event, a ticket) goes to that thing's chain: the one the request names (`chainId`),
// else the one chain the index has it on (on several: 400 ambiguous_chain). One that creates
// something new goes to the chain the request names, else the one chain with the contract it calls
// (on several: 400 chain_required).
import { z } from "@hono/zod-openapi";
import type { ContractName } from "../../config/network.js";
import type { ChainContext } from "../chain/context.js";
import { ApiError } from "../http/errors.js";
import { chainFor, chainRequired, unknownChain } from "../rest/chain.js";
import { actionChains, actionsChain } from "./runtime.js";

export const ChainIdField = z
  .number()
  .int()
  .positive()
  .optional()
  .openapi({ description: "The chain to send it to; needed only when the id (or, for a creation, the contract) is on several of the chains this API serves", example: 84532 });

const served = () => actionChains().map((c) => c.network.chainId);

/** The chain of an indexed subject; null when the index has it on no served chain. */
export async function chainOfSubject(wanted: number | undefined, what: string, id: string, chainsOf: () => Promise<number[]>): Promise<ChainContext | null> {
  const chainId = await chainFor(served(), wanted, what, id, chainsOf);
  return chainId === null ? null : actionsChain(chainId);
}

/** The chain for a call to `contract`: the one named, or the only served chain that has it. */
export function chainWithContract(wanted: number | undefined, contract: ContractName): ChainContext {
  if (wanted !== undefined) {
    if (!served().includes(wanted)) throw unknownChain(wanted, served());
    return actionsChain(wanted);
  }
  const having = actionChains().filter((c) => c.contracts[contract]);
  if (having.length > 1) throw chainRequired(contract, having.map((c) => c.network.chainId));
  return having[0] ?? actionChains()[0]!;
}

/** The address of `contract` on `chain`, or 503 contract_not_configured. */
export function contractOn(chain: ChainContext, name: ContractName) {
  const address = chain.contracts[name];
  if (!address) throw new ApiError(503, "contract_not_configured", `${name} is not deployed on chain ${chain.network.chainId} (${chain.network.name})`, { chainId: chain.network.chainId, contract: name });
  return address;
}
