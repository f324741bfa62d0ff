// Store helpers shared by the indexing handlers in src/ (one file per contract). Ponder 0.16 loads
// every .ts file under src/ (outside src/api/) as indexing code, this one too: it registers nothing.
// Only context.db, context.chain and context.client are used: handlers stay functions of chain data.
// Every row written carries context.chain.id, and every key read includes it: a handler never sees another chain's rows.
import type { Context } from "ponder:registry";
import { account, contractInfo, dailyStat, roleHistory, roleMember, token } from "ponder:schema";
import { erc20Abi } from "viem";
import { type Hex, isZeroAddress, logId, lower, ZERO_ADDRESS } from "../../domain/ids.js";
import { withoutNul } from "../../domain/text.js";
import { dayOf } from "../../domain/time.js";

/** What the helpers use of a handler's context: its store, its chain (every key carries the chain id) and its client. */
export type Scope = Pick<Context, "db" | "chain" | "client">;

export type ContractName = "BookingEscrow" | "EventTicketNFT" | "PaymentProcessor" | "QRPayment" | "OracleHub";
export type RoleName = "SIGNER" | "OPERATOR" | "VALIDATOR" | "BOT" | "MINTER" | "PLATFORM_WALLET" | "ORACLE";

/** The parts of a Ponder log event the helpers use. */
export type LogEvent = {
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex; from: Hex };
  log: { logIndex: number; address: Hex };
};

/** Where a history row comes from. */
export function at(event: LogEvent) {
  return {
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: lower(event.transaction.hash),
    logIndex: event.log.logIndex,
  };
}

export function idOf(event: LogEvent, suffix?: string): string {
  const id = logId(event.transaction.hash, event.log.logIndex);
  return suffix === undefined ? id : `${id}-${suffix}`;
}

/** Records the first sighting of each (non-zero) address. */
export async function touchAccounts(scope: Scope, event: LogEvent, ...addresses: (Hex | null | undefined)[]): Promise<void> {
  const seen = new Set<string>();
  for (const a of addresses) {
    if (!a || isZeroAddress(a)) continue;
    const address = lower(a);
    if (seen.has(address)) continue;
    seen.add(address);
    await scope.db
      .insert(account)
      .values({ chainId: scope.chain.id, address, firstSeenBlock: event.block.number, firstSeenAt: event.block.timestamp })
      .onConflictDoNothing();
  }
}

// ------------------------------------------------------------------------------------ daily statistics

type BigintStat = "inflow" | "outflow" | "platformFees" | "fiatPaid" | "fiatSettled";
type CountStat =
  | "bookingsCreated"
  | "bookingsCompleted"
  | "bookingsCancelled"
  | "ticketsSold"
  | "ticketsCheckedIn"
  | "ticketsRefunded"
  | "qrPayments"
  | "qrSettlements";
export type DailyDelta = Partial<Record<BigintStat, bigint> & Record<CountStat, number>>;

const BIGINT_STATS: BigintStat[] = ["inflow", "outflow", "platformFees", "fiatPaid", "fiatSettled"];
const COUNT_STATS: CountStat[] = [
  "bookingsCreated",
  "bookingsCompleted",
  "bookingsCancelled",
  "ticketsSold",
  "ticketsCheckedIn",
  "ticketsRefunded",
  "qrPayments",
  "qrSettlements",
];

/** Adds `delta` to the day's row of (contract, token); the day comes from the block timestamp. */
export async function bumpDaily(scope: Scope, event: LogEvent, contract: ContractName, tokenAddress: Hex, delta: DailyDelta) {
  await scope.db
    .insert(dailyStat)
    .values({ chainId: scope.chain.id, day: dayOf(event.block.timestamp), contract, token: lower(tokenAddress), ...delta })
    .onConflictDoUpdate((row) => {
      const next: DailyDelta = {};
      for (const k of BIGINT_STATS) if (delta[k] !== undefined) next[k] = row[k] + delta[k]!;
      for (const k of COUNT_STATS) if (delta[k] !== undefined) next[k] = row[k] + delta[k]!;
      return next;
    });
}

// ------------------------------------------------------------------------------------ contract state and roles

async function upsertContract(
  scope: Scope,
  event: LogEvent,
  contract: ContractName,
  set: { owner?: Hex | null; pendingOwner?: Hex | null; paused?: boolean; pausedBy?: Hex | null },
) {
  const stamp = { updatedBlock: event.block.number, updatedAt: event.block.timestamp };
  await scope.db
    .insert(contractInfo)
    .values({ chainId: scope.chain.id, name: contract, address: lower(event.log.address), ...set, ...stamp })
    .onConflictDoUpdate({ ...set, ...stamp });
}

/** Pausable's Paused / Unpaused. */
export function setPaused(scope: Scope, event: LogEvent, contract: ContractName, paused: boolean, by: Hex) {
  return upsertContract(scope, event, contract, { paused, pausedBy: paused ? lower(by) : null });
}

/** Ownable2Step's OwnershipTransferStarted: `newOwner` may accept. */
export function setPendingOwner(scope: Scope, event: LogEvent, contract: ContractName, newOwner: Hex) {
  return upsertContract(scope, event, contract, { pendingOwner: isZeroAddress(newOwner) ? null : lower(newOwner) });
}

/** OwnershipTransferred: the transfer (or renouncement) is done and no one is pending any more. */
export async function setOwner(scope: Scope, event: LogEvent, contract: ContractName, newOwner: Hex) {
  await touchAccounts(scope, event, newOwner);
  return upsertContract(scope, event, contract, { owner: lower(newOwner), pendingOwner: null });
}

/** Grants or revokes a role; single-holder roles call this twice (old holder off, new holder on). */
export async function setRole(scope: Scope, event: LogEvent, contract: ContractName, role: RoleName, holder: Hex, active: boolean) {
  if (isZeroAddress(holder)) return;
  const address = lower(holder);
  const where = at(event);
  await touchAccounts(scope, event, address);
  await scope.db
    .insert(roleMember)
    .values({
      chainId: scope.chain.id,
      contract,
      role,
      account: address,
      active,
      updatedBlock: where.blockNumber,
      updatedAt: where.timestamp,
      updatedTxHash: where.txHash,
    })
    .onConflictDoUpdate({ active, updatedBlock: where.blockNumber, updatedAt: where.timestamp, updatedTxHash: where.txHash });
  await scope.db
    .insert(roleHistory)
    .values({ chainId: scope.chain.id, id: idOf(event, `${role}-${address}`), contract, role, account: address, active, ...where });
}

/** Moves a single-holder role (signer, minter, platform wallet, oracle) from `previous` to `next`. */
export async function moveRole(scope: Scope, event: LogEvent, contract: ContractName, role: RoleName, previous: Hex, next: Hex) {
  if (lower(previous) !== lower(next)) await setRole(scope, event, contract, role, previous, false);
  await setRole(scope, event, contract, role, next, true);
}

// ------------------------------------------------------------------------------------ tokens

/**
 * ERC-20 metadata for `address`, read once through context.client (the logs carry only the
 * address). address(0) is the native coin. A token that does not answer is recorded with
 * symbol "?" and 18 decimals rather than stopping the indexer.
 */
export async function ensureToken(scope: Scope, address: Hex) {
  const key = lower(address);
  const existing = await scope.db.find(token, { chainId: scope.chain.id, address: key });
  if (existing) return existing;
  if (key === ZERO_ADDRESS) return scope.db.insert(token).values({ chainId: scope.chain.id, address: key, symbol: "ETH", decimals: 18 });
  let symbol = "?";
  let decimals = 18;
  try {
    decimals = Number(await scope.client.readContract({ abi: erc20Abi, address: key, functionName: "decimals" }));
  } catch {
    // not an ERC-20 with decimals(): keep the default
  }
  try {
    symbol = withoutNul(await scope.client.readContract({ abi: erc20Abi, address: key, functionName: "symbol" }));
  } catch {
    // no symbol(): keep "?"
  }
  return scope.db.insert(token).values({ chainId: scope.chain.id, address: key, symbol, decimals });
}
