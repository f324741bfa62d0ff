// Static checks of ponder.schema.ts that Ponder itself does not make: GraphQL exposes columns and
// relations as fields of one type, so a relation named like a column silently hides the column.
import { getTableColumns, getTableName, is, Many, One, Relations, Table } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../ponder.schema.js";

const tables = Object.entries(schema).filter(([, v]) => is(v, Table)) as [string, Table][];
const relations = Object.values(schema).filter((v) => is(v, Relations)) as Relations[];

function relationsOf(table: Table) {
  const r = relations.find((rel) => rel.table === table);
  if (!r) return {} as Record<string, One | Many<string>>;
  return r.config({
    one: (referencedTable: Table, config?: unknown) => new One(table, referencedTable, config as never, false),
    many: (referencedTable: Table, config?: { relationName?: string }) => new Many(table, referencedTable, config as never),
  } as never) as Record<string, One | Many<string>>;
}

describe("ponder.schema.ts", () => {
  it("has the tables SPEC §2 asks for", () => {
    const names = tables.map(([name]) => name);
    for (const required of [
      "booking", "bookingHistory", "accountEarning", "feeLedger", "ticketedEvent", "ticket", "ticketTransfer", "checkIn",
      "payment", "refund", "organizerBalance", "stake", "qrOrder", "qrSettlement", "oracleRate", "oracleRateHistory",
      "dailyStat", "roleMember", "contractInfo", "account",
    ]) {
      expect(names).toContain(required);
    }
  });

  it.each(tables)("%s: no relation shadows a column", (_name, table) => {
    const columns = Object.keys(getTableColumns(table));
    for (const relation of Object.keys(relationsOf(table))) expect(columns).not.toContain(relation);
  });

  it.each(tables)("%s: every many() has a one() back on the other table", (_name, table) => {
    for (const [name, rel] of Object.entries(relationsOf(table))) {
      if (!(rel instanceof Many)) continue;
      const back = Object.values(relationsOf(rel.referencedTable)).filter(
        (r) => r instanceof One && r.referencedTable === table && (rel.relationName === undefined || r.relationName === rel.relationName),
      );
      expect(back.length, `${getTableName(table)}.${name}`).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(tables)("%s: keyed by chain first (ids repeat across chains)", (_name, table) => {
    const config = getTableConfig(table as PgTable);
    const key = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary);
    expect(key[0]?.name).toBe("chain_id");
    expect(getTableColumns(table).chainId?.notNull).toBe(true);
  });

  it.each(tables)("%s: every one() joins on the chain id, so a relation never leaves its chain", (_name, table) => {
    for (const [name, rel] of Object.entries(relationsOf(table))) {
      if (!(rel instanceof One)) continue;
      const fields = rel.config?.fields.map((c) => c.name) ?? [];
      const references = rel.config?.references.map((c) => c.name) ?? [];
      const at = fields.indexOf("chain_id");
      expect(at, `${getTableName(table)}.${name}`).toBeGreaterThanOrEqual(0);
      expect(references[at], `${getTableName(table)}.${name}`).toBe("chain_id");
    }
  });

  it("stores money as bigint columns (numeric), never floats", () => {
    for (const [name, table] of tables) {
      for (const [column, def] of Object.entries(getTableColumns(table))) {
        expect(["PgDoublePrecision", "PgReal"], `${name}.${column}`).not.toContain(def.columnType);
      }
    }
  });
});
