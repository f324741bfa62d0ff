// Drives recorded actions to the chain and follows them until the index shows them:
//   pending → sent    simulate (a revert fails the action, nothing sent), sign locally, store the
//                     raw transaction with its nonce, THEN broadcast
//   sent    → mined   receipt found (or failed: reverted on chain, reason replayed at its block);
//                     no receipt: rebroadcast the stored raw transaction, re-sign with a fresh
//                     nonce only when the old nonce is spent by something else
//   mined   → indexed the index holds the event it emitted
//   mined/indexed → sent   its block left the canonical chain (reorg): rebroadcast
// Watching stops once the block is final. Several replicas share the work through leases (an
// action is worked on by one process at a time) and send through a per-sender lock in the store
// (pg advisory lock), so no action is sent twice and nonces never collide.
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { BaseError, HttpRequestError, keccak256, TimeoutError, TransactionReceiptNotFoundError, type Hex, type TransactionReceipt } from "viem";
import type { ChainContext } from "../chain/context.js";
import type { KeyRole } from "../chain/keys.js";
import { describeRevert, type DecodedError } from "../chain/revert.js";
import type { ReadDeps } from "../rest/db.js";
import type { Store, StoreTx } from "../store/db.js";
import { action, type ActionRow } from "../store/tables/actions.js";
import { eventMetadata } from "../store/tables/metadata.js";
import { isIndexed } from "./index-reads.js";
import { metadataColumns, type EventMetadataInput } from "./metadata-input.js";
import { insertOrReplay } from "./record.js";
import { stakeAction } from "./calls.js";
import {
  isAlreadyKnown,
  isFinal,
  isNonceTooLow,
  nextNonce,
  retryDelayMs,
  withTransition,
  type ActionKind,
  type ActionStatus,
} from "./rules.js";

export type ExecutorDeps = {
  store: Store;
  chain: ChainContext;
  reads: ReadDeps;
  /** This process's lease name. */
  owner: string;
  leaseMs?: number;
  log?: (message: string) => void;
};

type Patch = Partial<typeof action.$inferInsert>;

const WORKING: ActionStatus[] = ["pending", "sent", "mined", "indexed"];

/** A transport problem (RPC down, timeout) rather than the chain saying no. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof BaseError)) return !(err instanceof Error) || !/revert/i.test(err.message);
  return Boolean(err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError)) && !/revert/i.test(err.message);
}

function fullMessage(err: unknown): string {
  if (err instanceof BaseError) {
    const parts: string[] = [];
    err.walk((e) => {
      if (e instanceof Error) parts.push(e.message);
      return false;
    });
    return parts.join(" | ");
  }
  return err instanceof Error ? err.message : String(err);
}

export function createExecutor(deps: ExecutorDeps) {
  const { store, chain, reads, owner } = deps;
  const leaseMs = deps.leaseMs ?? 15_000;
  const log = deps.log ?? ((m: string) => console.warn(`actions: ${m}`));
  const client = chain.client;

  async function claim(limit: number): Promise<ActionRow[]> {
    const now = new Date();
    const due = store.db
      .select({ id: action.id })
      .from(action)
      .where(
        and(
          // This executor's chain only: another chain's actions need that chain's client and keys.
          eq(action.chainId, chain.network.chainId),
          inArray(action.status, WORKING),
          eq(action.finalized, false),
          lte(action.nextAttemptAt, now),
          or(isNull(action.leaseUntil), lt(action.leaseUntil, now)),
        ),
      )
      .orderBy(asc(action.createdAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    return store.db
      .update(action)
      .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
      .where(inArray(action.id, due))
      .returning();
  }

  /** Writes `patch` and gives the lease back, if the lease is still ours. */
  async function finish(db: Store["db"] | StoreTx, row: ActionRow, patch: Patch): Promise<void> {
    const now = new Date();
    const next: Patch = { ...patch, leaseOwner: null, leaseUntil: null, updatedAt: now };
    if (patch.status && patch.status !== row.status) next.transitions = withTransition(row.transitions, patch.status as ActionStatus, now, patch.note ?? undefined);
    if (!next.nextAttemptAt) next.nextAttemptAt = now;
    await db.update(action).set(next).where(and(eq(action.id, row.id), eq(action.leaseOwner, owner)));
  }

  const later = (ms: number) => new Date(Date.now() + ms);

  async function receiptOf(hash: Hex): Promise<TransactionReceipt | null> {
    try {
      return await client.getTransactionReceipt({ hash });
    } catch (err) {
      if (err instanceof TransactionReceiptNotFoundError) return null;
      throw err;
    }
  }

  type Broadcast = { kind: "ok" } | { kind: "nonce_too_low" } | { kind: "error"; message: string };
  async function broadcast(raw: Hex): Promise<Broadcast> {
    try {
      await client.sendRawTransaction({ serializedTransaction: raw });
      return { kind: "ok" };
    } catch (err) {
      const message = fullMessage(err);
      if (isAlreadyKnown(message)) return { kind: "ok" };
      if (isNonceTooLow(message)) return { kind: "nonce_too_low" };
      return { kind: "error", message: (err instanceof BaseError ? err.shortMessage : message).slice(0, 500) };
    }
  }

  /**
   * Simulates, signs with a nonce of its own and stores the signed transaction, all under the
   * sender's lock; broadcasts after the commit. `expected` is the status the row must still have
   * (another replica may have moved it since the claim).
   */
  async function sign(row: ActionRow, expected: "pending" | "sent"): Promise<void> {
    const account = chain.keys[row.senderRole as KeyRole];
    if (!account) {
      await finish(store.db, row, { note: `${chain.keyVars[row.senderRole as KeyRole].join(" or ")} is not configured`, nextAttemptAt: later(10_000) });
      return;
    }
    // Nonces are per (chain, sender): the lock and the highest nonce recorded are too.
    const signed = await store.locked(`sender:${row.chainId}:${row.sender.toLowerCase()}`, async (tx) => {
      const [cur] = await tx.select().from(action).where(eq(action.id, row.id)).for("update");
      if (!cur || cur.status !== expected || cur.leaseOwner !== owner || cur.txHash !== row.txHash) return null;
      const call = { account: account.address, to: cur.target as Hex, data: cur.calldata as Hex, value: BigInt(cur.value) };
      // Simulated and estimated against the latest block, not the mempool: a transaction of ours
      // still pending must not make the next one look doomed (the chain decides when it is mined).
      let gas: bigint;
      try {
        await client.call({ ...call, blockTag: "latest" });
        gas = await client.estimateGas({ ...call, blockTag: "latest" });
      } catch (err) {
        if (isTransient(err)) throw err;
        const error = describeRevert(err);
        await finish(tx, cur, { status: "failed", error, note: "the simulation reverted: nothing was sent" });
        return null;
      }
      const pending = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
      const [{ highest } = { highest: null }] = await tx
        .select({ highest: sql<string | null>`max(${action.nonce})` })
        .from(action)
        .where(and(eq(action.chainId, cur.chainId), eq(action.sender, cur.sender)));
      const nonce = nextNonce(pending, highest === null ? null : Number(highest));
      const request = await client.prepareTransactionRequest({ ...call, account, nonce, gas: (gas * 6n) / 5n, chain: chain.chain });
      const raw = await account.signTransaction(request as Parameters<typeof account.signTransaction>[0]);
      const hash = keccak256(raw);
      const previous = (cur.previousTxHashes as string[]) ?? [];
      await finish(tx, cur, {
        status: "sent",
        nonce,
        rawTx: raw,
        txHash: hash,
        previousTxHashes: cur.txHash ? [...previous, cur.txHash] : previous,
        blockNumber: null,
        blockHash: null,
        attempts: cur.attempts + 1,
        note: cur.txHash ? `re-signed with nonce ${nonce}: nonce ${cur.nonce} was spent by another transaction` : null,
        error: null,
        nextAttemptAt: later(300),
      });
      return { raw, hash };
    });
    if (!signed) return;
    const sent = await broadcast(signed.raw);
    if (sent.kind === "error") {
      await store.db.update(action).set({ note: `broadcast failed, will retry: ${sent.message}`, updatedAt: new Date() }).where(and(eq(action.id, row.id), eq(action.txHash, signed.hash)));
    }
  }

  /** Completion waits for every check-in the API accepted for the event: they decide the stakes. */
  async function completionBlocker(row: ActionRow): Promise<string | null> {
    if (row.kind !== "event-complete" || row.eventId === null) return null;
    const [{ n } = { n: 0 }] = await store.db
      .select({ n: sql<number>`count(*)::int` })
      .from(action)
      .where(and(eq(action.chainId, row.chainId), eq(action.kind, "check-in"), eq(action.eventId, row.eventId), inArray(action.status, ["pending", "sent", "mined"])));
    return n > 0 ? `waiting for ${n} accepted check-in(s) of event ${row.eventId} to be indexed before completing` : null;
  }

  async function stepPending(row: ActionRow): Promise<void> {
    const blocker = await completionBlocker(row);
    if (blocker) {
      await finish(store.db, row, { note: blocker, nextAttemptAt: later(500) });
      return;
    }
    await sign(row, "pending");
  }

  async function failOnChain(row: ActionRow, receipt: TransactionReceipt): Promise<void> {
    let error: DecodedError;
    try {
      await client.call({ account: row.sender as Hex, to: row.target as Hex, data: row.calldata as Hex, value: BigInt(row.value), blockNumber: receipt.blockNumber });
      error = { code: "reverted", message: `the transaction reverted on chain in block ${receipt.blockNumber} (replaying it there did not reproduce the reason)` };
    } catch (err) {
      if (isTransient(err)) throw err;
      error = describeRevert(err);
    }
    await finish(store.db, row, { status: "failed", error, blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash, note: "reverted on chain" });
  }

  async function stepSent(row: ActionRow): Promise<void> {
    const hash = row.txHash as Hex;
    const receipt = await receiptOf(hash);
    if (receipt) {
      if (receipt.status !== "success") return failOnChain(row, receipt);
      await finish(store.db, row, { status: "mined", blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash, note: null });
      return;
    }
    const sent = await broadcast(row.rawTx as Hex);
    if (sent.kind === "nonce_too_low") {
      // Spent nonce: ours if it was mined meanwhile, otherwise someone else's, so sign again.
      if (await receiptOf(hash)) return finish(store.db, row, { nextAttemptAt: later(0) });
      return sign(row, "sent");
    }
    await finish(store.db, row, { note: sent.kind === "error" ? `broadcast failed, will retry: ${sent.message}` : row.note, nextAttemptAt: later(500) });
  }

  async function onMined(row: ActionRow): Promise<void> {
    if (row.kind !== "event-create" || row.eventId === null) return;
    const request = row.request as { metadata?: EventMetadataInput; stakeBps?: number };
    const now = new Date();
    const m = request.metadata;
    if (m?.name) {
      await store.db
        .insert(eventMetadata)
        .values({ chainId: row.chainId, eventId: row.eventId, ...metadataColumns(m, row.requestedBy, now), createdAt: now })
        .onConflictDoNothing();
    }
    if (request.stakeBps && request.stakeBps > 0 && chain.contracts.PaymentProcessor) {
      const child = stakeAction(row, chain.contracts.PaymentProcessor, BigInt(row.eventId), BigInt(request.stakeBps));
      await store.locked(`action-key:${child.requestedBy}:${child.idempotencyKey}`, (tx) => insertOrReplay(tx, child));
    }
  }

  async function stepMined(row: ActionRow): Promise<void> {
    const hash = row.txHash as Hex;
    const receipt = await receiptOf(hash);
    if (!receipt || receipt.blockHash !== row.blockHash) {
      if (receipt) {
        // Re-included in another block by the node itself.
        if (receipt.status !== "success") return failOnChain(row, receipt);
        await finish(store.db, row, { status: "mined", blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash, finalized: false, note: "re-mined in another block after a reorg" });
        return;
      }
      await finish(store.db, row, { status: "sent", blockNumber: null, blockHash: null, finalized: false, note: `block ${row.blockNumber} left the chain (reorg): rebroadcasting`, nextAttemptAt: later(0) });
      const sent = await broadcast(row.rawTx as Hex);
      if (sent.kind === "error") log(`rebroadcast of ${row.id} failed: ${sent.message}`);
      return;
    }
    if (row.status === "mined") {
      await onMined(row);
      if (await isIndexed(reads, chain.network.chainId, row.kind as ActionKind, hash)) {
        await finish(store.db, row, { status: "indexed", note: null, nextAttemptAt: later(1000) });
      } else {
        await finish(store.db, row, { nextAttemptAt: later(300) });
      }
      return;
    }
    // indexed: watched until its block is final, so a reorg still takes it back to sent.
    const head = Number(await client.getBlockNumber());
    const final = isFinal(row.blockNumber ?? 0, head, chain.finality);
    await finish(store.db, row, { finalized: final, nextAttemptAt: later(2000) });
  }

  async function step(row: ActionRow): Promise<void> {
    try {
      if (row.status === "pending") await stepPending(row);
      else if (row.status === "sent") await stepSent(row);
      else await stepMined(row);
    } catch (err) {
      const message = (err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)).slice(0, 500);
      log(`action ${row.id} (${row.kind}, ${row.status}): ${message}`);
      await finish(store.db, row, { note: `retrying after an error: ${message}`, nextAttemptAt: later(retryDelayMs(1)) }).catch(() => {});
    }
  }

  let running = false;
  let again = false;

  /** One pass: claim what is due, work each sender's actions in order, senders side by side. */
  async function tick(): Promise<number> {
    if (running) {
      again = true;
      return 0;
    }
    running = true;
    let count = 0;
    try {
      do {
        again = false;
        const rows = await claim(25);
        count += rows.length;
        const bySender = new Map<string, ActionRow[]>();
        for (const r of rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
          const list = bySender.get(r.sender) ?? [];
          list.push(r);
          bySender.set(r.sender, list);
        }
        await Promise.all([...bySender.values()].map(async (list) => {
          for (const r of list) await step(r);
        }));
      } while (again);
    } finally {
      running = false;
    }
    return count;
  }

  return { tick, step, claim };
}

export type Executor = ReturnType<typeof createExecutor>;
