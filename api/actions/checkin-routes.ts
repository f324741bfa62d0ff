// Gate check-ins (validator role, validator key):
//   POST /api/actions/check-ins        { payload, gateId, eventId?, chainId? }   one scan, checked now
//   POST /api/actions/check-ins/batch  { gateId, eventId?, chainId?, items: [{ payload, scannedAt }] }
//        scans an offline gate collected: each judged against its scan time, deduplicated by
//        token id, one result per item in order; the Idempotency-Key covers the whole batch.
// The payload is the holder's EIP-712 CheckIn signature (domain/checkin.ts). Accepting and
// recording happen under one store lock per chain, so a ticket is never accepted twice. A single
// check-in goes to its ticket's chain; a batch (one gate, one event) to the one chain named, or the
// only one with tickets.
import { randomUUID } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, ne } from "drizzle-orm";
import { hashTypedData, type Address, type Hex } from "viem";
import { requireAuth, requireRole, type AuthEnv, type Caller } from "../auth/middleware.js";
import { signedBy, type HashVerifier } from "../chain/signature.js";
import {
  checkInRefusal,
  checkInTypedData,
  firstOccurrences,
  gateIdBytes32,
  isPlausibleScanTime,
  MAX_BATCH_ITEMS,
  REFUSAL_MESSAGES,
  type CheckInPayload,
  type CheckInRefusal,
} from "../../domain/checkin.js";
import { ApiError } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { storable, text } from "../http/text.js";
import { chainsWith } from "../rest/chain.js";
import type { ReadDeps } from "../rest/db.js";
import type { ChainContext } from "../chain/context.js";
import { MAX_UINT256 } from "../rest/params.js";
import { getStore, type StoreTx } from "../store/db.js";
import { action, actionBatch } from "../store/tables/actions.js";
import { checkInCall } from "./calls.js";
import { ChainIdField, chainOfSubject, chainWithContract, contractOn } from "./chain.js";
import { actionResponses, IdempotencyHeaders, idempotencyKeyOf, json, security, TAG, writeRateLimit } from "./http.js";
import { readEvent, readTicket } from "./index-reads.js";
import { actionJson } from "./model.js";
import { keyReused, newActionRow, recordAction, replayOf, type NewAction } from "./record.js";
import { replayOutcome, requestHash } from "./rules.js";
import { actionStore, kickWorker, senderOf } from "./runtime.js";

/** Taken to record a check-in on a chain, and to record an event's completion or cancellation there (api/actions/routes.ts). */
export const checkInsLock = (chainId: number) => `check-ins:${chainId}`;

const UintLike = z.union([z.string().regex(/^[0-9]{1,78}$/), z.number().int().nonnegative().safe()]).transform((v) => BigInt(v));
const PayloadObject = z
  .object({
    tokenId: UintLike,
    eventId: UintLike,
    timestamp: UintLike.openapi({ description: "Unix seconds when the holder's wallet signed" }),
    signature: z
      .string()
      .regex(/^0x(?:[0-9a-fA-F]{2}){64,4096}$/, "must be hex bytes: a 64- or 65-byte signature, or a smart-contract wallet's (ERC-1271 / ERC-6492)"),
  })
  .strict();

/** The QR code's content: the JSON object, or the same JSON as a string (what a scanner reads). */
const UintShape = z.union([z.string(), z.number()]);
const PayloadInput = z
  .union([text(9000), z.object({ tokenId: UintShape, eventId: UintShape, timestamp: UintShape, signature: z.string() })])
  .openapi({ description: "{ tokenId, eventId, timestamp, signature }: the holder's EIP-712 CheckIn signature (domain EventTicketNFT / 1 / chainId / EventTicketNFT address), as an object or a JSON string" });

type ParsedPayload = { ok: true; value: CheckInPayload } | { ok: false; message: string };

function parsePayload(raw: unknown): ParsedPayload {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, message: "payload is not valid JSON" };
    }
  }
  const parsed = PayloadObject.safeParse(value);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `payload.${i.path.join(".")}: ${i.message}`).join("; ") };
  const p = parsed.data;
  if (p.tokenId > MAX_UINT256 || p.eventId > MAX_UINT256 || p.timestamp > MAX_UINT256) return { ok: false, message: "payload numbers must fit in a uint256" };
  return { ok: true, value: { tokenId: p.tokenId, eventId: p.eventId, timestamp: p.timestamp, signature: p.signature as Hex } };
}

const GateId = text(66).min(1).openapi({ description: "bytes32 hex, or a label of up to 31 bytes (right-padded)", example: "north-gate" });
const EventIdInput = z.string().regex(/^[0-9]{1,78}$/, "must be a decimal event id").optional().openapi({ description: "The event this gate admits: tickets of other events are refused (wrong_event)" });

const SingleBody = z.object({ chainId: ChainIdField, payload: PayloadInput, gateId: GateId, eventId: EventIdInput }).strict();
const BatchBody = z
  .object({
    chainId: ChainIdField,
    gateId: GateId,
    eventId: EventIdInput,
    items: z
      .array(
        z
          .object({
            payload: z.unknown().openapi({ description: "As in POST /api/actions/check-ins" }),
            scannedAt: z.union([z.string().regex(/^[0-9]{1,12}$/), z.number().int().nonnegative().safe()]).transform((v) => BigInt(v)).openapi({ description: "Unix seconds when the gate scanned it" }),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_BATCH_ITEMS),
  })
  .strict();

const BatchResult = z
  .object({
    index: z.number().int(),
    tokenId: z.string().nullable(),
    status: z.enum(["accepted", "duplicate", "refused"]),
    actionId: z.string().optional(),
    duplicateOf: z.number().int().optional(),
    reason: z.string().optional(),
    message: z.string().optional(),
  })
  .openapi("CheckInBatchResult");
const BatchJson = z
  .object({ batchId: z.string(), accepted: z.number().int(), duplicates: z.number().int(), refused: z.number().int(), results: z.array(BatchResult) })
  .openapi("CheckInBatch");
type BatchResult = z.infer<typeof BatchResult>;

const singleRoute = createRoute({
  method: "post",
  path: "/api/actions/check-ins",
  operationId: "createCheckIn",
  tags: [TAG],
  summary: "Check a ticket in at a gate (checkIn, validator key)",
  description: `Refusals are 422 with the reason as the code: ${Object.keys(REFUSAL_MESSAGES).filter((r) => r !== "unknown_ticket" && r !== "invalid_scanned_at").join(", ")}; an unknown ticket is 404 unknown_ticket.`,
  security,
  middleware: [requireAuth, requireRole("validator"), writeRateLimit()] as const,
  request: { headers: IdempotencyHeaders, body: { required: true, content: { "application/json": { schema: SingleBody } } } },
  responses: { ...actionResponses, 404: errorResponse("unknown_ticket") },
});

const batchRoute = createRoute({
  method: "post",
  path: "/api/actions/check-ins/batch",
  operationId: "createCheckInBatch",
  tags: [TAG],
  summary: "Upload check-ins an offline gate collected (up to 500)",
  description:
    "Each item is judged against its scannedAt (which must be neither in the future nor older than 24 h): accepted (with its action id), duplicate (same token earlier in the batch) or refused with a reason (invalid_payload, invalid_scanned_at, unknown_ticket, wrong_event, event_not_active, event_closing, stale, already_checked_in, not_owner). The Idempotency-Key covers the whole batch.",
  security,
  middleware: [requireAuth, requireRole("validator"), writeRateLimit()] as const,
  request: { headers: IdempotencyHeaders, body: { required: true, content: { "application/json": { schema: BatchBody } } } },
  responses: {
    200: json(BatchJson, "The results an earlier request with this key got"),
    201: json(BatchJson, "One result per item, in order"),
    400: actionResponses[400],
    401: actionResponses[401],
    403: actionResponses[403],
    422: actionResponses[422],
    429: actionResponses[429],
    503: actionResponses[503],
  },
});

type Assessment = { payload: CheckInPayload; eventId: bigint | null; refusal: CheckInRefusal | null };

const holderVerifiers = new Map<number, HashVerifier>();
const holderSigned = (chain: ChainContext) => {
  let verify = holderVerifiers.get(chain.network.chainId);
  if (!verify) holderVerifiers.set(chain.network.chainId, (verify = signedBy(chain.client)));
  return verify;
};

/** Everything but "accepted before", which is decided under the lock. */
async function assess(deps: ReadDeps, chain: ChainContext, payload: CheckInPayload, scannedAt: bigint, gateEventId: bigint | undefined): Promise<Assessment> {
  const nft = contractOn(chain, "EventTicketNFT");
  // The index's rows of the chain the check-in is signed for and sent to, not a same-numbered ticket elsewhere.
  const chainId = chain.network.chainId;
  const ticket = await readTicket(deps, chainId, payload.tokenId);
  const event = ticket ? await readEvent(deps, chainId, ticket.eventId) : null;
  // The indexed owner's signature: recovered locally for an EOA, asked of the wallet otherwise.
  const signed = ticket ? await holderSigned(chain)(ticket.owner, hashTypedData(checkInTypedData(chain.chain.id, nft, payload)), payload.signature) : false;
  const signer: Address | null = signed && ticket ? ticket.owner : null;
  const refusal = checkInRefusal({ payload, signer, ticket, event, gateEventId, acceptedBefore: false, scannedAt });
  return { payload, eventId: ticket?.eventId ?? null, refusal };
}

/** Event ids (decimal) among `eventIds` whose completion or cancellation is recorded and has not failed. */
async function closingEvents(tx: StoreTx, chainId: number, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await tx
    .select({ eventId: action.eventId })
    .from(action)
    .where(and(eq(action.chainId, chainId), inArray(action.kind, ["event-complete", "event-cancel"]), inArray(action.eventId, [...new Set(eventIds)]), ne(action.status, "failed")));
  return new Set(rows.map((r) => r.eventId).filter((e): e is string => e !== null));
}

/** Token ids (decimal) among `tokenIds` that an earlier check-in action accepted and did not fail. */
async function acceptedTokens(tx: StoreTx, chainId: number, tokenIds: string[]): Promise<Set<string>> {
  if (tokenIds.length === 0) return new Set();
  // Token ids repeat across chains: only check-ins sent to this chain count.
  const rows = await tx
    .select({ tokenId: action.tokenId })
    .from(action)
    .where(and(eq(action.chainId, chainId), eq(action.kind, "check-in"), inArray(action.tokenId, tokenIds), ne(action.status, "failed")));
  return new Set(rows.map((r) => r.tokenId).filter((t): t is string => t !== null));
}

function checkInAction(chainId: number, caller: Caller, key: string, request: Record<string, unknown>, a: Assessment, gate: Hex, sender: Address, nft: Address): NewAction {
  return {
    chainId,
    kind: "check-in",
    requestedBy: caller.address,
    idempotencyKey: key,
    request,
    senderRole: "validator",
    sender,
    ...checkInCall(nft, a.payload.tokenId, gate),
    subject: { eventId: a.eventId ?? undefined, tokenId: a.payload.tokenId },
  };
}

const payloadJson = (p: CheckInPayload) => ({ tokenId: p.tokenId.toString(), eventId: p.eventId.toString(), timestamp: p.timestamp.toString(), signature: p.signature.toLowerCase() });

function refusalError(reason: CheckInRefusal, tokenId: bigint) {
  return new ApiError(reason === "unknown_ticket" ? 404 : 422, reason, REFUSAL_MESSAGES[reason], { reason, tokenId: tokenId.toString() });
}

export function checkInRouter(deps: ReadDeps) {
  const { db, schema } = deps;
  return newRouter<AuthEnv>()
    .openapi(singleRoute, async (c) => {
      const key = idempotencyKeyOf(c);
      const caller = c.get("caller");
      const input = c.req.valid("json");
      const parsed = parsePayload(input.payload);
      if (!parsed.ok) throw new ApiError(400, "invalid_payload", parsed.message);
      const gate = gateIdBytes32(input.gateId);
      if (!gate.ok) throw new ApiError(400, "invalid_request", gate.error);
      const p = parsed.value;
      const request = {
        payload: payloadJson(p),
        gateId: gate.value,
        eventId: input.eventId ?? null,
      };
      const replay = await replayOf((await getStore()).db, caller.address, key, "check-in", request, input.chainId);
      if (replay) return c.json(actionJson(replay), 200);
      const chain = await chainOfSubject(input.chainId, "ticket", p.tokenId.toString(), chainsWith(db, schema.ticket, eq(schema.ticket.tokenId, p.tokenId)));
      if (!chain) throw refusalError("unknown_ticket", p.tokenId);
      const chainId = chain.network.chainId;
      const sender = senderOf(chain, "validator");
      const now = BigInt(Math.floor(Date.now() / 1000));
      const a = await assess(deps, chain, p, now, input.eventId === undefined ? undefined : BigInt(input.eventId));
      if (a.refusal) throw refusalError(a.refusal, p.tokenId);
      const nft = contractOn(chain, "EventTicketNFT");
      const store = await actionStore(chainId);
      const result = await recordAction(store, checkInAction(chainId, caller, key, request, a, gate.value, sender.address, nft), {
        lockKey: checkInsLock(chainId),
        check: async (tx) => {
          if (a.eventId !== null && (await closingEvents(tx, chainId, [a.eventId.toString()])).size > 0) throw refusalError("event_closing", p.tokenId);
          if ((await acceptedTokens(tx, chainId, [p.tokenId.toString()])).size > 0) throw refusalError("already_checked_in", p.tokenId);
        },
      });
      if (result.created) kickWorker(chainId);
      return result.created ? c.json(actionJson(result.row), 201) : c.json(actionJson(result.row), 200);
    })
    .openapi(batchRoute, async (c) => {
      const key = idempotencyKeyOf(c);
      const caller = c.get("caller");
      const input = c.req.valid("json");
      const gate = gateIdBytes32(input.gateId);
      if (!gate.ok) throw new ApiError(400, "invalid_request", gate.error);
      const gateEventId = input.eventId === undefined ? undefined : BigInt(input.eventId);
      const parsed = input.items.map((item) => ({ payload: parsePayload(item.payload), scannedAt: item.scannedAt }));
      const request = {
        gateId: gate.value,
        eventId: input.eventId ?? null,
        items: parsed.map((p, i) => ({ payload: p.payload.ok ? payloadJson(p.payload.value) : (storable(input.items[i]!.payload) ?? null), scannedAt: p.scannedAt.toString() })),
      };
      const hash = requestHash("check-in-batch", request);
      type Db = Awaited<ReturnType<typeof getStore>>["db"] | StoreTx;
      // A retry naming another chain than the batch's is a different request; one naming none is the same.
      const findBatch = async (db: Db, chainId: number | undefined) => {
        const [b] = await db.select().from(actionBatch).where(and(eq(actionBatch.requestedBy, caller.address), eq(actionBatch.idempotencyKey, key))).limit(1);
        if (b && (replayOutcome(b.requestHash, hash) === "key_reused" || (chainId !== undefined && b.chainId !== null && b.chainId !== chainId))) throw keyReused(key);
        return b;
      };
      const earlier = await findBatch((await getStore()).db, input.chainId);
      if (earlier) return c.json(batchJson(earlier.id, earlier.results as BatchResult[]), 200);
      const chain = chainWithContract(input.chainId, "EventTicketNFT");
      const chainId = chain.network.chainId;
      const sender = senderOf(chain, "validator");
      const nft = contractOn(chain, "EventTicketNFT");
      const store = await actionStore(chainId);

      const now = BigInt(Math.floor(Date.now() / 1000));
      const first = firstOccurrences(parsed.map((p) => (p.payload.ok ? p.payload.value.tokenId : null)));
      const firstIndex = new Map<bigint, number>();
      const results: (BatchResult | Assessment)[] = [];
      for (let i = 0; i < parsed.length; i += 25) {
        const chunk = await Promise.all(
          parsed.slice(i, i + 25).map(async (p, j): Promise<BatchResult | Assessment> => {
            const index = i + j;
            if (!p.payload.ok) return { index, tokenId: null, status: "refused", reason: "invalid_payload", message: p.payload.message };
            const tokenId = p.payload.value.tokenId;
            if (!first[index]) return { index, tokenId: tokenId.toString(), status: "duplicate" };
            if (!isPlausibleScanTime(p.scannedAt, now)) return { index, tokenId: tokenId.toString(), status: "refused", reason: "invalid_scanned_at", message: REFUSAL_MESSAGES.invalid_scanned_at };
            return assess(deps, chain, p.payload.value, p.scannedAt, gateEventId);
          }),
        );
        results.push(...chunk);
      }
      parsed.forEach((p, index) => {
        if (p.payload.ok && first[index]) firstIndex.set(p.payload.value.tokenId, index);
      });

      const batchId = randomUUID();
      const outcome = await store.locked(checkInsLock(chainId), async (tx) => {
        const again = await findBatch(tx, chainId);
        if (again) return { id: again.id, results: again.results as BatchResult[], created: false };
        const candidates = results.filter((r): r is Assessment => "payload" in r && r.refusal === null);
        const accepted = await acceptedTokens(tx, chainId, candidates.map((a) => a.payload.tokenId.toString()));
        const closing = await closingEvents(tx, chainId, candidates.flatMap((a) => (a.eventId === null ? [] : [a.eventId.toString()])));
        const now2 = new Date();
        const rows: (typeof action.$inferInsert)[] = [];
        const final: BatchResult[] = results.map((r, index) => {
          if (!("payload" in r)) return r.status === "duplicate" ? { ...r, duplicateOf: firstIndex.get(BigInt(r.tokenId!)) } : r;
          const tokenId = r.payload.tokenId.toString();
          const refusal = r.refusal ?? (r.eventId !== null && closing.has(r.eventId.toString()) ? "event_closing" : accepted.has(tokenId) ? "already_checked_in" : null);
          if (refusal) return { index, tokenId, status: "refused", reason: refusal, message: REFUSAL_MESSAGES[refusal] };
          const itemRequest = { batchId, index, payload: payloadJson(r.payload), gateId: gate.value, scannedAt: parsed[index]!.scannedAt.toString() };
          const row = newActionRow(checkInAction(chainId, caller, `batch:${batchId}:${index}`, itemRequest, r, gate.value, sender.address, nft), now2);
          rows.push(row);
          return { index, tokenId, status: "accepted", actionId: row.id! };
        });
        // The key is the caller's across chains, while the lock is this chain's: a twin on another chain may have taken it.
        const [taken] = await tx.insert(actionBatch).values({ id: batchId, chainId, requestedBy: caller.address, idempotencyKey: key, requestHash: hash, results: final, createdAt: now2 }).onConflictDoNothing().returning({ id: actionBatch.id });
        if (!taken) throw keyReused(key);
        if (rows.length) await tx.insert(action).values(rows);
        return { id: batchId, results: final, created: true };
      });
      if (outcome.created) kickWorker(chainId);
      return outcome.created ? c.json(batchJson(outcome.id, outcome.results), 201) : c.json(batchJson(outcome.id, outcome.results), 200);
    });
}

function batchJson(batchId: string, results: BatchResult[]) {
  return {
    batchId,
    accepted: results.filter((r) => r.status === "accepted").length,
    duplicates: results.filter((r) => r.status === "duplicate").length,
    refused: results.filter((r) => r.status === "refused").length,
    results,
  };
}
