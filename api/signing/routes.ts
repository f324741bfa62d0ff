// EIP-712 authorizations signed by the platform's BookingEscrow signer:
//   POST /api/sign/booking        the caller (customer) may pay a booking on these terms
//   POST /api/sign/cancellation   the caller (customer or provider) may cancel a PAID booking with the policy's split
//   GET  /api/authorizations/{id} an issued authorization and whether the index shows it used (requester or admin)
//   GET  /api/authorizations      the latest issued ones (admin)
// Every issued authorization is recorded before it is returned. The signing routes share one rate
// limit per signed-in address.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { getAddress, isAddress, type Hex } from "viem";
import { requireAuth, requireRole, type AuthEnv } from "../auth/middleware.js";
import { rateLimit } from "../auth/rate-limit.js";
import { BEARER } from "../auth/routes.js";
import { cancellationSplit, DEFAULT_CANCELLATION_REASON } from "../../domain/cancellation.js";
import { ApiError, notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { text } from "../http/text.js";
import { getStore } from "../store/db.js";
import { AUTHORIZATION_TTL_SECONDS, bookingIdOf, bookingTerms, MAX_INVITER_FEE_RATE, MAX_PLATFORM_FEE_RATE, offchainBookingId } from "./booking.js";
import type { SigningDeps } from "./env.js";
import { signingChainFor } from "./chain.js";
import { allocateNonce } from "./nonce.js";
import { authorizationView, findAuthorization, indexedBookings, listAuthorizations, recordAuthorization, type AuthorizationRecord } from "./records.js";
import {
  BOOKING_AUTHORIZATION_TYPES,
  bookingTypedDataJson,
  CANCELLATION_AUTHORIZATION_TYPES,
  cancellationTypedDataJson,
  clientTypedData,
  type BookingAuthorization,
  type CancellationAuthorization,
} from "./typed-data.js";

const TAG = "signing";
const security = [{ [BEARER]: [] }];
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const AddressInput = z
  .string()
  .refine((v) => isAddress(v, { strict: true }), "must be an address: 0x + 40 hex digits (mixed case must be a valid EIP-55 checksum)")
  .transform((v) => getAddress(v))
  .openapi({ type: "string", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });

const ChainIdInput = z
  .number()
  .int()
  .positive()
  .optional()
  .openapi({ description: "The chain whose BookingEscrow the authorization is for; needed only when this API serves escrows on several chains (a 400 chain_required names them)", example: 84532 });

const BookingBody = z
  .object({
    chainId: ChainIdInput,
    provider: AddressInput,
    inviter: AddressInput.nullable()
      .optional()
      .openapi({ type: ["string", "null"], description: "Omit, null or the zero address for none" }),
    amount: z
      .string()
      .regex(/^[0-9]{1,78}$/, "must be a decimal string in the token's smallest unit, e.g. \"1500000\" for 1.5 USDC")
      .openapi({ description: "In the payment token's smallest unit (USDC: 6 decimals), > 0", example: "25000000" }),
    platformFeeRate: z.number().int().min(0).max(Number(MAX_PLATFORM_FEE_RATE)).optional().openapi({ description: "Basis points; admin only (default 1000, or 500 with an inviter)" }),
    inviterFeeRate: z.number().int().min(0).max(Number(MAX_INVITER_FEE_RATE)).optional().openapi({ description: "Basis points; admin only (default 500 with an inviter, else 0)" }),
  })
  .strict();

const CancellationBody = z
  .object({
    chainId: ChainIdInput,
    bookingId: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex booking id: 0x followed by 64 hex digits")
      .transform((v) => v.toLowerCase() as Hex)
      .openapi({ type: "string", example: "0x6f5b9e3e1f2a0c4d8b7a6e5f4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291" }),
    reason: text(200).optional().openapi({ description: "Recorded on chain; default: the policy rule that applied" }),
  })
  .strict();

const TypedData = z
  .object({
    domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int(), verifyingContract: z.string() }),
    types: z.record(z.array(z.object({ name: z.string(), type: z.string() }))),
    primaryType: z.string(),
    message: z.record(z.string()),
  })
  .openapi("TypedData", {
    description:
      "EIP-712 typed data (uint256 as decimal strings). `types` lists the primary type only, not EIP712Domain: viem's and ethers' verifyTypedData take it as returned",
  });

const IssuedJson = z
  .object({
    id: z.string().uuid(),
    authorization: z.record(z.string()).openapi({ description: "The struct to pass to the contract (uint256 as decimal strings)" }),
    signature: z.string(),
    typedData: TypedData,
    expiresAt: z.string().openapi({ description: "ISO 8601; the contract refuses it after this (block time)" }),
    policy: z.string().optional().openapi({ description: "Cancellations: the policy rule that set the split" }),
  })
  .openapi("IssuedAuthorization");

const AuthorizationJson = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(["booking", "cancellation"]),
    bookingId: z.string(),
    nonce: z.string(),
    signer: z.string(),
    requestedBy: z.string(),
    authorization: z.record(z.string()),
    signature: z.string(),
    typedData: TypedData,
    expiresAt: z.string(),
    createdAt: z.string(),
    status: z.enum(["issued", "used", "expired"]).openapi({ description: "used: the index shows it landed; expired: past its expiry unused" }),
    txHash: z.string().nullable().openapi({ description: "The transaction that used it, when the index has it" }),
  })
  .openapi("Authorization");

const signingErrors = {
  400: errorResponse("Malformed body (the message names the field), a chainId not served (unknown_chain), or none given where escrows are on several chains (chain_required)"),
  401: errorResponse("No, invalid or expired token"),
  429: errorResponse("Over the signing rate limit (Retry-After says when to retry)"),
  503: errorResponse("No signer (SIGNER_PRIVATE_KEY) or no BookingEscrow on this network"),
};

export function signingRouter(deps: SigningDeps) {
  const limit = rateLimit<AuthEnv>({ name: "signing", limit: deps.rateLimitPerMinute, windowSeconds: 60, key: (c) => c.get("caller").address.toLowerCase() });

  const bookingRoute = createRoute({
    method: "post",
    path: "/api/sign/booking",
    operationId: "signBooking",
    tags: [TAG],
    summary: "Sign a booking payment authorization for the caller (the customer)",
    description:
      "Returns the BookingAuthorization the caller passes to BookingEscrow.createAndPayBooking with the signature, valid 5 minutes. Default rates (SPEC): 10% platform without an inviter, 5% platform + 5% inviter with one; only an admin may set them.",
    security,
    middleware: [requireAuth, limit] as const,
    request: { body: { required: true, content: { "application/json": { schema: BookingBody } } } },
    responses: { 201: json(IssuedJson, "Signed and recorded"), ...signingErrors, 403: errorResponse("Fee rates set by a non-admin") },
  });

  const cancellationRoute = createRoute({
    method: "post",
    path: "/api/sign/cancellation",
    operationId: "signCancellation",
    tags: [TAG],
    summary: "Sign a cancellation authorization for a PAID booking (customer or provider)",
    description:
      "The split follows the cancellation policy: the provider cancels → all to the customer; the customer cancels within 24 h of payment → all to the customer; later → 10% fee (platform takes the booking's platform fee rate of it, the provider the rest), the customer the remainder.",
    security,
    middleware: [requireAuth, limit] as const,
    request: { body: { required: true, content: { "application/json": { schema: CancellationBody } } } },
    responses: {
      201: json(IssuedJson, "Signed and recorded"),
      ...signingErrors,
      403: errorResponse("The caller is neither the booking's customer nor its provider"),
      404: errorResponse("No such booking in the index"),
      409: errorResponse("The booking is not PAID"),
    },
  });

  const getRoute = createRoute({
    method: "get",
    path: "/api/authorizations/{id}",
    operationId: "getAuthorization",
    tags: [TAG],
    summary: "An issued authorization and its status (requester or admin)",
    security,
    middleware: [requireAuth] as const,
    request: { params: z.object({ id: z.string().uuid("must be an authorization id (a UUID)") }) },
    responses: {
      200: json(AuthorizationJson, "The authorization"),
      400: errorResponse("Malformed id"),
      401: errorResponse("No, invalid or expired token"),
      403: errorResponse("Neither the requester nor an admin"),
      404: errorResponse("No such authorization"),
    },
  });

  const listRoute = createRoute({
    method: "get",
    path: "/api/authorizations",
    operationId: "listAuthorizations",
    tags: [TAG],
    summary: "The latest issued authorizations, newest first (admin)",
    security,
    middleware: [requireAuth, requireRole("admin")] as const,
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        requestedBy: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address: 0x + 40 hex digits").optional(),
        kind: z.enum(["booking", "cancellation"]).optional(),
        bookingId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex booking id").optional(),
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(AuthorizationJson) }).openapi("AuthorizationList"), "The authorizations"),
      400: errorResponse("Malformed query"),
      401: errorResponse("No, invalid or expired token"),
      403: errorResponse("Not an admin"),
    },
  });

  /**
   * The chain, signer and domain, or 503 saying what is missing. A key that is not the escrow's
   * current signer (as indexed) would only hand out signatures the contract refuses: 503 as well.
   * Before the index has seen the signer, it is trusted. Only that chain's escrow counts: another
   * chain's signer says nothing about whose signatures this one accepts.
   */
  const ready = async (wanted: number | undefined) => {
    const chain = signingChainFor(deps.chains, wanted);
    if (!deps.signer) {
      throw new ApiError(503, "signer_not_configured", "no booking signer is configured: set SIGNER_PRIVATE_KEY (the address BookingEscrow.signer() names)");
    }
    if (!chain.domain) throw new ApiError(503, "escrow_not_configured", `network "${chain.networkName}" has no BookingEscrow to sign for`);
    const r = deps.read.schema.roleMember;
    const current = await deps.read.db
      .select({ account: r.account })
      .from(r)
      .where(and(eq(r.chainId, chain.chainId), eq(r.contract, "BookingEscrow"), eq(r.role, "SIGNER"), eq(r.active, true)));
    if (current.length > 0 && !current.some((row) => same(row.account, deps.signer!.address))) {
      throw new ApiError(503, "signer_mismatch", `SIGNER_PRIVATE_KEY is for ${deps.signer.address}, but BookingEscrow.signer() on chain ${chain.chainId} is ${getAddress(current[0]!.account)} (as indexed)`);
    }
    return { chain, signer: deps.signer, domain: chain.domain };
  };
  /** A record's chain is its domain's: its clock says whether it has expired. */
  const nowOn = (chainId: number) => (deps.chains.find((c) => c.chainId === chainId) ?? deps.chains[0]!).now();

  const issued = (record: AuthorizationRecord, policy?: string) => ({
    id: record.id,
    authorization: record.typedData.message,
    signature: record.signature,
    typedData: clientTypedData(record.typedData),
    expiresAt: new Date(Number(record.expiry) * 1000).toISOString(),
    ...(policy ? { policy } : {}),
  });

  return newRouter<AuthEnv>()
    .openapi(bookingRoute, async (c) => {
      const body = c.req.valid("json");
      const { chain, signer, domain } = await ready(body.chainId);
      const caller = c.get("caller");
      const result = bookingTerms(
        { customer: caller.address, provider: body.provider, inviter: body.inviter ?? null, amount: BigInt(body.amount), platformFeeRate: body.platformFeeRate, inviterFeeRate: body.inviterFeeRate },
        caller.roles.includes("admin"),
      );
      if (!result.ok) throw new ApiError(result.status, result.code, result.message, { field: result.field });
      const store = await getStore();
      const nonce = await allocateNonce(store);
      const now = await chain.now();
      const message: BookingAuthorization = {
        ...result.terms,
        bookingId: bookingIdOf(offchainBookingId(signer.address, nonce)),
        expiry: now + AUTHORIZATION_TTL_SECONDS,
        nonce,
      };
      const signature = await signer.signTypedData({ domain, types: BOOKING_AUTHORIZATION_TYPES, primaryType: "BookingAuthorization", message });
      const record = await recordAuthorization(
        store,
        { kind: "booking", bookingId: message.bookingId, nonce, signer: signer.address, requestedBy: caller.address, typedData: bookingTypedDataJson(domain, message), signature, expiry: message.expiry },
        new Date(),
      );
      return c.json(issued(record), 201);
    })
    .openapi(cancellationRoute, async (c) => {
      const { chainId, bookingId, reason } = c.req.valid("json");
      const { chain, signer, domain } = await ready(chainId);
      const caller = c.get("caller");
      // The booking on the chain signed for: the same id on another chain has its own parties and terms.
      const b = deps.read.schema.booking;
      const [booking] = await deps.read.db
        .select({ status: b.status, customer: b.customer, provider: b.provider, amount: b.amount, platformFeeRate: b.platformFeeRate, createdAt: b.createdAt })
        .from(b)
        .where(and(eq(b.chainId, chain.chainId), eq(b.id, bookingId)));
      if (!booking) throw notFound("booking", bookingId);
      if (booking.status !== "PAID") throw new ApiError(409, "booking_not_paid", `booking ${bookingId} is ${booking.status}: only a PAID booking can be cancelled`, { status: booking.status });
      const by = same(caller.address, booking.customer) ? "customer" : same(caller.address, booking.provider) ? "provider" : null;
      if (!by) throw new ApiError(403, "forbidden", `only the booking's customer or provider may cancel it; ${caller.address} is neither`);
      const now = await chain.now();
      const split = cancellationSplit({ amount: booking.amount, platformFeeRate: BigInt(booking.platformFeeRate), paidAt: booking.createdAt, now, by });
      const store = await getStore();
      const nonce = await allocateNonce(store);
      const message: CancellationAuthorization = {
        bookingId,
        customerAmount: split.customerAmount,
        providerAmount: split.providerAmount,
        platformAmount: split.platformAmount,
        inviterAmount: split.inviterAmount,
        reason: reason ?? DEFAULT_CANCELLATION_REASON[split.rule],
        expiry: now + AUTHORIZATION_TTL_SECONDS,
        nonce,
      };
      const signature = await signer.signTypedData({ domain, types: CANCELLATION_AUTHORIZATION_TYPES, primaryType: "CancellationAuthorization", message });
      const record = await recordAuthorization(
        store,
        { kind: "cancellation", bookingId, nonce, signer: signer.address, requestedBy: caller.address, typedData: cancellationTypedDataJson(domain, message), signature, expiry: message.expiry },
        new Date(),
      );
      return c.json(issued(record, split.rule), 201);
    })
    .openapi(getRoute, async (c) => {
      const caller = c.get("caller");
      const { id } = c.req.valid("param");
      const record = await findAuthorization(await getStore(), id.toLowerCase());
      if (!record) throw notFound("authorization", id);
      if (!same(record.requestedBy, caller.address) && !caller.roles.includes("admin")) {
        throw new ApiError(403, "forbidden", "only the caller who requested an authorization, or an admin, may read it");
      }
      const chainId = record.typedData.domain.chainId;
      const [bookings, now] = await Promise.all([indexedBookings(deps.read, chainId, [record.bookingId]), nowOn(chainId)]);
      return c.json(authorizationView(record, bookings.get(record.bookingId) ?? null, now), 200);
    })
    .openapi(listRoute, async (c) => {
      const { limit, requestedBy, kind, bookingId } = c.req.valid("query");
      const records = await listAuthorizations(await getStore(), { limit, requestedBy, kind, bookingId });
      // Each record is judged on its own chain (its domain's): the index's booking there, that chain's time.
      const chainIds = [...new Set(records.map((r) => r.typedData.domain.chainId))];
      const perChain = new Map(
        await Promise.all(
          chainIds.map(async (chainId) => {
            const ids = records.filter((r) => r.typedData.domain.chainId === chainId).map((r) => r.bookingId);
            const [bookings, now] = await Promise.all([indexedBookings(deps.read, chainId, ids), nowOn(chainId)]);
            return [chainId, { bookings, now }] as const;
          }),
        ),
      );
      const items = records.map((r) => {
        const { bookings, now } = perChain.get(r.typedData.domain.chainId)!;
        return authorizationView(r, bookings.get(r.bookingId) ?? null, now);
      });
      return c.json({ items }, 200);
    });
}

