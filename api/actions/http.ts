// What every write-action route shares: the Idempotency-Key header, the write rate limit (which a
// replay does not spend), and the response (201 with a newly recorded action, 200 with the one an
// earlier request recorded).
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AuthEnv } from "../auth/middleware.js";
import { rateLimit } from "../auth/rate-limit.js";
import { ApiError } from "../http/errors.js";
import { errorResponse } from "../http/router.js";
import type { Store } from "../store/db.js";
import { actionBatch } from "../store/tables/actions.js";
import { ActionJson } from "./model.js";
import { findByKey } from "./record.js";
import { parseIdempotencyKey } from "./rules.js";

export const TAG = "actions";
export const security = [{ bearerAuth: [] }];

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

export const IdempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header", required: true },
      description: "Required. Up to 200 printable characters; the same key with the same body returns the same action (never a second transaction), with another body 422 idempotency_key_reused",
      example: "3f1c7a52-6d0e-4c1e-9a57-0b9d2f4e8c11",
    }),
});

export function idempotencyKeyOf(c: Context): string {
  const checked = parseIdempotencyKey(c.req.header("idempotency-key"));
  if (!checked.ok) throw new ApiError(400, checked.code, checked.message);
  return checked.value;
}

/**
 * Whether the request's Idempotency-Key already names the caller's action or check-in batch: its
 * answer is the recorded one (or a 422 if the body differs), nothing new is sent, so a client
 * retrying after a lost answer is not refused for having spent its budget on the first try.
 */
async function replaysRecorded(c: Context<AuthEnv>, store: Store): Promise<boolean> {
  const checked = parseIdempotencyKey(c.req.header("idempotency-key"));
  if (!checked.ok) return false;
  const caller = c.get("caller").address;
  if (await findByKey(store.db, caller, checked.value)) return true;
  const [batch] = await store.db
    .select({ id: actionBatch.id })
    .from(actionBatch)
    .where(and(eq(actionBatch.requestedBy, caller), eq(actionBatch.idempotencyKey, checked.value)))
    .limit(1);
  return batch !== undefined;
}

/** Writes per signed-in caller per minute (ACTIONS_RATE_LIMIT_PER_MINUTE, default 60); replays of recorded ones are free. */
export function writeRateLimit() {
  const raw = process.env.ACTIONS_RATE_LIMIT_PER_MINUTE?.trim();
  const limit = raw ? Number(raw) : 60;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`ACTIONS_RATE_LIMIT_PER_MINUTE must be a positive integer, got "${raw}"`);
  return rateLimit<AuthEnv>({ name: "write-actions", limit, windowSeconds: 60, key: (c) => c.get("caller").address, exempt: replaysRecorded });
}

export const actionResponses = {
  200: json(ActionJson, "The action an earlier request with this Idempotency-Key recorded (nothing new is sent)"),
  201: json(ActionJson, "Recorded; the executor sends it and tracks it: poll GET /api/actions/{id}"),
  400: errorResponse("Malformed body, or a missing / too long Idempotency-Key"),
  401: errorResponse("No, invalid or expired token"),
  403: errorResponse("The caller lacks the role this action needs"),
  422: errorResponse("idempotency_key_reused: the key was used for a different request"),
  429: errorResponse("Too many write requests from this caller (Retry-After says when to retry)"),
  503: errorResponse("key_not_configured: the server holds no key for the role that sends this action"),
};

export const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function forbidden(message: string, details: unknown = null) {
  return new ApiError(403, "forbidden", message, details);
}
