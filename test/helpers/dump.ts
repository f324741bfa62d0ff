// Every onchain table of ponder.schema.ts, read from a running indexer so two indexes can be
// compared row for row. Read over GraphQL (every page of every plural query), the same on PGlite and
// PostgreSQL: SQL over HTTP (/sql/db) is not reliable on PGlite, where Ponder 0.16's cache flush
// leaves session temp tables named like the real ones (e.g. "stake", empty) that /sql/db's
// unqualified names resolve to. Cells are text as PostgreSQL's ::text prints them (bigints keep
// every digit, arrays read "{1,2}", booleans "true"/"false"); rows are sorted by primary key here,
// not by a database collation.
import { getTableColumns, is } from "drizzle-orm";
import { PgTable, getTableConfig } from "drizzle-orm/pg-core";
import * as schema from "../../ponder.schema.js";

export type DumpCell = string | null;
export type DumpRow = Record<string, DumpCell>;
export type TableDump = { table: string; key: string[]; rows: DumpRow[] };
/** SQL table name → its rows sorted by primary key; tables in schema order. */
export type IndexDump = Map<string, TableDump>;

type TableShape = {
  /** SQL name, e.g. account_earnings. */
  table: string;
  /** GraphQL plural query, e.g. accountEarnings. */
  plural: string;
  /** Schema keys (camelCase), as GraphQL names them. */
  columns: { name: string; numeric: boolean }[];
  key: string[];
};

/** Every onchain table, from the schema itself. */
export const INDEX_TABLES: readonly TableShape[] = Object.entries(schema as Record<string, unknown>)
  .filter((entry): entry is [string, PgTable] => is(entry[1], PgTable))
  .map(([exportName, table]) => {
    const config = getTableConfig(table);
    const byColumn = new Map(Object.entries(getTableColumns(table)).map(([key, column]) => [column, key]));
    const keyColumns = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary);
    return {
      table: config.name,
      plural: `${exportName}s`,
      columns: [...byColumn].map(([column, key]) => ({ name: key, numeric: /^(numeric|integer|bigint|smallint)\b/.test(column.getSQLType()) })),
      key: keyColumns.map((c) => byColumn.get(c)!),
    };
  });

type Page = { items: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!res.ok || body.errors?.length || !body.data) {
    throw new Error(`GraphQL ${res.status}: ${body.errors?.map((e) => e.message).join("; ") ?? "no data"} (${query.slice(0, 120)})`);
  }
  return body.data;
}

function text(value: unknown): DumpCell {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return `{${value.map(String).join(",")}}`;
  return String(value);
}

async function tableRows(url: string, shape: TableShape): Promise<DumpRow[]> {
  const fields = shape.columns.map((c) => c.name).join(" ");
  const rows: DumpRow[] = [];
  let after: string | null = null;
  do {
    const data: Record<string, Page> = await graphql<Record<string, Page>>(
      url,
      `query($after: String) { ${shape.plural}(limit: 1000, after: $after) { items { ${fields} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    const page = data[shape.plural]!;
    for (const item of page.items) rows.push(Object.fromEntries(shape.columns.map((c) => [c.name, text(item[c.name])])));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return rows;
}

function compareKeys(shape: TableShape, a: DumpRow, b: DumpRow): number {
  for (const name of shape.key) {
    const x = a[name] ?? "";
    const y = b[name] ?? "";
    if (x === y) continue;
    if (shape.columns.find((c) => c.name === name)?.numeric) return BigInt(x) < BigInt(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Reads every onchain table of the indexer at `url` (wait until it has indexed what you need first). */
export async function dumpIndex(url: string): Promise<IndexDump> {
  const dump: IndexDump = new Map();
  for (const shape of INDEX_TABLES) {
    const rows = await tableRows(url, shape);
    rows.sort((a, b) => compareKeys(shape, a, b));
    dump.set(shape.table, { table: shape.table, key: shape.key, rows });
  }
  return dump;
}

const keyOf = (t: TableDump, row: DumpRow) => t.key.map((k) => row[k]).join("/");

/**
 * The first difference between two dumps, as a message naming the table, the row's primary key and
 * the column; undefined when they are equal row for row.
 */
export function dumpDifference(a: IndexDump, b: IndexDump, labels: [string, string] = ["a", "b"]): string | undefined {
  const tables = [...new Set([...a.keys(), ...b.keys()])];
  for (const name of tables) {
    const ta = a.get(name);
    const tb = b.get(name);
    if (!ta || !tb) return `table ${name} only in ${ta ? labels[0] : labels[1]}`;
    const shape = INDEX_TABLES.find((s) => s.table === name)!;
    let i = 0;
    let j = 0;
    while (i < ta.rows.length || j < tb.rows.length) {
      const ra = ta.rows[i];
      const rb = tb.rows[j];
      const order = ra && rb ? compareKeys(shape, ra, rb) : ra ? -1 : 1;
      if (order < 0) return `${name}: row ${keyOf(ta, ra!)} only in ${labels[0]} (${ta.rows.length} rows vs ${tb.rows.length}): ${JSON.stringify(ra)}`;
      if (order > 0) return `${name}: row ${keyOf(tb, rb!)} only in ${labels[1]} (${ta.rows.length} rows vs ${tb.rows.length}): ${JSON.stringify(rb)}`;
      for (const column of Object.keys(ra!)) {
        if (ra![column] !== rb![column]) {
          return `${name}: row ${keyOf(ta, ra!)} differs in ${column}: ${labels[0]} ${JSON.stringify(ra![column])}, ${labels[1]} ${JSON.stringify(rb![column])}`;
        }
      }
      i++;
      j++;
    }
  }
  return undefined;
}

/** Row count per table, for messages and sanity checks. */
export function dumpCounts(dump: IndexDump): Record<string, number> {
  return Object.fromEntries([...dump].map(([name, t]) => [name, t.rows.length]));
}

/** Every row, in any table, with a cell that contains one of `needles` (lower-case hex, e.g. tx hashes). */
export function rowsMentioning(dump: IndexDump, needles: readonly string[]): { table: string; row: DumpRow }[] {
  const found: { table: string; row: DumpRow }[] = [];
  const lower = needles.map((n) => n.toLowerCase());
  for (const [table, t] of dump) {
    for (const row of t.rows) {
      if (Object.values(row).some((cell) => cell !== null && lower.some((n) => cell.includes(n)))) found.push({ table, row });
    }
  }
  return found;
}
