// What the REST reads are given: Ponder's read-only drizzle handle and the onchain tables. Both
// are injected by src/api/index.ts (from `ponder:api` and `ponder:schema`), so these modules import
// no virtual Ponder module and load anywhere (unit tests, scripts).
import type { ReadonlyDrizzle } from "ponder";
import type * as OnchainSchema from "../../ponder.schema.js";

export type Schema = typeof OnchainSchema;
export type ReadDb = ReadonlyDrizzle<Schema>;
export type ReadDeps = { db: ReadDb; schema: Schema };

export type Row<K extends keyof Schema> = Schema[K] extends { $inferSelect: infer R } ? R : never;
