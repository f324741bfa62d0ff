// The guard in front of Ponder's SQL-over-HTTP endpoints: which `sql` parameters reach Ponder, and
// how its plain-text 500s are answered.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { classifySqlFailure, sqlConcurrencyLimit, sqlMaxConcurrent, sqlMaxConcurrentPerClient, sqlParamProblem } from "../../api/http/sql.js";

const param = (v: unknown) => JSON.stringify(v);

describe("sqlParamProblem", () => {
  it("lets a superjson-encoded query through, with or without params and meta", () => {
    expect(sqlParamProblem(param({ json: { sql: "select 1", params: [] } }))).toBeNull();
    expect(sqlParamProblem(param({ json: { sql: "select $1", params: ["x"] }, meta: { values: {} } }))).toBeNull();
    expect(sqlParamProblem(param({ json: { sql: "select 1" } }))).toBeNull();
  });

  it("names what is wrong with anything else", () => {
    expect(sqlParamProblem("garbage")).toMatch(/superjson-encoded JSON/);
    expect(sqlParamProblem("")).toMatch(/superjson-encoded JSON/);
    for (const bad of ["null", "1", "[]", param({}), param({ json: null }), param({ json: [] }), param({ json: "select 1" })]) {
      expect(sqlParamProblem(bad), bad).toMatch(/"json" object/);
    }
    for (const bad of [{ json: {} }, { json: { sql: 1 } }, { json: { sql: "  " } }, { json: { sql: null } }]) {
      expect(sqlParamProblem(param(bad)), param(bad)).toMatch(/sql\.json\.sql must be a non-empty SQL string/);
    }
    expect(sqlParamProblem(param({ json: { sql: "select 1", params: "x" } }))).toMatch(/params must be an array/);
  });
});

describe("classifySqlFailure", () => {
  it("treats refused and failing queries as the caller's (400) and an unreachable database as 503", () => {
    expect(classifySqlFailure("DeleteStmt not supported")).toEqual({ status: 400, code: "sql_rejected" });
    expect(classifySqlFailure('relation "nope" does not exist')).toEqual({ status: 400, code: "sql_rejected" });
    expect(classifySqlFailure("connect ECONNREFUSED 127.0.0.1:5432")).toEqual({ status: 503, code: "database_unavailable" });
    expect(classifySqlFailure("Connection terminated unexpectedly")).toEqual({ status: 503, code: "database_unavailable" });
  });
});

describe("sqlConcurrencyLimit", () => {
  const deferred = () => {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    return { done, release };
  };

  it("lets `max` /sql/db queries run at once, answers 503 sql_busy beyond, and frees a slot when one ends, failed or not", async () => {
    const gates: { done: Promise<void>; release: () => void }[] = [];
    const app = new Hono();
    app.use("/sql/*", sqlConcurrencyLimit(2));
    app.get("/sql/db", async (c) => {
      const g = deferred();
      gates.push(g);
      await g.done;
      if (c.req.query("fail")) throw new Error("query failed");
      return c.text("ok");
    });
    app.get("/sql/live", (c) => c.text("live"));
    app.onError((_, c) => c.text("error", 500));

    const first = app.request("/sql/db?fail=1");
    const second = app.request("/sql/db");
    await new Promise((r) => setTimeout(r, 10));
    const busy = await app.request("/sql/db");
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("sql_busy");
    expect((await app.request("/sql/live")).status).toBe(200); // only /sql/db is counted

    gates[0]!.release();
    expect((await first).status).toBe(500);
    const third = app.request("/sql/db");
    await new Promise((r) => setTimeout(r, 10));
    expect(gates).toHaveLength(3); // the failed query's slot went to the third
    gates[1]!.release();
    gates[2]!.release();
    expect([(await second).status, (await third).status]).toEqual([200, 200]);
  });

  it("gives one client at most its share (429 sql_busy_client), leaving slots to the others", async () => {
    const gates: (() => void)[] = [];
    const app = new Hono();
    app.use("/sql/*", sqlConcurrencyLimit(3, 2, (c) => c.req.header("x-client") ?? "?"));
    app.get("/sql/db", async (c) => {
      await new Promise<void>((r) => gates.push(r));
      return c.text("ok");
    });
    const as = (client: string) => app.request("/sql/db", { headers: { "x-client": client } });
    const held = [as("a"), as("a")];
    await new Promise((r) => setTimeout(r, 10));
    const refused = await as("a");
    expect([refused.status, refused.headers.get("retry-after"), ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([429, "1", "sql_busy_client"]);
    const other = as("b");
    await new Promise((r) => setTimeout(r, 10));
    expect(gates).toHaveLength(3); // b got the third slot
    expect((await as("c")).status).toBe(503); // and then the process is full
    for (const g of gates) g();
    expect((await Promise.all([...held, other])).map((r) => r.status)).toEqual([200, 200, 200]);
    const again = as("a");
    await new Promise((r) => setTimeout(r, 10));
    gates.at(-1)!();
    expect((await again).status).toBe(200); // a's slots were given back
  });

  it("reads SQL_MAX_CONCURRENT_PER_CLIENT, by default half the process's slots", () => {
    expect(sqlMaxConcurrentPerClient({})).toBe(2);
    expect(sqlMaxConcurrentPerClient({ SQL_MAX_CONCURRENT: "1" })).toBe(1);
    expect(sqlMaxConcurrentPerClient({ SQL_MAX_CONCURRENT: "10", SQL_MAX_CONCURRENT_PER_CLIENT: "3" })).toBe(3);
    expect(() => sqlMaxConcurrentPerClient({ SQL_MAX_CONCURRENT: "4", SQL_MAX_CONCURRENT_PER_CLIENT: "5" })).toThrow(/SQL_MAX_CONCURRENT_PER_CLIENT/);
  });

  it("reads SQL_MAX_CONCURRENT, refusing nonsense with the variable's name", () => {
    expect(sqlMaxConcurrent({})).toBe(4);
    expect(sqlMaxConcurrent({ SQL_MAX_CONCURRENT: " 16 " })).toBe(16);
    for (const bad of ["0", "-1", "1.5", "many", "1001"]) expect(() => sqlMaxConcurrent({ SQL_MAX_CONCURRENT: bad }), bad).toThrow(/SQL_MAX_CONCURRENT/);
  });
});
