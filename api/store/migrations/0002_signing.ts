import type { Migration } from "./types.js";

// Owned by the signing module (api/store/tables/signing.ts); the DDL must match those drizzle tables.
export const signingMigration: Migration = {
  id: "0002_signing",
  up: (s) => [
    `CREATE TABLE ${s}.signed_authorization (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('booking', 'cancellation')),
      booking_id text NOT NULL,
      nonce numeric(78, 0) NOT NULL,
      signer text NOT NULL,
      requested_by text NOT NULL,
      typed_data jsonb NOT NULL,
      signature text NOT NULL,
      expiry bigint NOT NULL,
      created_at timestamptz NOT NULL,
      CONSTRAINT signed_authorization_signer_nonce_key UNIQUE (signer, nonce)
    )`,
    `CREATE INDEX signed_authorization_requested_by_idx ON ${s}.signed_authorization (requested_by, created_at)`,
    `CREATE INDEX signed_authorization_booking_idx ON ${s}.signed_authorization (booking_id)`,
    `CREATE INDEX signed_authorization_created_idx ON ${s}.signed_authorization (created_at)`,
    // Sequences never hand out a value twice, even to transactions that roll back or to other replicas.
    `CREATE SEQUENCE ${s}.signing_nonce_seq AS bigint MINVALUE 1 NO CYCLE`,
  ],
};
