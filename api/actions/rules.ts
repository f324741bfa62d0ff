// Pure rules of write actions: idempotency keys, request fingerprints, status life, nonces.
// Unit-tested in test/unit/actions.test.ts.
import { createHash } from "node:crypto";

export const ACTION_KINDS = [
  "qr-settlement",
  "booking-emergency-cancel",
  "event-create",
  "event-stake",
  "event-cancel",
  "event-complete",
  "check-in",
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_STATUSES = ["pending", "sent", "mined", "indexed", "failed"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export type Checked<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export function parseIdempotencyKey(raw: string | undefined): Checked<string> {
  if (raw === undefined || raw.trim() === "") {
    return { ok: false, code: "idempotency_key_required", message: "the Idempotency-Key header is required on write actions: send a unique value per action, and the same value when retrying it" };
  }
  const key = raw.trim();
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { ok: false, code: "idempotency_key_too_long", message: `the Idempotency-Key header is limited to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}` };
  }
  if (!/^[\x21-\x7e]+$/.test(key)) {
    return { ok: false, code: "invalid_idempotency_key", message: "the Idempotency-Key header must be printable ASCII without spaces (a UUID is a good choice)" };
  }
  return { ok: true, value: key };
}

/** JSON with object keys sorted at every level, so equal requests hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Fingerprint of what was asked: the kind plus the normalised request (what the route validated). */
export function requestHash(kind: string, request: unknown): string {
  return createHash("sha256").update(`${kind}\n${canonicalJson(request)}`).digest("hex");
}

/** A retry with a known key: the same request gets the same action; another request is a client bug. */
export function replayOutcome(existingHash: string, hash: string): "replay" | "key_reused" {
  return existingHash === hash ? "replay" : "key_reused";
}

/** The next nonce: never below the chain's pending count, never one the store already handed out. */
export function nextNonce(chainPending: number, storeHighest: number | null): number {
  return storeHighest === null ? chainPending : Math.max(chainPending, storeHighest + 1);
}

export type Transition = { status: ActionStatus; at: string; note?: string };

export function withTransition(transitions: unknown, status: ActionStatus, at: Date, note?: string): Transition[] {
  const list = Array.isArray(transitions) ? (transitions as Transition[]) : [];
  return [...list, { status, at: at.toISOString(), ...(note ? { note } : {}) }];
}

/** Statuses the executor still works on (indexed ones are watched for reorgs until final). */
export const ACTIVE_STATUSES: ActionStatus[] = ["pending", "sent", "mined", "indexed"];

/** A mined or indexed transaction is final once this many blocks sit on top of its block. */
export function isFinal(blockNumber: number, head: number, finality: number): boolean {
  return head - blockNumber >= finality;
}

/** Broadcast errors that mean the node has our transaction already (not a failure). */
export function isAlreadyKnown(message: string): boolean {
  return /already known|already imported|known transaction|transaction already exists/i.test(message);
}

/** Broadcast errors that mean the transaction's nonce is spent on chain. */
export function isNonceTooLow(message: string): boolean {
  return /nonce too low|nonce has already been used|nonce is too low|oldnonce/i.test(message);
}

/** Backoff after a step that could not make progress (RPC down, waiting): 0.5 s doubling to 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(Math.max(attempt, 0), 6));
}
