import type { Migration } from "./types.js";

// api/store/tables/actions.ts (action.retry_of); the DDL must match that drizzle table. A failed
// action may be retried once: the retry is a new action naming it, and the unique index keeps a
// second one out on every replica.
export const actionRetryMigration: Migration = {
  id: "0009_action_retry",
  up: (s) => [
    `ALTER TABLE ${s}.action ADD COLUMN retry_of uuid`,
    `CREATE UNIQUE INDEX action_retry_of_idx ON ${s}.action (retry_of)`,
    `CREATE INDEX action_created_idx ON ${s}.action (created_at, id)`,
  ],
};
