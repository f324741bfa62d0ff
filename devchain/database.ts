// A PostgreSQL database for fresh local chains: `npm run dev` starts new anvils each time (31337 and
// 31338), whose blocks reuse the chain ids of the last ones. Ponder's RPC cache (`ponder_sync`,
// shared by every app in the database) keys rows by chain id only, and `disableCache` does not keep
// them out on PostgreSQL, so the old chains' blocks and logs would be read back as the new ones'. Its
// index and offchain store belong to the old chains too (old sent actions would be re-broadcast).
import pg from "pg";

export type DevDatabase = { url: string; schema: string; offchainSchema: string; chainIds: readonly number[] };

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,44}$/;

/** Drops the dev schemas and the cached RPC rows of every one of the chains. */
export async function resetDevDatabase({ url, schema, offchainSchema, chainIds }: DevDatabase): Promise<void> {
  for (const id of chainIds) if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`chain id ${id} must be a positive integer`);
  for (const name of [schema, offchainSchema]) {
    if (!IDENTIFIER.test(name)) throw new Error(`schema name "${name}" must be lower-case letters, digits and _ (at most 45)`);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${offchainSchema}" CASCADE`);
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = 'ponder_sync' AND column_name = 'chain_id'",
    );
    if (chainIds.length === 0) return;
    for (const { table_name } of rows) await client.query(`DELETE FROM ponder_sync."${table_name}" WHERE chain_id = ANY($1)`, [chainIds]);
  } finally {
    await client.end();
  }
}
