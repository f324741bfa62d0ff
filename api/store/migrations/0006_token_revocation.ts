import type { Migration } from "./types.js";

// api/store/tables/auth.ts (revokedToken); the DDL must match that drizzle table.
export const tokenRevocationMigration: Migration = {
  id: "0006_token_revocation",
  up: (s) => [
    `CREATE TABLE ${s}.revoked_token (
      token_hash text PRIMARY KEY,
      address text NOT NULL,
      revoked_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX revoked_token_expires_idx ON ${s}.revoked_token (expires_at)`,
  ],
};
