// The offchain store on real PGlite and PostgreSQL: migrations apply once, in order, in a schema of
// its own; `locked` serializes read-modify-write across connections.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../api/store/db.js";
import { migrations, type Migration } from "../../api/store/migrations/index.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";
import { dropPostgresSchema, uniqueSchema } from "../helpers/ponder.js";

const dirs: string[] = [];
const schemas: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const s of schemas) dropPostgresSchema(PG_URL, s);
});

const counter: Migration = { id: "0001_counter", up: (s) => [`CREATE TABLE ${s}.counter (id int PRIMARY KEY, n int NOT NULL)`, `INSERT INTO ${s}.counter VALUES (1, 0)`] };
const extra: Migration = { id: "0002_extra", up: (s) => [`ALTER TABLE ${s}.counter ADD COLUMN note text`] };

const backends = [
  {
    name: "pglite",
    enabled: true,
    env: () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "store-"));
      dirs.push(dir);
      return { OFFCHAIN_PGLITE_DIR: path.join(dir, "db"), OFFCHAIN_SCHEMA: "offchain" };
    },
  },
  {
    name: "postgres",
    enabled: pgAvailable,
    env: () => {
      const schema = uniqueSchema("store");
      schemas.push(schema);
      return { DATABASE_URL: PG_URL, OFFCHAIN_SCHEMA: schema };
    },
  },
];

async function count(store: Store): Promise<number> {
  const res = (await store.db.execute(sql.raw(`SELECT n FROM "${store.location.schema}".counter WHERE id = 1`))) as unknown as { rows: { n: number }[] };
  return res.rows[0]!.n;
}

describe.each(backends)("offchain store on $name", ({ enabled, env }) => {
  const run = enabled ? it : it.skip;

  run("applies each migration once, across reopenings, and only new ones later", async () => {
    const e = env();
    const first = await openStore(e, [counter]);
    expect(first.location.schema).toBe(e.OFFCHAIN_SCHEMA);
    await first.close();
    const second = await openStore(e, [counter, extra]); // counter again would fail: the table exists
    const res = (await second.db.execute(sql.raw(`SELECT id FROM "${e.OFFCHAIN_SCHEMA}".migrations ORDER BY id`))) as unknown as { rows: { id: string }[] };
    expect(res.rows.map((r) => r.id)).toEqual(["0001_counter", "0002_extra"]);
    expect(await count(second)).toBe(0);
    await second.close();
  });

  run("a failing migration leaves nothing applied and the error says which statement", async () => {
    const e = env();
    const broken: Migration = { id: "0002_broken", up: (s) => [`ALTER TABLE ${s}.counter ADD COLUMN ok int`, `ALTER TABLE ${s}.nope ADD COLUMN x int`] };
    await expect(openStore(e, [counter, broken])).rejects.toThrow(/nope/);
    const store = await openStore(e, [counter]);
    // The whole first attempt rolled back (counter included, or reopening would fail on CREATE TABLE).
    const res = (await store.db.execute(sql.raw(`SELECT id FROM "${e.OFFCHAIN_SCHEMA}".migrations`))) as unknown as { rows: { id: string }[] };
    expect(res.rows.map((r) => r.id)).toEqual(["0001_counter"]);
    const cols = (await store.db.execute(
      sql`SELECT column_name FROM information_schema.columns WHERE table_schema = ${e.OFFCHAIN_SCHEMA} AND table_name = 'counter' ORDER BY column_name`,
    )) as unknown as { rows: { column_name: string }[] };
    expect(cols.rows.map((r) => r.column_name)).toEqual(["id", "n"]);
    await store.close();
  });

  run("locked read-modify-writes from two stores on one database lose no update", async () => {
    const e = env();
    const a = await openStore(e, [counter]);
    // PGlite allows one process per directory: the second "replica" is the same store there.
    const b = "DATABASE_URL" in e ? await openStore(e, [counter]) : a;
    const bump = (s: Store) =>
      s.locked("counter", async (tx) => {
        const res = (await tx.execute(sql.raw(`SELECT n FROM "${s.location.schema}".counter WHERE id = 1`))) as unknown as { rows: { n: number }[] };
        await new Promise((r) => setTimeout(r, 2));
        await tx.execute(sql.raw(`UPDATE "${s.location.schema}".counter SET n = ${res.rows[0]!.n + 1} WHERE id = 1`));
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? a : b)));
    expect(await count(a)).toBe(40);
    await a.close();
    if (b !== a) await b.close();
  });

  run("0007 names the chain of every action recorded before it (the store's one chain) and makes it required", async () => {
    const e = env();
    const upTo6 = migrations.filter((m) => m.id < "0007");
    const before = await openStore(e, upTo6);
    const s = `"${before.location.schema}"`;
    const exec = (q: string) => before.db.execute(sql.raw(q)) as unknown as Promise<{ rows: Record<string, unknown>[] }>;
    await exec(`INSERT INTO ${s}.store_chain VALUES (1, 84532, '0xabc', now())`);
    await exec(
      `INSERT INTO ${s}.action (id, requested_by, idempotency_key, kind, request, request_hash, status, sender_role, sender, target, calldata, value, previous_tx_hashes, finalized, attempts, transitions, next_attempt_at, created_at, updated_at)
       VALUES ('00000000-0000-4000-8000-000000000001', '0x1', 'k', 'qr-settlement', '{}', 'h', 'indexed', 'bot', '0x2', '0x3', '0x', '0', '[]', true, 1, '[]', now(), now(), now())`,
    );
    await before.close();
    const after = await openStore(e);
    const read = (q: string) => after.db.execute(sql.raw(q)) as unknown as Promise<{ rows: Record<string, unknown>[] }>;
    expect((await read(`SELECT chain_id FROM ${s}.action`)).rows).toEqual([{ chain_id: 84532 }]);
    const column = await read(`SELECT is_nullable FROM information_schema.columns WHERE table_schema = '${after.location.schema}' AND table_name = 'action' AND column_name = 'chain_id'`);
    expect(column.rows).toEqual([{ is_nullable: "NO" }]);
    await after.close();
  });

  run("0008 keys the store's chains by id and event metadata by (chain, event): rows from before keep the store's chain", async () => {
    const e = env();
    const before = await openStore(e, migrations.filter((m) => m.id < "0008"));
    const s = `"${before.location.schema}"`;
    const exec = (q: string) => before.db.execute(sql.raw(q)) as unknown as Promise<{ rows: Record<string, unknown>[] }>;
    await exec(`INSERT INTO ${s}.store_chain VALUES (1, 84532, '0xabc', now())`);
    await exec(`INSERT INTO ${s}.event_metadata (event_id, name, updated_by, created_at, updated_at) VALUES ('7', 'Before', '0x1', now(), now())`);
    await exec(`INSERT INTO ${s}.action_batch (id, requested_by, idempotency_key, request_hash, results, created_at) VALUES ('00000000-0000-4000-8000-000000000002', '0x1', 'k', 'h', '[]', now())`);
    await before.close();
    const after = await openStore(e);
    const read = (q: string) => after.db.execute(sql.raw(q)) as unknown as Promise<{ rows: Record<string, unknown>[] }>;
    expect((await read(`SELECT chain_id, genesis_hash FROM ${s}.store_chain`)).rows).toEqual([{ chain_id: 84532, genesis_hash: "0xabc" }]);
    expect((await read(`SELECT chain_id, event_id FROM ${s}.event_metadata`)).rows).toEqual([{ chain_id: 84532, event_id: "7" }]);
    expect((await read(`SELECT chain_id FROM ${s}.action_batch`)).rows).toEqual([{ chain_id: 84532 }]);
    // The same event id on another chain is another row; the same chain id twice is refused.
    await read(`INSERT INTO ${s}.event_metadata (chain_id, event_id, name, updated_by, created_at, updated_at) VALUES (1, '7', 'Elsewhere', '0x1', now(), now())`);
    await read(`INSERT INTO ${s}.store_chain VALUES (1, '0xdef', now())`);
    await expect(read(`INSERT INTO ${s}.store_chain VALUES (84532, '0xdef', now())`)).rejects.toThrow();
    await expect(read(`INSERT INTO ${s}.event_metadata (chain_id, event_id, name, updated_by, created_at, updated_at) VALUES (1, '7', 'Twice', '0x1', now(), now())`)).rejects.toThrow();
    await after.close();
  });
});
