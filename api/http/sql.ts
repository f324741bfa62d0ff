// Ponder's SQL-over-HTTP endpoints for @ponder/client (/sql/db and /sql/live, ?sql=<superjson {sql, params}>) answer
// a query it refuses (anything but a read), a query PostgreSQL rejects, and even a missing `sql`
// field with a plain-text 500, and crashes into a 500 on `sql=null`. Those are the caller's mistakes:
// this guard, mounted on /sql/* before Ponder's middleware, turns them into 400s in the standard
// error body, and keeps a 503 for a database that does not answer.
import type { Context, MiddlewareHandler } from "hono";
import { envInteger, type EnvVars } from "../../config/env.js";
import { errorBody } from "./errors.js";

/** What is wrong with the `sql` query parameter of /sql/db, or null when Ponder can take it. */
export function sqlParamProblem(raw: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return "sql must be superjson-encoded JSON: {\"json\":{\"sql\":\"select ...\",\"params\":[]}}";
  }
  const json = (parsed as { json?: unknown } | null)?.json;
  if (json === null || typeof json !== "object" || Array.isArray(json)) return "sql must be an object with a \"json\" object holding the query";
  const query = json as { sql?: unknown; params?: unknown };
  if (typeof query.sql !== "string" || query.sql.trim() === "") return "sql.json.sql must be a non-empty SQL string";
  if (query.params !== undefined && !Array.isArray(query.params)) return "sql.json.params must be an array";
  return null;
}

const UNAVAILABLE = /ECONNREFUSED|ECONNRESET|Connection terminated|timeout|too many clients|the database system is/i;

/** The status and code for a plain-text 500 from Ponder's SQL middleware. */
export function classifySqlFailure(message: string): { status: 400 | 503; code: string } {
  return UNAVAILABLE.test(message) ? { status: 503, code: "database_unavailable" } : { status: 400, code: "sql_rejected" };
}

export const sqlGuard: MiddlewareHandler = async (c, next) => {
  // /sql/live also counts a live query before it validates one and never uncounts a refused one:
  // refusing malformed ones here keeps them from using up its 1,000 slots.
  if (c.req.path === "/sql/db" || c.req.path === "/sql/live") {
    const raw = c.req.query("sql");
    const problem = raw === undefined ? "the sql query parameter is required" : sqlParamProblem(raw);
    if (problem) return c.json(errorBody("invalid_sql_request", problem), 400);
  }
  await next();
  if (c.res.status === 500 && !(c.res.headers.get("content-type") ?? "").includes("json")) {
    const message = (await c.res.clone().text()).trim() || "the query could not be run";
    const { status, code } = classifySqlFailure(message);
    c.res = new Response(JSON.stringify(errorBody(code, message)), { status, headers: { "content-type": "application/json" } });
  }
};

/**
 * At most `max` /sql/db queries at once in this process, and `perClient` of them for one client;
 * more get 503 `sql_busy` (the process is full) or 429 `sql_busy_client` (this client holds its
 * share), both with Retry-After. Each query holds a connection of the read pool until it ends (up to
 * SQL_TIMEOUT_MS on PostgreSQL): without a cap a handful of heavy queries would hold every connection
 * GraphQL and the REST reads need, and without a share one client could hold every slot.
 * Malformed ones never get here (sqlGuard refuses them first).
 */
export function sqlConcurrencyLimit(max: number, perClient = max, clientOf: (c: Context) => string = () => "any"): MiddlewareHandler {
  let inFlight = 0;
  const byClient = new Map<string, number>();
  return async (c, next) => {
    if (c.req.path !== "/sql/db") return next();
    const client = clientOf(c);
    const mine = byClient.get(client) ?? 0;
    if (inFlight >= max) {
      return c.json(errorBody("sql_busy", `at most ${max} SQL queries run at once here (SQL_MAX_CONCURRENT): retry shortly`), 503, { "Retry-After": "1" });
    }
    if (mine >= perClient) {
      return c.json(errorBody("sql_busy_client", `at most ${perClient} SQL queries of one client run at once (SQL_MAX_CONCURRENT_PER_CLIENT): wait for yours to finish`), 429, { "Retry-After": "1" });
    }
    inFlight++;
    byClient.set(client, mine + 1);
    try {
      await next();
    } finally {
      inFlight--;
      const left = (byClient.get(client) ?? 1) - 1;
      if (left > 0) byClient.set(client, left);
      else byClient.delete(client);
    }
  };
}

export const DEFAULT_SQL_MAX_CONCURRENT = 4;

/** SQL_MAX_CONCURRENT (1–1000, default 4); a bad value stops the start, naming the variable. */
export function sqlMaxConcurrent(env: EnvVars): number {
  return envInteger(env, "SQL_MAX_CONCURRENT", DEFAULT_SQL_MAX_CONCURRENT, 1, 1000);
}

/** SQL_MAX_CONCURRENT_PER_CLIENT (default half of SQL_MAX_CONCURRENT, at least 1). */
export function sqlMaxConcurrentPerClient(env: EnvVars): number {
  const max = sqlMaxConcurrent(env);
  return envInteger(env, "SQL_MAX_CONCURRENT_PER_CLIENT", Math.max(1, Math.floor(max / 2)), 1, max);
}
