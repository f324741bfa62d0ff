// Before Ponder runs a /sql/db query: the query planned (EXPLAIN, never executed) and refused at
// once when it cannot succeed or would do too much work.
//
// - Deterministic errors fail fast: a numeric overflow, a missing parameter, an undefined column are
//   found by PostgreSQL's planner (constant expressions are folded while planning, so
//   `select 2^10000000` and `select 1/0` fail there too): a 400 straight away, before a connection
//   and an SQL slot are held to run it (failures met in the data: sql-run.ts).
// - A work bound. The rows the plan expects its nodes to produce, each node's rows times the times
//   it runs (the inner side of a nested loop runs once per outer row), past SQL_MAX_ROWS is a 400:
//   a cross join of a few VALUES lists or of a table with itself is refused before it runs, on
//   PGlite (where it would stop the API's own thread) and PostgreSQL alike. Rows rather than the
//   planner's cost units, because PGlite plans with enable_seqscan off, which adds 10^10 to the
//   cost of every sequential scan.
//
// Ponder's bookkeeping tables (`_ponder_meta`: the app's build and lock; `_reorg__*`: the undo log
// of every table) are not served; `_ponder_checkpoint` is, since @ponder/client's status reads it.
//
// The query is first checked with Ponder's own validator (a single read of the index's tables), so
// EXPLAIN only ever sees what Ponder itself would run, and a refused query reveals nothing here
// that Ponder's refusal would not.
import type { MiddlewareHandler } from "hono";
import superjson from "superjson";
import { envInteger, type EnvVars } from "../../config/env.js";
import { errorBody } from "./errors.js";
import { getSQLQueryRelations, parseSQLQuery, validateAllowableSQLQuery } from "./ponder-sql.js";
import { classifySqlFailure } from "./sql.js";

export const DEFAULT_SQL_MAX_ROWS = 5_000_000;

/** SQL_MAX_ROWS (rows the plan may expect to produce; default 5,000,000); a bad value stops the start, naming the variable. */
export function sqlMaxRows(env: EnvVars): number {
  return envInteger(env, "SQL_MAX_ROWS", DEFAULT_SQL_MAX_ROWS, 1, Number.MAX_SAFE_INTEGER);
}

/** Runs `EXPLAIN (FORMAT JSON) <sql>` with `params` on the API's read connection, returning the plan's rows. */
export type Explain = (sql: string, params: unknown[]) => Promise<unknown[]>;

export type Verdict = { ok: true; rows: number } | { ok: false; status: 400 | 503; code: string; message: string; details: unknown };

type PlanNode = { "Node Type"?: string; "Plan Rows"?: number; "Parent Relationship"?: string; Plans?: PlanNode[] };

/** Rows the plan expects its nodes to produce in all, the inner side of a nested loop once per outer row. */
export function planRows(node: PlanNode, loops = 1): number {
  const rows = (typeof node["Plan Rows"] === "number" ? node["Plan Rows"] : 0) * loops;
  const children = node.Plans ?? [];
  const outer = children.find((c) => c["Parent Relationship"] === "Outer");
  let total = rows;
  for (const child of children) {
    const repeats = node["Node Type"] === "Nested Loop" && child["Parent Relationship"] === "Inner" ? loops * Math.max(1, outer?.["Plan Rows"] ?? 1) : loops;
    total += planRows(child, repeats);
  }
  return total;
}

/** The plan's root node, from EXPLAIN (FORMAT JSON)'s one row (`[{ Plan }]`, as JSON or as text). */
export function rootPlan(rows: unknown[]): PlanNode | null {
  const first = rows[0] as Record<string, unknown> | undefined;
  let value: unknown = first ? Object.values(first)[0] : undefined;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const plan = (value as { Plan?: PlanNode }[] | undefined)?.[0]?.Plan;
  return plan && typeof plan === "object" ? plan : null;
}

export async function judgeSql(query: { sql: string; params: unknown[] }, explain: Explain, maxRows: number): Promise<Verdict> {
  let rows: unknown[];
  try {
    rows = await explain(query.sql, query.params);
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    const { status, code } = classifySqlFailure(message);
    return { ok: false, status, code, message: status === 400 ? `the query cannot run: ${message}` : message, details: null };
  }
  const plan = rootPlan(rows);
  const expected = plan ? Math.round(planRows(plan)) : 0;
  if (expected > maxRows) {
    return {
      ok: false,
      status: 400,
      code: "sql_too_costly",
      message: `the planner expects this query to produce ${expected} rows along the way, at most ${maxRows} here (SQL_MAX_ROWS): add a WHERE or a LIMIT, or join on keys`,
      details: { rows: expected, maxRows },
    };
  }
  return { ok: true, rows: expected };
}

/**
 * EXPLAIN on the session of Ponder's read database (`db` of ponder:api): the same connection,
 * search path and store the query itself will run on, without Ponder's retries.
 */
export function explainWith(db: unknown): Explain {
  type Session = { prepareQuery(q: { sql: string; params: unknown[] }, a: undefined, b: undefined, arrayMode: false): { execute(): Promise<unknown> } };
  const session = (db as { _: { session: Session } })._.session;
  return async (sql, params) => {
    const result = (await session.prepareQuery({ sql: `EXPLAIN (FORMAT JSON) ${sql}`, params }, undefined, undefined, false).execute()) as { rows?: unknown[] } | unknown[];
    return Array.isArray(result) ? result : (result.rows ?? []);
  };
}

/** A table of Ponder's own the query names, which is not served, or null. */
export async function internalTableOf(sql: string): Promise<string | null> {
  for (const relation of await getSQLQueryRelations(sql)) {
    if (relation === "_ponder_meta" || relation.startsWith("_reorg__")) return relation;
  }
  return null;
}

/**
 * A cast to one of PostgreSQL's catalog lookup types (`'offchain.action'::regclass`, `regtype`,
 * `regproc`, `regnamespace`, `regrole`, …) the query makes, or null. Ponder's validator lets casts
 * through; these resolve names against the whole database's catalog, so they would tell which
 * relations, types, schemas and roles exist beyond the index's tables.
 */
export async function catalogCastOf(sql: string): Promise<string | null> {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    const cast = (node as { TypeCast?: { typeName?: { names?: { String?: { sval?: string } }[] } } }).TypeCast;
    const name = cast?.typeName?.names?.at(-1)?.String?.sval;
    if (name && /^reg[a-z]+$/i.test(name)) found.push(name);
    for (const value of Object.values(node)) walk(value);
  };
  walk(await parseSQLQuery(sql));
  return found[0] ?? null;
}

/** Mounted on /sql/* after sqlGuard (which checked the parameter's shape) and before the query runs (sql-run.ts, or Ponder's client()). */
export function sqlPreflight(explain: Explain, maxRows: number): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path !== "/sql/db") return next();
    let query: { sql: string; params?: unknown[] };
    try {
      query = superjson.parse(c.req.query("sql")!);
      await validateAllowableSQLQuery(query.sql);
    } catch (err) {
      // Ponder's own refusal, in our words: what follows (our runner on PostgreSQL) runs only what passed.
      return c.json(errorBody("sql_rejected", (err as Error)?.message ?? "the query is not a read of the index's tables"), 400);
    }
    const lookup = await catalogCastOf(query.sql);
    if (lookup) return c.json(errorBody("sql_rejected", `casts to ${lookup} look names up in the database's catalog, which is not served here: query the index's tables`, { cast: lookup }), 400);
    const internal = await internalTableOf(query.sql);
    if (internal) return c.json(errorBody("sql_rejected", `${internal} is Ponder's own bookkeeping, not served here: query the index's tables`, { table: internal }), 400);
    const verdict = await judgeSql({ sql: query.sql, params: query.params ?? [] }, explain, maxRows);
    if (!verdict.ok) return c.json(errorBody(verdict.code, verdict.message, verdict.details), verdict.status, verdict.status === 503 ? { "Retry-After": "1" } : {});
    await next();
  };
}
