// Reads whole tables of the index over Ponder's GraphQL (every page), as text cells like
// PostgreSQL's `::text`, so they compare with test/helpers/expectations.ts. Not SQL over HTTP:
// on PGlite, Ponder 0.16's cache flush leaves session temp tables named like the real ones
// ("ticket"), and /sql/db's unqualified names read those instead (GraphQL's queries are
// schema-qualified).
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import * as schema from "../../ponder.schema.js";
import type { Cell, Row } from "./expectations.js";
import type { PonderHandle } from "./ponder.js";

/** SQL table name → schema export (the GraphQL type name). */
export function schemaTables(): Map<string, { exportName: string; table: PgTable }> {
  const out = new Map<string, { exportName: string; table: PgTable }>();
  for (const [exportName, value] of Object.entries(schema)) {
    if (is(value, PgTable)) out.set(getTableName(value), { exportName, table: value });
  }
  return out;
}

function text(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return `{${value.map(String).join(",")}}`;
  return String(value);
}

type Page = { items: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Every row of `table` (only chain `chainId`'s when given), as text cells of `columns`. */
export async function tableRows(ponder: PonderHandle, table: string, columns: readonly string[], chainId?: number): Promise<Row[]> {
  const entry = schemaTables().get(table);
  if (!entry) throw new Error(`no table ${table} in ponder.schema.ts`);
  const field = `${entry.exportName}s`;
  const rows: Row[] = [];
  let after: string | null = null;
  do {
    const data: Record<string, Page> = await ponder.graphql<Record<string, Page>>(
      `query($after: String) { ${field}(limit: 1000, after: $after${chainId === undefined ? "" : `, where: { chainId: ${chainId} }`}) { items { ${columns.join(" ")} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    const page: Page = data[field]!;
    for (const item of page.items) rows.push(Object.fromEntries(columns.map((c) => [c, text(item[c])])));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return rows;
}
