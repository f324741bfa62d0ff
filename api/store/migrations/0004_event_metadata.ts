import type { Migration } from "./types.js";

// Owned by the metadata module (api/store/tables/metadata.ts); the DDL must match those drizzle tables.
export const metadataMigration: Migration = {
  id: "0004_event_metadata",
  up: (s) => [
    `CREATE TABLE ${s}.event_metadata (
      event_id text PRIMARY KEY,
      name text NOT NULL,
      description text,
      venue text,
      starts_at timestamptz,
      ends_at timestamptz,
      image_url text,
      updated_by text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
  ],
};
