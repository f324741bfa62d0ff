// Drizzle tables of the actions module, in the offchain schema (api/store/pgschema.ts).
// DDL: api/store/migrations/0003_actions.ts, 0007_action_chain.ts, 0008_chain_keys.ts and
// 0009_action_retry.ts (must match column for column).
import { bigint, integer, jsonb, text, timestamp, uniqueIndex, index, uuid, boolean } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

/**
 * One write action: recorded before anything is sent, then driven by the executor
 * (api/actions/executor.ts) through pending → sent → mined → indexed, or failed.
 */
export const action = offchain.table(
  "action",
  {
    id: uuid("id").primaryKey(),
    /** The chain the transaction is for: its executor, client, nonces and finality are that chain's. */
    chainId: integer("chain_id").notNull(),
    /** Checksummed address of the signed-in caller; idempotency keys are scoped by it. */
    requestedBy: text("requested_by").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    kind: text("kind").notNull(),
    request: jsonb("request").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status").notNull(),
    /** Why a pending action waits (e.g. a completion waiting for check-ins), or the last broadcast problem. */
    note: text("note"),
    /** Which platform key sends it (owner, operator, bot, validator) and its address. */
    senderRole: text("sender_role").notNull(),
    sender: text("sender").notNull(),
    /** The call, fixed at creation: contract address, calldata, wei value (decimal). */
    target: text("target").notNull(),
    calldata: text("calldata").notNull(),
    value: text("value").notNull(),
    nonce: bigint("nonce", { mode: "number" }),
    txHash: text("tx_hash"),
    rawTx: text("raw_tx"),
    /** Hashes of earlier signatures of this action (re-signed after its nonce was taken). */
    previousTxHashes: jsonb("previous_tx_hashes").notNull(),
    blockNumber: bigint("block_number", { mode: "number" }),
    blockHash: text("block_hash"),
    /** The index showed the action's event and its block is final: nothing left to watch. */
    finalized: boolean("finalized").notNull(),
    error: jsonb("error"),
    attempts: integer("attempts").notNull(),
    /** Every status change with its time, oldest first. */
    transitions: jsonb("transitions").notNull(),
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Subjects, for lookups: event id and token id as decimal strings, hashes lower-case. */
    eventId: text("event_id"),
    tokenId: text("token_id"),
    orderHash: text("order_hash"),
    bookingId: text("booking_id"),
    parentId: uuid("parent_id"),
    /** The failed action this one retries (POST /api/actions/{id}/retry); one retry per action. */
    retryOf: uuid("retry_of"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    uniqueIndex("action_idempotency_idx").on(t.requestedBy, t.idempotencyKey),
    index("action_work_idx").on(t.chainId, t.status, t.nextAttemptAt),
    index("action_sender_idx").on(t.chainId, t.sender, t.nonce),
    index("action_event_idx").on(t.eventId, t.kind),
    index("action_token_idx").on(t.tokenId, t.kind),
    uniqueIndex("action_retry_of_idx").on(t.retryOf),
    index("action_created_idx").on(t.createdAt, t.id),
  ],
);

/** A check-in batch: its per-item results, kept so a retry with the same key answers the same. */
export const actionBatch = offchain.table(
  "action_batch",
  {
    id: uuid("id").primaryKey(),
    /** The chain its check-ins are sent to; null for batches recorded before 0008. */
    chainId: integer("chain_id"),
    requestedBy: text("requested_by").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    requestHash: text("request_hash").notNull(),
    results: jsonb("results").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [uniqueIndex("action_batch_idempotency_idx").on(t.requestedBy, t.idempotencyKey)],
);

export type ActionRow = typeof action.$inferSelect;
export type NewActionRow = typeof action.$inferInsert;
export type ActionBatchRow = typeof actionBatch.$inferSelect;
