// Drizzle table of the chain the store belongs to (api/actions/chain-guard.ts).
// DDL: api/store/migrations/0005_store_chain.ts, 0008_chain_keys.ts.
import { integer, text, timestamp } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

/** One row per chain the store holds actions for: its genesis hash (a chain id is one chain, never two). */
export const storeChain = offchain.table("store_chain", {
  chainId: integer("chain_id").primaryKey(),
  genesisHash: text("genesis_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
});
