// The /sql/db preflight on a real (in-memory) PGlite: Ponder's validator as the API loads it, the
// planner's verdict on queries that cannot succeed, and its row estimates on cross joins.
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateAllowableSQLQuery } from "../../api/http/ponder-sql.js";
import { catalogCastOf, internalTableOf, judgeSql, planRows, rootPlan, sqlMaxRows, type Explain } from "../../api/http/sql-preflight.js";

let pg: PGlite;
const explain: Explain = async (sql, params) => (await pg.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)).rows;

beforeAll(async () => {
  pg = new PGlite();
  await pg.exec("CREATE TABLE booking_history (id text PRIMARY KEY, booking_id text, status text); INSERT INTO booking_history SELECT g::text, (g % 50)::text, 'PAID' FROM generate_series(1, 2000) g; ANALYZE booking_history;");
});
afterAll(() => pg?.close());

describe("the /sql/db preflight", () => {
  it("uses Ponder's own validator: one read of unqualified tables passes, anything else is refused", async () => {
    await expect(validateAllowableSQLQuery("select id from booking_history where status = $1")).resolves.toBeUndefined();
    for (const bad of ["delete from booking_history", "select 1; select 2", "select * from offchain.action", "select pg_sleep(1)"]) {
      await expect(validateAllowableSQLQuery(bad), bad).rejects.toThrow();
    }
  });

  it("Ponder's bookkeeping tables are not served, however the query reaches them; its checkpoint table is", async () => {
    expect(await internalTableOf("select * from _ponder_meta")).toBe("_ponder_meta");
    expect(await internalTableOf("with x as (select * from _ponder_meta) select * from x")).toBe("_ponder_meta");
    expect(await internalTableOf("select * from booking b join _reorg__booking r on true")).toBe("_reorg__booking");
    expect(await internalTableOf("select * from _ponder_checkpoint")).toBeNull();
    expect(await internalTableOf("select * from booking where id = $1")).toBeNull();
  });

  it("casts that look names up in the catalog (regclass, regtype, …) are found wherever they are; other casts are not", async () => {
    // Ponder's validator lets them through: it is this check that refuses them.
    await expect(validateAllowableSQLQuery("select 'offchain.action'::regclass")).resolves.toBeUndefined();
    expect(await catalogCastOf("select 'offchain.action'::regclass")).toBe("regclass");
    expect(await catalogCastOf("select id from booking_history where id = cast($1 as pg_catalog.regtype)::text")).toBe("regtype");
    expect(await catalogCastOf("select x from (select 'public'::regnamespace::oid as x) t")).toBe("regnamespace");
    expect(await catalogCastOf("select id::int, status::text from booking_history")).toBeNull();
    expect(await catalogCastOf("select 'x::regclass' as s from booking_history")).toBeNull();
  });

  it("queries that can never succeed are refused at once, with PostgreSQL's reason", async () => {
    for (const [sql, params, reason] of [
      ["select 2^10000000 as x", [], /out of range/],
      ["select 1/0 as x", [], /division by zero/],
      ["select id from booking_history where id = $1", [], /parameter|\$1/],
      ["select nope from booking_history", [], /nope/],
    ] as const) {
      const verdict = await judgeSql({ sql, params: [...params] }, explain, 5_000_000);
      expect(verdict, sql).toMatchObject({ ok: false, status: 400, code: "sql_rejected" });
      if (!verdict.ok) expect(verdict.message).toMatch(reason);
    }
  });

  it("a cross join past the work bound is refused with the estimate; an ordinary read passes", async () => {
    const values = `(values ${Array.from({ length: 150 }, (_, i) => `(${i})`).join(",")})`;
    const cross = `select count(*) from ${values} a(x), ${values} b(x), ${values} c(x), ${values} d(x)`;
    const verdict = await judgeSql({ sql: cross, params: [] }, explain, 5_000_000);
    expect(verdict).toMatchObject({ ok: false, status: 400, code: "sql_too_costly" });
    if (!verdict.ok) expect((verdict.details as { rows: number }).rows).toBeGreaterThanOrEqual(150 ** 4);
    const self = await judgeSql({ sql: "select count(*) from booking_history a, booking_history b, booking_history c", params: [] }, explain, 5_000_000);
    expect(self).toMatchObject({ ok: false, code: "sql_too_costly" });
    const normal = await judgeSql({ sql: "select * from booking_history where booking_id = $1 limit 100", params: ["7"] }, explain, 5_000_000);
    expect(normal.ok).toBe(true);
    if (normal.ok) expect(normal.rows).toBeGreaterThan(0);
    // A join on keys is cheap even though each side is the whole table.
    const keyed = await judgeSql({ sql: "select a.id from booking_history a join booking_history b on a.id = b.id", params: [] }, explain, 5_000_000);
    expect(keyed.ok).toBe(true);
  });

  it("counts a nested loop's inner rows once per outer row; reads the plan from JSON or text; SQL_MAX_ROWS from the environment", () => {
    const scan = (rows: number, rel: string) => ({ "Node Type": "Seq Scan", "Plan Rows": rows, "Parent Relationship": rel });
    expect(planRows({ "Node Type": "Nested Loop", "Plan Rows": 600, Plans: [scan(20, "Outer"), scan(30, "Inner")] })).toBe(600 + 20 + 20 * 30);
    expect(planRows({ "Node Type": "Hash Join", "Plan Rows": 5, Plans: [scan(20, "Outer"), { "Node Type": "Hash", "Plan Rows": 30, "Parent Relationship": "Inner", Plans: [scan(30, "Outer")] }] })).toBe(5 + 20 + 30 + 30);
    const plan = { "Node Type": "Result", "Plan Rows": 1 };
    expect(rootPlan([{ "QUERY PLAN": [{ Plan: plan }] }])).toEqual(plan);
    expect(rootPlan([{ "QUERY PLAN": JSON.stringify([{ Plan: plan }]) }])).toEqual(plan);
    expect(rootPlan([])).toBeNull();
    expect(sqlMaxRows({})).toBe(5_000_000);
    expect(sqlMaxRows({ SQL_MAX_ROWS: "5000" })).toBe(5000);
    expect(() => sqlMaxRows({ SQL_MAX_ROWS: "1e6" })).toThrow(/SQL_MAX_ROWS/);
  });
});
