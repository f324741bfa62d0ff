// A fresh anvil with every contract deployed, for one test file.
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type TestClient,
  type TransactionReceipt,
  type WalletClient,
  type Transport,
  toHex,
} from "viem";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import { ACTOR_BASE, devAccount, roleAccount, type Role } from "../../config/accounts.js";
import { deployLocal, localChain } from "../../devchain/local.js";
import type { Deployment } from "../../config/deployment.js";
import { KEY_ROLES, keyVariables } from "../../api/chain/keys.js";

/**
 * The sending keys of a listed network that is not a local one (a test chain on a random id): the
 * dev account of each role, in that network's own variables (PONDER_<NET>_OWNER_PRIVATE_KEY, …), as
 * a deployment would set them. The contracts' roles are the dev accounts (deployLocal).
 */
export function devKeysEnv(network: string): Record<string, string> {
  return Object.fromEntries(KEY_ROLES.map((role) => [keyVariables(role, network, true)[0]!, toHex(roleAccount(role).getHdKey().privateKey!)]));
}

export type TestChain = {
  anvil: Anvil;
  chain: Chain;
  deployment: Deployment;
  publicClient: PublicClient<Transport, Chain>;
  testClient: TestClient<"anvil", Transport, Chain>;
  /** A wallet client acting as `account`. */
  wallet(account: Account): WalletClient<Transport, Chain, Account>;
  role(role: Role): Account;
  /** Actor n (0-based): a funded dev account with no role. */
  actor(n: number): Account;
  /** Waits for the receipt and throws when the transaction reverted. */
  mined(hash: `0x${string}`): Promise<TransactionReceipt>;
  stop(): Promise<void>;
};

/**
 * A chain id no other run uses. Ponder keeps fetched blocks and logs in the database-wide
 * `ponder_sync` schema keyed by chain id and inserts with ON CONFLICT DO NOTHING even with
 * `disableCache`, so on a PostgreSQL shared with other runs another anvil's block 7 under 31337
 * would lend its hash and timestamp to this chain's block 7. (Ponder caches RPC data for chain ids
 * other than 31337: fine, the id is never reused.)
 */
export function uniqueChainId(): number {
  return 900_000_000 + Math.floor(Math.random() * 99_000_000);
}

/** `chainId`: default 31337; pass `uniqueChainId()` when the chain is indexed on PostgreSQL. */
export async function startTestChain(options: { chainId?: number } = {}): Promise<TestChain> {
  const anvil = await startAnvil({ accounts: 30, ...(options.chainId === undefined ? {} : { chainId: options.chainId }) });
  const chain = localChain(anvil.rpcUrl, anvil.chainId);
  const transport = http(anvil.rpcUrl);
  const deployment = await deployLocal(anvil.rpcUrl, "local", anvil.chainId);
  // anvil mines on demand: poll receipts often instead of viem's default 4 s.
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  return {
    anvil,
    chain,
    deployment,
    publicClient,
    testClient: createTestClient({ chain, transport, mode: "anvil" }),
    wallet: (account) => createWalletClient({ account, chain, transport }),
    role: roleAccount,
    actor: (n) => devAccount(ACTOR_BASE + n),
    async mined(hash) {
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return receipt;
    },
    stop: () => anvil.stop(),
  };
}

/** The custom error name a failed viem contract call reverted with, or undefined. */
export function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

/** Runs `call` (a simulate/write), expects it to revert with the custom error `name`. */
export async function expectRevert(call: () => Promise<unknown>, name: string): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error(`expected revert ${name}, but the call succeeded`);
  const actual = revertName(error);
  if (actual !== name) {
    throw new Error(`expected revert ${name}, got ${actual ?? (error as Error).message.split("\n")[0]}`);
  }
}

/** ETH spent on gas by a receipt (zero on our anvil unless a client sets a price). */
export function gasCost(receipt: TransactionReceipt): bigint {
  return receipt.gasUsed * receipt.effectiveGasPrice;
}
