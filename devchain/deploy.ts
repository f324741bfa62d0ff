// Deploys every contract with viem and wires the roles. Used by scripts/chain.ts,
// scripts/deploy.ts and the tests.
import {
  createPublicClient,
  getAddress,
  createWalletClient,
  http,
  parseUnits,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
} from "viem";
import { abis, bytecode, type ContractName } from "./artifacts.js";
import type { Deployment } from "../config/deployment.js";

export type DeployRoles = {
  signer: Address;
  operator: Address;
  platformWallet: Address;
  validators: Address[];
  bots: Address[];
};

export type DeployOptions = {
  rpcUrl: string;
  chain: Chain;
  network: string;
  owner: Account;
  roles: DeployRoles;
  /** Seconds after payment an operator may complete a booking on the customer's behalf. */
  autoCompleteDelay?: bigint;
  /** Existing tokens to use instead of deploying test tokens (real networks). */
  tokens?: { USDC?: Address; USDT?: Address };
};

/** IDR (18 decimals) per whole token. */
export const DEFAULT_RATES = {
  USDC: parseUnits("16000", 18),
  USDT: parseUnits("16250", 18),
  native: parseUnits("52000000", 18),
} as const;

export async function deployAll(options: DeployOptions): Promise<Deployment> {
  const { owner, chain, roles } = options;
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain, transport });
  const wallet = createWalletClient({ account: owner, chain, transport });

  async function deploy(name: ContractName, args: readonly unknown[]): Promise<{ address: Address; startBlock: number }> {
    const hash = await wallet.deployContract({
      abi: abis[name] as never,
      bytecode: bytecode(name),
      args: args as never,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${name} failed (${hash})`);
    return { address: getAddress(receipt.contractAddress), startBlock: Number(receipt.blockNumber) };
  }

  async function send(hash: Promise<Hex>): Promise<void> {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  }

  const existing = (address: Address | undefined) => (address ? { address, startBlock: 0 } : undefined);
  const usdc = existing(options.tokens?.USDC) ?? (await deploy("TestToken", ["USD Coin (test)", "USDC", 6]));
  const usdt = existing(options.tokens?.USDT) ?? (await deploy("TestToken", ["Tether USD (test)", "USDT", 6]));
  const escrow = await deploy("BookingEscrow", [
    owner.address,
    usdc.address,
    roles.signer,
    roles.platformWallet,
    options.autoCompleteDelay ?? 3600n,
  ]);
  const nft = await deploy("EventTicketNFT", [owner.address]);
  const processor = await deploy("PaymentProcessor", [owner.address, nft.address]);
  const oracle = await deploy("OracleHub", [owner.address]);
  const qr = await deploy("QRPayment", [owner.address, oracle.address]);

  await send(wallet.writeContract({ address: escrow.address, abi: abis.BookingEscrow, functionName: "setOperator", args: [roles.operator, true] }));
  await send(wallet.writeContract({ address: nft.address, abi: abis.EventTicketNFT, functionName: "setMinter", args: [processor.address] }));
  for (const v of roles.validators) {
    await send(wallet.writeContract({ address: nft.address, abi: abis.EventTicketNFT, functionName: "setValidator", args: [v, true] }));
  }
  for (const b of roles.bots) {
    await send(wallet.writeContract({ address: qr.address, abi: abis.QRPayment, functionName: "changeBotStatus", args: [b, true] }));
  }
  for (const [token, rate] of [
    [usdc.address, DEFAULT_RATES.USDC],
    [usdt.address, DEFAULT_RATES.USDT],
    [zeroAddress, DEFAULT_RATES.native],
  ] as const) {
    await send(wallet.writeContract({ address: oracle.address, abi: abis.OracleHub, functionName: "setRate", args: [token, rate] }));
  }

  return {
    network: options.network,
    chainId: chain.id,
    rpcUrl: options.rpcUrl,
    contracts: {
      BookingEscrow: escrow,
      EventTicketNFT: nft,
      PaymentProcessor: processor,
      QRPayment: qr,
      OracleHub: oracle,
    },
    tokens: { USDC: usdc.address, USDT: usdt.address },
    roles: { owner: owner.address, ...roles },
  };
}
