// Recording actions: idempotent on (caller, Idempotency-Key), written before anything is sent.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { ApiError } from "../http/errors.js";
import type { Store, StoreDb, StoreTx } from "../store/db.js";
import { action, type ActionRow } from "../store/tables/actions.js";
import type { KeyRole } from "../chain/keys.js";
import { replayOutcome, requestHash, withTransition, type ActionKind } from "./rules.js";

export type NewAction = {
  /** The chain it is sent to. */
  chainId: number;
  kind: ActionKind;
  requestedBy: string;
  idempotencyKey: string;
  /** The normalised request (what was validated), JSON-safe. */
  request: Record<string, unknown>;
  senderRole: KeyRole;
  sender: string;
  target: string;
  calldata: string;
  value: bigint;
  subject?: { eventId?: bigint; tokenId?: bigint; orderHash?: string; bookingId?: string };
  parentId?: string;
  /** The failed action this one retries. */
  retryOf?: string;
};

export const keyReused = (key: string) =>
  new ApiError(422, "idempotency_key_reused", `Idempotency-Key "${key.slice(0, 80)}" was already used for a different request: use a new key for a new action`, { idempotencyKey: key });

export async function findByKey(db: StoreDb | StoreTx, requestedBy: string, key: string): Promise<ActionRow | undefined> {
  const [row] = await db.select().from(action).where(and(eq(action.requestedBy, requestedBy), eq(action.idempotencyKey, key))).limit(1);
  return row;
}

/**
 * The action an earlier request with this key recorded, if any (422 when the request differs, or
 * names another chain than the action's: `chainId` undefined is a retry that named none).
 */
export async function replayOf(db: StoreDb | StoreTx, requestedBy: string, key: string, kind: ActionKind, request: unknown, chainId?: number): Promise<ActionRow | undefined> {
  const existing = await findByKey(db, requestedBy, key);
  if (!existing) return undefined;
  if (replayOutcome(existing.requestHash, requestHash(kind, request)) === "key_reused" || existing.kind !== kind) throw keyReused(key);
  if (chainId !== undefined && existing.chainId !== chainId) throw keyReused(key);
  return existing;
}

export function newActionRow(a: NewAction, now: Date): typeof action.$inferInsert {
  return {
    id: randomUUID(),
    chainId: a.chainId,
    requestedBy: a.requestedBy,
    idempotencyKey: a.idempotencyKey,
    kind: a.kind,
    request: a.request,
    requestHash: requestHash(a.kind, a.request),
    status: "pending",
    senderRole: a.senderRole,
    sender: a.sender,
    target: a.target,
    calldata: a.calldata,
    value: a.value.toString(),
    previousTxHashes: [],
    finalized: false,
    attempts: 0,
    transitions: withTransition([], "pending", now),
    nextAttemptAt: now,
    eventId: a.subject?.eventId?.toString() ?? null,
    tokenId: a.subject?.tokenId?.toString() ?? null,
    orderHash: a.subject?.orderHash ?? null,
    bookingId: a.subject?.bookingId ?? null,
    parentId: a.parentId ?? null,
    retryOf: a.retryOf ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Inserts in `tx`; on a key already taken (a concurrent twin) returns that row instead. */
export async function insertOrReplay(tx: StoreTx, a: NewAction): Promise<{ row: ActionRow; created: boolean }> {
  const replay = await replayOf(tx, a.requestedBy, a.idempotencyKey, a.kind, a.request, a.chainId);
  if (replay) return { row: replay, created: false };
  const [row] = await tx.insert(action).values(newActionRow(a, new Date())).onConflictDoNothing().returning();
  if (row) return { row, created: true };
  const twin = await replayOf(tx, a.requestedBy, a.idempotencyKey, a.kind, a.request, a.chainId);
  if (!twin) throw new Error("idempotency conflict without a row");
  return { row: twin, created: false };
}

/**
 * Records `a` unless its key already names an action. `check` runs inside the same lock, for rules
 * that depend on other actions (a ticket accepted twice); by default the lock is the key itself.
 */
export async function recordAction(
  store: Store,
  a: NewAction,
  options: { lockKey?: string; check?: (tx: StoreTx) => Promise<void> } = {},
): Promise<{ row: ActionRow; created: boolean }> {
  return store.locked(options.lockKey ?? `action-key:${a.requestedBy}:${a.idempotencyKey}`, async (tx) => {
    const replay = await replayOf(tx, a.requestedBy, a.idempotencyKey, a.kind, a.request, a.chainId);
    if (replay) return { row: replay, created: false };
    if (options.check) await options.check(tx);
    return insertOrReplay(tx, a);
  });
}
