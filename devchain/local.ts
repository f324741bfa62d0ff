// The local chain (31337): anvil plus every contract deployed and wired with the dev accounts.
import { defineChain, type Chain } from "viem";
import { foundry } from "viem/chains";
import { roleAccount } from "../config/accounts.js";
import { deployAll } from "./deploy.js";
import type { Deployment } from "../config/deployment.js";

export function localChain(rpcUrl: string, chainId: number = foundry.id): Chain {
  return defineChain({ ...foundry, id: chainId, rpcUrls: { default: { http: [rpcUrl] } } });
}

export async function deployLocal(rpcUrl: string, network = "local", chainId?: number): Promise<Deployment> {
  return deployAll({
    rpcUrl,
    chain: localChain(rpcUrl, chainId),
    network,
    owner: roleAccount("owner"),
    roles: {
      signer: roleAccount("signer").address,
      operator: roleAccount("operator").address,
      platformWallet: roleAccount("platformWallet").address,
      validators: [roleAccount("validator").address],
      bots: [roleAccount("bot").address],
    },
  });
}
