// GET /api/transactions/{txHash}: every row of the index a transaction produced or last changed,
// across tables, keyed by table. A table takes part when it has a transaction-hash column
// (txHash, createdTxHash, mintedTxHash, …: found in the schema, each with an index); a row when one
// of them is the hash. Values as the index holds them, uint256 figures as decimal strings.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, getTableColumns, getTableName, isTable, or, type Column } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Hex } from "viem";
import { notFound } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { ChainIdQuery, unknownChain } from "./chain.js";
import type { ReadDeps } from "./db.js";
import { Bytes32Param } from "./params.js";

type TxTable = { name: string; table: PgTable; chainId: Column; hashes: Column[] };

/** The schema's tables with transaction-hash columns. */
function txTables(schema: ReadDeps["schema"]): TxTable[] {
  return Object.values(schema as Record<string, unknown>)
    .filter((t): t is PgTable => isTable(t))
    .flatMap((table) => {
      const columns = getTableColumns(table) as Record<string, Column>;
      const hashes = Object.entries(columns).filter(([key]) => /txHash$/i.test(key)).map(([, column]) => column);
      return hashes.length > 0 && columns.chainId ? [{ name: getTableName(table), table, chainId: columns.chainId, hashes }] : [];
    });
}

/** bigints (also inside arrays and objects, e.g. bigint[] columns) as decimal strings. */
const jsonValue = (v: unknown): unknown =>
  typeof v === "bigint"
    ? v.toString()
    : Array.isArray(v)
      ? v.map(jsonValue)
      : v !== null && typeof v === "object" && !(v instanceof Date)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]))
        : v;

const TransactionJson = z
  .object({
    txHash: z.string(),
    chainIds: z.array(z.number().int()).openapi({ description: "The chains its rows are on (one, for any real transaction)" }),
    rows: z
      .record(z.array(z.record(z.unknown())))
      .openapi({ description: "By table (its SQL name, as in /sql/db): the rows, columns by their GraphQL names, uint256 values as decimal strings" }),
  })
  .openapi("Transaction");

const route = createRoute({
  method: "get",
  path: "/api/transactions/{txHash}",
  operationId: "getTransaction",
  tags: ["reads"],
  summary: "Every row a transaction produced or last changed, across tables",
  request: { params: z.object({ txHash: Bytes32Param }), query: z.object({ chainId: ChainIdQuery }) },
  responses: {
    200: { description: "The rows", content: { "application/json": { schema: TransactionJson } } },
    400: errorResponse("A malformed hash or chainId, or a chain this API does not serve"),
    404: errorResponse("No row of the index carries this transaction hash"),
  },
});

export function transactionsRouter({ db, schema }: ReadDeps, chains: readonly number[]) {
  const tables = txTables(schema);
  return newRouter().openapi(route, async (c) => {
    const { txHash } = c.req.valid("param");
    const { chainId } = c.req.valid("query");
    if (chainId !== undefined && !chains.includes(chainId)) throw unknownChain(chainId, chains);
    const hash = txHash.toLowerCase() as Hex;
    const found = await Promise.all(
      tables.map(async (t) => {
        const rows = await db
          .select()
          .from(t.table)
          .where(and(or(...t.hashes.map((column) => eq(column, hash))), chainId === undefined ? undefined : eq(t.chainId, chainId)));
        return [t.name, rows as Record<string, unknown>[]] as const;
      }),
    );
    const rows = Object.fromEntries(found.filter(([, r]) => r.length > 0).map(([name, r]) => [name, r.map((row) => jsonValue(row) as Record<string, unknown>)]));
    if (Object.keys(rows).length === 0) throw notFound("transaction", hash);
    const chainIds = [...new Set(Object.values(rows).flatMap((r) => r.map((row) => Number(row.chainId))))].sort((a, b) => a - b);
    return c.json({ txHash: hash, chainIds, rows }, 200);
  });
}
