// Ponder keeps its RPC data in one `ponder_sync` schema per PostgreSQL database, shared by every
// app schema and keyed by chain id, and it reads events back from there even with
// `disableCache: true` (which only skips the cached-interval lookup; inserts are ON CONFLICT DO
// NOTHING). Every local anvil is chain 31337 with the contracts at the same addresses, so on a
// shared database one run can index another run's logs. The benchmark therefore uses a chain id
// of its own and removes that chain's sync rows afterwards.
import pg from "pg";

/**
 * A chain id no other local run uses (Ponder's default finality of 30 blocks applies). Every table's
 * `chainId` is an `integer` column (int4), so the id stays below 2^31; the test helpers use 900–999 M.
 */
export function uniqueChainId(): number {
  return 1_313_370_000 + Math.floor(Math.random() * 100_000);
}

/** Deletes the rows of `chainId` from every `ponder_sync` table that has a chain_id column. */
export async function deleteSyncRows(url: string, chainId: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = 'ponder_sync' AND column_name = 'chain_id'",
    );
    let deleted = 0;
    for (const { table_name } of rows) {
      const res = await client.query(`DELETE FROM ponder_sync."${table_name.replace(/"/g, '""')}" WHERE chain_id = $1`, [chainId]);
      deleted += res.rowCount ?? 0;
    }
    return deleted;
  } finally {
    await client.end();
  }
}
