// Token metadata for the REST reads. The `token` table is small (one row per ERC-20 seen plus the
// native coin), so the account summary reads it whole, once per request.
import { and, eq } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { ReadDeps } from "./db.js";
import { tokenJson, type TokenJson, type TokenMeta } from "./json.js";

export async function tokenMeta({ db, schema }: ReadDeps, chainId: number): Promise<Map<string, TokenMeta>> {
  const rows = await db.select().from(schema.token).where(eq(schema.token.chainId, chainId));
  return new Map(rows.map((r) => [r.address.toLowerCase(), { address: r.address, symbol: r.symbol, decimals: r.decimals }]));
}

/** BookingEscrow's payment token with its metadata (one escrow per indexed chain); null when the chain has none. */
export async function escrowToken({ db, schema }: ReadDeps, chainId: number): Promise<z.infer<typeof TokenJson> | null> {
  const rows = await db
    .select({ address: schema.escrowState.paymentToken, symbol: schema.token.symbol, decimals: schema.token.decimals })
    .from(schema.escrowState)
    .leftJoin(schema.token, and(eq(schema.token.chainId, schema.escrowState.chainId), eq(schema.token.address, schema.escrowState.paymentToken)))
    .where(eq(schema.escrowState.chainId, chainId))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const meta = new Map<string, TokenMeta>();
  if (row.symbol !== null && row.decimals !== null) meta.set(row.address.toLowerCase(), { address: row.address, symbol: row.symbol, decimals: row.decimals });
  return tokenJson(row.address, meta);
}
