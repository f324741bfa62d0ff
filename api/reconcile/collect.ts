// The I/O half of reconciliation: the index's figures from Ponder's database at its checkpoint, the
// chain's from the views at that same block. Both the database and the chain client are passed in,
// so this module imports nothing from Ponder's virtual modules.
import { eq, sql } from "drizzle-orm";
import type { ReadonlyDrizzle } from "ponder";
import { BaseError, ContractFunctionRevertedError, type Hex, type PublicClient } from "viem";
import * as schema from "../../ponder.schema.js";
import type { ContractName } from "../../config/network.js";
import { buildChecks, type ContractAddresses, type IndexSnapshot } from "./checks.js";
import { indexedBlock } from "./checkpoint.js";
import { compare, distinctReads, type ChainRead, type Difference, type Outcome } from "./figures.js";

export type IndexDb = ReadonlyDrizzle<typeof schema>;

export type ReconcileDeps = {
  db: IndexDb;
  client: PublicClient;
  contracts: ContractAddresses;
  /**
   * The chain reconciled (one served network; reconcileChains runs each): the index may hold
   * several, and only this one's rows may meet this one's views (ids and addresses repeat across chains).
   */
  chainId: number;
  /** Ponder chain name (the network's name), to pick that chain's checkpoint row and name the chain. */
  chainName: string;
};

/** `head`: the chain head when the comparison ran (null if the RPC did not say), so a stale `block` shows. */
export type Reconciliation = { block: bigint; head: bigint | null; checked: number; differences: Difference[] };

/** One chain's reconciliation, with the chain it is of. */
export type ChainReconciliation = Reconciliation & { chainId: number; chainName: string };

/** The chain an error is about, once reconcileChains knows it (the route names it in the answer). */
export type ChainRef = { chainId: number; chainName: string };

class ChainError extends Error {
  chain: ChainRef | null = null;
}
/** The index has not indexed a block yet. */
export class IndexNotReadyError extends ChainError {}
/** The chain did not answer (transport error, unknown block): nothing can be said about the index. */
export class ChainUnavailableError extends ChainError {}

type Rows = { rows: Record<string, unknown>[] };

/** The block the index has fully indexed, from Ponder's own checkpoint table (what /status reports). */
export async function readIndexedBlock(db: IndexDb, chainName?: string): Promise<bigint> {
  // The union of the two drizzle drivers has no common `execute` signature; both return `{ rows }`.
  const execute = (db as unknown as { execute(q: ReturnType<typeof sql>): Promise<Rows> }).execute.bind(db);
  const { rows } = await execute(sql`select chain_name, latest_checkpoint from _ponder_checkpoint`);
  const row = rows.find((r) => chainName === undefined || r.chain_name === chainName) ?? (rows.length === 1 ? rows[0] : undefined);
  if (!row) throw new IndexNotReadyError("the index has no checkpoint yet");
  return indexedBlock(String(row.latest_checkpoint));
}

/** Every figure is `chainId`'s alone: another chain's rows would add to its sums and shadow its keys. */
export async function readIndexSnapshot(db: IndexDb, chainId: number): Promise<IndexSnapshot> {
  const flows = await db
    .select({
      contract: schema.dailyStat.contract,
      token: schema.dailyStat.token,
      inflow: sql<string>`sum(${schema.dailyStat.inflow})::text`,
      outflow: sql<string>`sum(${schema.dailyStat.outflow})::text`,
    })
    .from(schema.dailyStat)
    .where(eq(schema.dailyStat.chainId, chainId))
    .groupBy(schema.dailyStat.contract, schema.dailyStat.token);
  const [contractInfo, roleMembers, accounts, escrowStates, earnings, bookings, events, tickets, stakes, processorStates, payments, organizerBalances, qrOrders, qrTokenTotals, oracleRates] =
    await Promise.all([
      db.select().from(schema.contractInfo).where(eq(schema.contractInfo.chainId, chainId)),
      db.select().from(schema.roleMember).where(eq(schema.roleMember.chainId, chainId)),
      db.select({ address: schema.account.address }).from(schema.account).where(eq(schema.account.chainId, chainId)),
      db.select().from(schema.escrowState).where(eq(schema.escrowState.chainId, chainId)),
      db.select().from(schema.accountEarning).where(eq(schema.accountEarning.chainId, chainId)),
      db.select().from(schema.booking).where(eq(schema.booking.chainId, chainId)),
      db.select().from(schema.ticketedEvent).where(eq(schema.ticketedEvent.chainId, chainId)),
      db
        .select({
          tokenId: schema.ticket.tokenId,
          owner: schema.ticket.owner,
          checkedIn: schema.ticket.checkedIn,
          gateId: schema.ticket.gateId,
          burned: schema.ticket.burned,
        })
        .from(schema.ticket)
        .where(eq(schema.ticket.chainId, chainId)),
      db
        .select({ tokenId: schema.stake.tokenId, amount: schema.stake.amount, status: schema.stake.status, claimable: schema.stake.claimable })
        .from(schema.stake)
        .where(eq(schema.stake.chainId, chainId)),
      db.select().from(schema.processorState).where(eq(schema.processorState.chainId, chainId)),
      db
        .select({
          id: schema.payment.id,
          eventId: schema.payment.eventId,
          buyer: schema.payment.buyer,
          amount: schema.payment.amount,
          tokenIds: schema.payment.tokenIds,
          status: schema.payment.status,
        })
        .from(schema.payment)
        .where(eq(schema.payment.chainId, chainId)),
      db.select().from(schema.organizerBalance).where(eq(schema.organizerBalance.chainId, chainId)),
      db.select().from(schema.qrOrder).where(eq(schema.qrOrder.chainId, chainId)),
      db.select().from(schema.qrTokenTotal).where(eq(schema.qrTokenTotal.chainId, chainId)),
      db.select().from(schema.oracleRate).where(eq(schema.oracleRate.chainId, chainId)),
    ]);
  return {
    contractInfo,
    roleMembers,
    accounts: accounts.map((a) => a.address),
    escrowStates,
    earnings,
    bookings,
    events,
    tickets,
    stakes,
    processorStates,
    payments,
    organizerBalances,
    qrOrders,
    qrTokenTotals,
    oracleRates,
    netFlows: flows.map((f) => ({ contract: f.contract as ContractName, token: f.token as Hex, net: BigInt(f.inflow ?? "0") - BigInt(f.outflow ?? "0") })),
  };
}

/**
 * A snapshot that belongs to one checkpoint. Ponder advances the checkpoint in the same
 * transaction as the rows it indexes, so an unchanged checkpoint before and after the reads means
 * no indexing transaction committed in between.
 */
export async function readConsistentSnapshot(
  db: IndexDb,
  chainId: number,
  chainName?: string,
  attempts = 5,
): Promise<{ block: bigint; snapshot: IndexSnapshot }> {
  for (let i = 0; i < attempts; i++) {
    const before = await readIndexedBlock(db, chainName);
    const snapshot = await readIndexSnapshot(db, chainId);
    const after = await readIndexedBlock(db, chainName);
    if (before === after) return { block: before, snapshot };
  }
  throw new IndexNotReadyError(`the index moved during each of ${attempts} reads; try again`);
}

function revertReason(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  return reverted.data?.errorName ?? reverted.reason ?? "reverted";
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Answers every read at `blockNumber`. anvil has no Multicall3, so throughput comes from the
 * client's JSON-RPC batching: `concurrency` calls in flight are sent as a few batched requests.
 */
export async function readChain(
  client: PublicClient,
  reads: ReadonlyMap<string, ChainRead>,
  blockNumber: bigint,
  concurrency = 200,
): Promise<Map<string, Outcome>> {
  const entries = [...reads.entries()];
  const answers = await mapLimit(entries, concurrency, async ([id, read]): Promise<[string, Outcome]> => {
    try {
      if (read.kind === "balance") return [id, { ok: true, value: await client.getBalance({ address: read.address, blockNumber }) }];
      const value = await client.readContract({ address: read.address, abi: read.abi, functionName: read.functionName, args: read.args, blockNumber });
      return [id, { ok: true, value }];
    } catch (err) {
      const reason = revertReason(err);
      if (reason !== undefined) return [id, { ok: false, reason }];
      const message = err instanceof BaseError ? err.shortMessage : (err as Error).message;
      throw new ChainUnavailableError(`reading ${read.kind === "call" ? read.functionName : "balance"} at block ${blockNumber} failed: ${message}`);
    }
  });
  return new Map(answers);
}

/** Compares every indexed figure a view can confirm with that view at the block the index has reached. */
export async function reconcile(deps: ReconcileDeps): Promise<Reconciliation> {
  const { block, snapshot } = await readConsistentSnapshot(deps.db, deps.chainId, deps.chainName);
  const checks = buildChecks(snapshot, deps.contracts);
  const outcomes = await readChain(deps.client, distinctReads(checks), block);
  const head = await deps.client.getBlockNumber({ cacheTime: 0 }).catch(() => null);
  return { block, head, ...compare(checks, outcomes) };
}

/** `local-2 (chain 31338): …`: a chain's error, saying which chain; other errors (the database's) as they are. */
function onChain(err: unknown, deps: ReconcileDeps): unknown {
  if (!(err instanceof ChainError)) return err;
  const message = `${deps.chainName} (chain ${deps.chainId}): ${err.message}`;
  const scoped = err instanceof IndexNotReadyError ? new IndexNotReadyError(message, { cause: err }) : new ChainUnavailableError(message, { cause: err });
  scoped.chain = { chainId: deps.chainId, chainName: deps.chainName };
  return scoped;
}

/**
 * Every chain's reconciliation, in `chains`' order, run concurrently. One chain that cannot be
 * reconciled fails the whole run, with the first such chain in that order named; every chain's run
 * has ended by then, so a retry never overlaps a run still reading.
 */
export async function reconcileChains(chains: readonly ReconcileDeps[]): Promise<ChainReconciliation[]> {
  const settled = await Promise.allSettled(chains.map((deps) => reconcile(deps)));
  return settled.map((result, i) => {
    const deps = chains[i]!;
    if (result.status === "rejected") throw onChain(result.reason, deps);
    return { ...result.value, chainId: deps.chainId, chainName: deps.chainName };
  });
}
