// Issued authorizations in the offchain store: recording one, reading them back with the status
// the index gives them.
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import { getAddress, type Address, type Hex } from "viem";
import type { ReadDeps } from "../rest/db.js";
import type { Store } from "../store/db.js";
import { signedAuthorization, type AuthorizationKind, type TypedDataJson } from "../store/tables/signing.js";
import { authorizationStatus, type AuthorizationStatus, type IndexedBooking } from "./status.js";
import { clientTypedData } from "./typed-data.js";

export type AuthorizationRecord = typeof signedAuthorization.$inferSelect;

export type NewAuthorization = {
  kind: AuthorizationKind;
  bookingId: Hex;
  nonce: bigint;
  signer: Address;
  requestedBy: Address;
  typedData: TypedDataJson;
  signature: Hex;
  expiry: bigint;
};

export async function recordAuthorization(store: Store, a: NewAuthorization, now: Date): Promise<AuthorizationRecord> {
  const [row] = await store.db
    .insert(signedAuthorization)
    .values({
      id: randomUUID(),
      kind: a.kind,
      bookingId: a.bookingId.toLowerCase(),
      nonce: a.nonce.toString(),
      signer: a.signer.toLowerCase(),
      requestedBy: a.requestedBy.toLowerCase(),
      typedData: a.typedData,
      signature: a.signature,
      expiry: a.expiry,
      createdAt: now,
    })
    .returning();
  return row!;
}

export async function findAuthorization(store: Store, id: string): Promise<AuthorizationRecord | null> {
  const [row] = await store.db.select().from(signedAuthorization).where(eq(signedAuthorization.id, id));
  return row ?? null;
}

export async function listAuthorizations(
  store: Store,
  filter: { requestedBy?: string; kind?: AuthorizationKind; bookingId?: string; limit: number },
): Promise<AuthorizationRecord[]> {
  const t = signedAuthorization;
  const where = and(
    filter.requestedBy ? eq(t.requestedBy, filter.requestedBy.toLowerCase()) : undefined,
    filter.kind ? eq(t.kind, filter.kind) : undefined,
    filter.bookingId ? eq(t.bookingId, filter.bookingId.toLowerCase()) : undefined,
  );
  return store.db.select().from(t).where(where).orderBy(desc(t.createdAt), desc(t.id)).limit(filter.limit);
}

/**
 * The indexed bookings the records refer to, by id, on `chainId` (the chain of their EIP-712
 * domain): a booking with the same id on another indexed chain must not mark an authorization used.
 */
export async function indexedBookings(read: ReadDeps, chainId: number, bookingIds: string[]): Promise<Map<string, IndexedBooking>> {
  const ids = [...new Set(bookingIds.map((b) => b.toLowerCase() as Hex))];
  if (ids.length === 0) return new Map();
  const b = read.schema.booking;
  const rows = await read.db
    .select({
      id: b.id,
      status: b.status,
      emergency: b.emergency,
      customerRefund: b.customerRefund,
      providerAmount: b.providerAmount,
      platformAmount: b.platformAmount,
      inviterAmount: b.inviterAmount,
      cancelReason: b.cancelReason,
      cancellationNonce: b.cancellationNonce,
      createdTxHash: b.createdTxHash,
      settledTxHash: b.settledTxHash,
    })
    .from(b)
    .where(and(eq(b.chainId, chainId), inArray(b.id, ids)));
  return new Map(rows.map((r) => [r.id.toLowerCase(), r]));
}

export type AuthorizationView = {
  id: string;
  kind: AuthorizationKind;
  bookingId: string;
  nonce: string;
  signer: string;
  requestedBy: string;
  authorization: Record<string, string>;
  signature: string;
  typedData: TypedDataJson;
  expiresAt: string;
  createdAt: string;
  status: AuthorizationStatus;
  txHash: string | null;
};

export function authorizationView(r: AuthorizationRecord, booking: IndexedBooking | null, nowSeconds: bigint): AuthorizationView {
  const { status, txHash } = authorizationStatus({ kind: r.kind, expiry: r.expiry, message: r.typedData.message }, booking, nowSeconds);
  return {
    id: r.id,
    kind: r.kind,
    bookingId: r.bookingId,
    nonce: r.nonce,
    signer: getAddress(r.signer),
    requestedBy: getAddress(r.requestedBy),
    authorization: r.typedData.message,
    signature: r.signature,
    typedData: clientTypedData(r.typedData),
    expiresAt: new Date(Number(r.expiry) * 1000).toISOString(),
    createdAt: r.createdAt.toISOString(),
    status,
    txHash,
  };
}
