import type { Migration } from "./types.js";

// api/store/tables/chain.ts; the DDL must match that drizzle table.
export const storeChainMigration: Migration = {
  id: "0005_store_chain",
  up: (s) => [`CREATE TABLE ${s}.store_chain (id integer PRIMARY KEY, chain_id integer NOT NULL, genesis_hash text NOT NULL, created_at timestamptz NOT NULL)`],
};
