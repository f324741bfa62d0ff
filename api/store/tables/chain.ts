// Drizzle table of the chain the store belongs to (api/actions/chain-guard.ts).
// DDL: api/store/migrations/0005_store_chain.ts.
import { integer, text, timestamp } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

/** One row: the chain id and genesis hash the store's signed transactions are for. */
export const storeChain = offchain.table("store_chain", {
  id: integer("id").primaryKey(),
  chainId: integer("chain_id").notNull(),
  genesisHash: text("genesis_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
});
