// A PostgreSQL database for a fresh local chain: `npm run dev` starts a new anvil each time, whose
// blocks reuse the chain id of the last one. Ponder's RPC cache (`ponder_sync`, shared by every app
// in the database) keys rows by chain id only, and `disableCache` does not keep them out on
// PostgreSQL, so the old chain's blocks and logs would be read back as this one's. Its index and
// offchain store belong to the old chain too (old sent actions would be re-broadcast).
import pg from "pg";

export type DevDatabase = { url: string; schema: string; offchainSchema: string; chainId: number };

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,44}$/;

/** Drops the dev schemas and the chain's cached RPC rows. */
export async function resetDevDatabase({ url, schema, offchainSchema, chainId }: DevDatabase): Promise<void> {
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
    for (const { table_name } of rows) await client.query(`DELETE FROM ponder_sync."${table_name}" WHERE chain_id = $1`, [chainId]);
  } finally {
    await client.end();
  }
}
