// How an action reads in responses (GET /api/actions/{id} and every POST): everything the record
// holds except the signed raw transaction and lease bookkeeping.
import { z } from "@hono/zod-openapi";
import type { ActionRow } from "../store/tables/actions.js";
import { ACTION_KINDS, ACTION_STATUSES } from "./rules.js";

export const ActionJson = z
  .object({
    id: z.string().uuid(),
    chainId: z.number().int().openapi({ description: "The chain the transaction is sent to" }),
    kind: z.enum(ACTION_KINDS),
    status: z.enum(ACTION_STATUSES),
    note: z.string().nullable().openapi({ description: "Why a pending action waits, or the last broadcast problem" }),
    requestedBy: z.string(),
    idempotencyKey: z.string(),
    request: z.record(z.unknown()),
    sender: z.object({ role: z.string(), address: z.string() }),
    call: z.object({ to: z.string(), data: z.string(), value: z.string() }),
    nonce: z.number().int().nullable(),
    txHash: z.string().nullable(),
    previousTxHashes: z.array(z.string()).openapi({ description: "Earlier signatures of this action, replaced after their nonce was taken" }),
    block: z.object({ number: z.string(), hash: z.string() }).nullable(),
    finalized: z.boolean(),
    error: z
      .object({ code: z.string(), message: z.string(), errorName: z.string().optional(), args: z.array(z.unknown()).optional(), data: z.string().optional() })
      .nullable()
      .openapi({ description: "Why it failed; errorName/args are the contract's custom error, decoded from the ABIs" }),
    attempts: z.number().int(),
    transitions: z.array(z.object({ status: z.enum(ACTION_STATUSES), at: z.string(), note: z.string().optional() })),
    subject: z.object({ eventId: z.string().nullable(), tokenId: z.string().nullable(), orderHash: z.string().nullable(), bookingId: z.string().nullable() }),
    parentId: z.string().nullable(),
    retryOf: z.string().nullable().openapi({ description: "The failed action this one retries (POST /api/actions/{id}/retry)" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Action");

export type ActionJson = z.infer<typeof ActionJson>;

export function actionJson(r: ActionRow): ActionJson {
  return {
    id: r.id,
    chainId: r.chainId,
    kind: r.kind as ActionJson["kind"],
    status: r.status as ActionJson["status"],
    note: r.note,
    requestedBy: r.requestedBy,
    idempotencyKey: r.idempotencyKey,
    request: r.request as Record<string, unknown>,
    sender: { role: r.senderRole, address: r.sender },
    call: { to: r.target, data: r.calldata, value: r.value },
    nonce: r.nonce,
    txHash: r.txHash,
    previousTxHashes: (r.previousTxHashes as string[]) ?? [],
    block: r.blockNumber !== null && r.blockHash !== null ? { number: String(r.blockNumber), hash: r.blockHash } : null,
    finalized: r.finalized,
    error: (r.error as ActionJson["error"]) ?? null,
    attempts: r.attempts,
    transitions: r.transitions as ActionJson["transitions"],
    subject: { eventId: r.eventId, tokenId: r.tokenId, orderHash: r.orderHash, bookingId: r.bookingId },
    parentId: r.parentId,
    retryOf: r.retryOf,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
