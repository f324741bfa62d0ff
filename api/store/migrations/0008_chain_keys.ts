import type { Migration } from "./types.js";

// api/store/tables/chain.ts, metadata.ts and actions.ts (action_batch); the DDL must match those
// drizzle tables. Write actions run on every served chain: the store records one genesis per chain
// id, event metadata is keyed by (chain, event id) since event ids repeat across chains, and a
// check-in batch names its chain. Metadata from before belongs to the store's one chain, or, in a
// store that never sent an action, to chain 0 until the first network's worker claims it
// (api/actions/chain-guard.ts).
export const chainKeysMigration: Migration = {
  id: "0008_chain_keys",
  up: (s) => [
    `ALTER TABLE ${s}.store_chain DROP CONSTRAINT store_chain_pkey`,
    `ALTER TABLE ${s}.store_chain DROP COLUMN id`,
    `ALTER TABLE ${s}.store_chain ADD PRIMARY KEY (chain_id)`,
    `ALTER TABLE ${s}.event_metadata ADD COLUMN chain_id integer`,
    `UPDATE ${s}.event_metadata SET chain_id = COALESCE((SELECT chain_id FROM ${s}.store_chain LIMIT 1), 0)`,
    `ALTER TABLE ${s}.event_metadata ALTER COLUMN chain_id SET NOT NULL`,
    `ALTER TABLE ${s}.event_metadata DROP CONSTRAINT event_metadata_pkey`,
    `ALTER TABLE ${s}.event_metadata ADD PRIMARY KEY (chain_id, event_id)`,
    `ALTER TABLE ${s}.action_batch ADD COLUMN chain_id integer`,
    `UPDATE ${s}.action_batch SET chain_id = (SELECT chain_id FROM ${s}.store_chain LIMIT 1)`,
  ],
};
