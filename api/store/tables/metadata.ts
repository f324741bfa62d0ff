// Drizzle tables of the metadata module, in the offchain schema (api/store/pgschema.ts).
// DDL: api/store/migrations/0004_event_metadata.ts.
import { text, timestamp } from "drizzle-orm/pg-core";
import { offchain } from "../pgschema.js";

/** What the chain does not carry about a ticketed event. Keyed by the on-chain event id (decimal). */
export const eventMetadata = offchain.table("event_metadata", {
  eventId: text("event_id").primaryKey(),
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
});

export type EventMetadataRow = typeof eventMetadata.$inferSelect;
