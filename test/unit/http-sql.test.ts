// The guard in front of Ponder's SQL-over-HTTP endpoints: which `sql` parameters reach Ponder, and
// how its plain-text 500s are answered.
import { describe, expect, it } from "vitest";
import { classifySqlFailure, sqlParamProblem } from "../../api/http/sql.js";

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
