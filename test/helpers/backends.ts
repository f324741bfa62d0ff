// The databases every database suite runs on: PGlite, and PostgreSQL at TEST_DATABASE_URL. Under
// CI a PostgreSQL that does not answer fails the file instead of skipping its runs.
import { postgresReachable, type PonderDatabase } from "./ponder.js";

export const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
export const pgAvailable = await postgresReachable(PG_URL);
if (process.env.CI === "true" && !pgAvailable) throw new Error(`CI: no PostgreSQL at ${PG_URL}; the PostgreSQL runs must not be skipped`);

export type Backend = { name: string; database: PonderDatabase; enabled: boolean };
export const backends: Backend[] = [
  { name: "pglite", database: { kind: "pglite" }, enabled: true },
  { name: "postgres", database: { kind: "postgres", url: PG_URL }, enabled: pgAvailable },
];
