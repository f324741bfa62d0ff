// Drizzle tables of the signing module, in the offchain schema (api/store/pgschema.ts). The DDL is
// api/store/migrations/0002_signing.ts and must match these definitions exactly.
import { bigint, index, jsonb, numeric, text, timestamp, unique } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

export type AuthorizationKind = "booking" | "cancellation";

/** EIP-712 typed data as JSON (uint256 values as decimal strings), exactly what was signed. */
export type TypedDataJson = {
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, string>;
};

/** Every EIP-712 authorization the signer issued (POST /api/sign/*). Whether it was used is read from the index. */
export const signedAuthorization = offchain.table(
  "signed_authorization",
  {
    id: text("id").primaryKey(),
    kind: text("kind").$type<AuthorizationKind>().notNull(),
    /** bytes32, lower-case hex */
    bookingId: text("booking_id").notNull(),
    /** uint256, decimal (numeric(78,0)) */
    nonce: numeric("nonce", { precision: 78, scale: 0 }).notNull(),
    /** lower-case address */
    signer: text("signer").notNull(),
    /** lower-case address of the signed-in caller */
    requestedBy: text("requested_by").notNull(),
    typedData: jsonb("typed_data").$type<TypedDataJson>().notNull(),
    signature: text("signature").notNull(),
    /** The authorization's `expiry` (unix seconds, compared with block.timestamp by the contract). */
    expiry: bigint("expiry", { mode: "bigint" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    unique("signed_authorization_signer_nonce_key").on(t.signer, t.nonce),
    index("signed_authorization_requested_by_idx").on(t.requestedBy, t.createdAt),
    index("signed_authorization_booking_idx").on(t.bookingId),
    index("signed_authorization_created_idx").on(t.createdAt),
  ],
);

/** Sequence the nonces' low 64 bits come from (api/signing/nonce.ts). */
export const SIGNING_NONCE_SEQUENCE = "signing_nonce_seq";
