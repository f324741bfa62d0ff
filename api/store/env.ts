// Where the offchain store lives, from the environment. It is never in Ponder's onchain schema:
// PGlite in a directory of its own by default, a PostgreSQL schema of its own with DATABASE_URL.
//
//   OFFCHAIN_SCHEMA       PostgreSQL schema of the store (default "offchain"); every `ponder serve`
//                         replica of one deployment must use the same one
//   OFFCHAIN_PGLITE_DIR   PGlite directory of the store when DATABASE_URL is unset (default .ponder/offchain)
import type { Env } from "../../config/network.js";

export type StoreLocation = { kind: "postgres"; url: string; schema: string } | { kind: "pglite"; directory: string; schema: string };

export const DEFAULT_OFFCHAIN_SCHEMA = "offchain";
export const DEFAULT_OFFCHAIN_PGLITE_DIR = ".ponder/offchain";

export function offchainSchemaName(env: Env = process.env): string {
  const schema = env.OFFCHAIN_SCHEMA?.trim() || DEFAULT_OFFCHAIN_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`OFFCHAIN_SCHEMA must be a lower-case PostgreSQL identifier (letters, digits, _), got "${schema}"`);
  }
  return schema;
}

export function storeLocation(env: Env = process.env): StoreLocation {
  const schema = offchainSchemaName(env);
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: "postgres", url, schema };
  return { kind: "pglite", directory: env.OFFCHAIN_PGLITE_DIR?.trim() || DEFAULT_OFFCHAIN_PGLITE_DIR, schema };
}
