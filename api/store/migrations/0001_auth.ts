import type { Migration } from "./types.js";

// Owned by the auth module (api/store/tables/auth.ts); the DDL must match those drizzle tables.
export const authMigration: Migration = {
  id: "0001_auth",
  up: (s) => [
    `CREATE TABLE ${s}.auth_nonce (
      nonce text PRIMARY KEY,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      used_by text
    )`,
    `CREATE INDEX auth_nonce_expires_idx ON ${s}.auth_nonce (expires_at)`,
    `CREATE TABLE ${s}.rate_limit_window (
      name text NOT NULL,
      client text NOT NULL,
      window_start bigint NOT NULL,
      window_end bigint NOT NULL,
      count integer NOT NULL,
      PRIMARY KEY (name, client, window_start)
    )`,
    `CREATE INDEX rate_limit_window_end_idx ON ${s}.rate_limit_window (window_end)`,
  ],
};
