import type { Migration } from "./types.js";

// api/store/tables/actions.ts (action.chain_id); the DDL must match that drizzle table. An action
// names the chain it is sent to, so one store can hold actions for several chains. Actions recorded
// before this were all for the store's one chain (store_chain, bound before any action is written).
export const actionChainMigration: Migration = {
  id: "0007_action_chain",
  up: (s) => [
    `ALTER TABLE ${s}.action ADD COLUMN chain_id integer`,
    `UPDATE ${s}.action SET chain_id = (SELECT chain_id FROM ${s}.store_chain WHERE id = 1)`,
    `ALTER TABLE ${s}.action ALTER COLUMN chain_id SET NOT NULL`,
    `DROP INDEX ${s}.action_work_idx`,
    `CREATE INDEX action_work_idx ON ${s}.action (chain_id, status, next_attempt_at)`,
    `DROP INDEX ${s}.action_sender_idx`,
    `CREATE INDEX action_sender_idx ON ${s}.action (chain_id, sender, nonce)`,
  ],
};
