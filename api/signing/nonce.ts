// Authorization nonces: (unix ms << 64) | sequence. BookingEscrow refuses a nonce it has seen from
// the signer, so one must never be issued twice. The sequence (a store sequence: unique under
// concurrency and across replicas and restarts) makes nonces unique within one store; the
// millisecond prefix keeps a wiped or new store from repeating an old one, because its sequence
// restarts at a later millisecond.
import { sql } from "drizzle-orm";
import type { Store } from "../store/db.js";
import { SIGNING_NONCE_SEQUENCE } from "../store/tables/signing.js";

export const SEQUENCE_BITS = 64n;
const SEQUENCE_LIMIT = 1n << SEQUENCE_BITS;

export function composeNonce(unixMs: bigint, sequence: bigint): bigint {
  if (unixMs < 0n) throw new RangeError(`negative time ${unixMs}`);
  if (sequence < 0n || sequence >= SEQUENCE_LIMIT) throw new RangeError(`sequence ${sequence} does not fit in ${SEQUENCE_BITS} bits`);
  return (unixMs << SEQUENCE_BITS) | sequence;
}

export function decomposeNonce(nonce: bigint): { unixMs: bigint; sequence: bigint } {
  return { unixMs: nonce >> SEQUENCE_BITS, sequence: nonce & (SEQUENCE_LIMIT - 1n) };
}

export async function allocateNonce(store: Store, nowMs: number = Date.now()): Promise<bigint> {
  const s = `"${store.location.schema}"`;
  const res = (await store.db.execute(sql.raw(`SELECT nextval('${s}.${SIGNING_NONCE_SEQUENCE}')::text AS seq`))) as unknown as { rows: { seq: string }[] };
  return composeNonce(BigInt(nowMs), BigInt(res.rows[0]!.seq));
}
