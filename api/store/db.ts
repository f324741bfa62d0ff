// The offchain store: drizzle over PGlite (a directory of its own) or PostgreSQL (a schema of its
// own), migrated at open. One per process, shared by every route; kept on globalThis because
// `ponder dev` reloads the API modules, and a second PGlite on one directory would corrupt it.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import type { Env } from "../../config/network.js";
import { storeLocation, type StoreLocation } from "./env.js";
import { migrations, type Migration } from "./migrations/index.js";
import * as schema from "./schema.js";

export type StoreSchema = typeof schema;
export type StoreDb = PgDatabase<PgQueryResultHKT, StoreSchema>;
export type StoreTx = PgTransaction<PgQueryResultHKT, StoreSchema, ExtractTablesWithRelations<StoreSchema>>;

export type Store = {
  location: StoreLocation;
  db: StoreDb;
  /**
   * Runs `fn` in a transaction that holds the exclusive lock `key` until it commits: a PostgreSQL
   * advisory lock, so it also excludes other processes and replicas on the same database. PGlite
   * has one connection and runs one transaction at a time, which is exclusive already.
   */
  locked<T>(key: string, fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export async function openStore(env: Env = process.env, list: Migration[] = migrations): Promise<Store> {
  const location = storeLocation(env);
  const store = location.kind === "postgres" ? openPostgres(location) : openPglite(location);
  try {
    await migrate(store, list);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

function openPostgres(location: Extract<StoreLocation, { kind: "postgres" }>): Store {
  const pool = new pg.Pool({ connectionString: location.url, max: 10 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", (err) => console.warn(`offchain store: idle PostgreSQL connection failed: ${err.message}`));
  const db = drizzlePg(pool, { schema }) as unknown as StoreDb;
  return {
    location,
    db,
    locked: (key, fn) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
        return fn(tx);
      }),
    close: () => pool.end(),
  };
}

function openPglite(location: Extract<StoreLocation, { kind: "pglite" }>): Store {
  mkdirSync(location.directory, { recursive: true });
  const client = new PGlite(location.directory);
  const db = drizzlePglite(client, { schema }) as unknown as StoreDb;
  return { location, db, locked: (_key, fn) => db.transaction(fn), close: () => client.close() };
}

async function migrate(store: Store, list: Migration[]): Promise<void> {
  const s = `"${store.location.schema}"`;
  await store.locked(`offchain-migrate:${store.location.schema}`, async (tx) => {
    // All applied already (by the indexer's process, say): no DDL at all, so an API replica whose
    // role may only read and write the store's rows (README: least privilege) opens it too.
    const present = await tx.execute(sql`SELECT 1 FROM information_schema.tables WHERE table_schema = ${store.location.schema} AND table_name = 'migrations'`);
    if ((present as unknown as { rows: unknown[] }).rows.length > 0) {
      const applied = await tx.execute(sql.raw(`SELECT id FROM ${s}.migrations`));
      const done = new Set((applied as unknown as { rows: { id: string }[] }).rows.map((r) => r.id));
      if (list.every((m) => done.has(m.id) || m.up(s).length === 0)) return;
    }
    await tx.execute(sql.raw(`CREATE SCHEMA IF NOT EXISTS ${s}`));
    await tx.execute(sql.raw(`CREATE TABLE IF NOT EXISTS ${s}.migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`));
    const applied = await tx.execute(sql.raw(`SELECT id FROM ${s}.migrations`));
    const done = new Set((applied as unknown as { rows: { id: string }[] }).rows.map((r) => r.id));
    for (const m of list) {
      const statements = m.up(s);
      if (done.has(m.id) || statements.length === 0) continue;
      for (const statement of statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`INSERT INTO ${sql.raw(s)}.migrations (id) VALUES (${m.id})`);
    }
  });
}

const GLOBAL_KEY = Symbol.for("onchain-booking-backend.offchain-store");
type Holder = { [GLOBAL_KEY]?: Promise<Store> };

/** The process's store, opened (and migrated) on first use; a failed open is retried on the next call. */
export function getStore(): Promise<Store> {
  const holder = globalThis as Holder;
  if (!holder[GLOBAL_KEY]) {
    const opening = openStore();
    holder[GLOBAL_KEY] = opening;
    opening.catch(() => {
      if (holder[GLOBAL_KEY] === opening) delete holder[GLOBAL_KEY];
    });
  }
  return holder[GLOBAL_KEY];
}
