// Drizzle tables of the metadata module, in the offchain schema (api/store/pgschema.ts).
// DDL: api/store/migrations/0004_event_metadata.ts, 0008_chain_keys.ts.
import { integer, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

/** What the chain does not carry about a ticketed event. Keyed by its chain and on-chain event id (decimal). */
export const eventMetadata = offchain.table(
  "event_metadata",
  {
    chainId: integer("chain_id").notNull(),
    eventId: text("event_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    venue: text("venue"),
    /** ISO 8601 instants as given (validated). */
    startsAt: timestamp("starts_at", { withTimezone: true, mode: "date" }),
    endsAt: timestamp("ends_at", { withTimezone: true, mode: "date" }),
    imageUrl: text("image_url"),
    updatedBy: text("updated_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.eventId] })],
);

export type EventMetadataRow = typeof eventMetadata.$inferSelect;
