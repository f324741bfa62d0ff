// /sql/db on PostgreSQL, run here rather than by Ponder's client(): Ponder runs the query in a
// transaction it retries for about a minute when it fails (a division by zero met in the data, a
// statement timeout), and lets it run on after the client has gone. Here a query runs once, in a
// read-only transaction on Ponder's read pool, under SET LOCAL statement_timeout (SQL_TIMEOUT_MS),
// and is cancelled (PostgreSQL's pg_cancel_backend) as soon as the client disconnects. The answer
// is the same object Ponder's middleware returns (node-postgres's result, through drizzle's session,
// so @ponder/client reads it unchanged).
//
// PGlite keeps Ponder's path: it runs on the API's own thread and cannot be interrupted, which is why
// the preflight's work bound (sql-preflight.ts) refuses a heavy query before it starts.
import { drizzle } from "drizzle-orm/node-postgres";
import type { MiddlewareHandler } from "hono";
import pg from "pg";
import superjson from "superjson";
import { envInteger, type EnvVars } from "../../config/env.js";
import { errorBody } from "./errors.js";
import { classifySqlFailure } from "./sql.js";

export const DEFAULT_SQL_TIMEOUT_MS = 5_000;

/** SQL_TIMEOUT_MS (100 ms – 10 min, default 5 s); a bad value stops the start, naming the variable. */
export function sqlTimeoutMs(env: EnvVars): number {
  return envInteger(env, "SQL_TIMEOUT_MS", DEFAULT_SQL_TIMEOUT_MS, 100, 600_000);
}

const QUERY_CANCELED = "57014"; // statement timeout and pg_cancel_backend alike

/** Asks the server to stop what backend `pid` is running, on a connection of its own (the pool may be full). */
async function cancelBackend(config: pg.ClientConfig, pid: number): Promise<void> {
  const client = new pg.Client(config);
  try {
    await client.connect();
    await client.query("SELECT pg_cancel_backend($1)", [pid]);
  } catch {
    // The statement timeout ends it anyway.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Serves /sql/db from `pool` (Ponder's read pool); mounted after sqlGuard and the preflight, which checked the query. */
export function runSqlOnPostgres(pool: pg.Pool, timeoutMs: number): MiddlewareHandler {
  const config = (pool as unknown as { options: pg.ClientConfig }).options;
  return async (c, next) => {
    if (c.req.path !== "/sql/db") return next();
    const query = superjson.parse<{ sql: string; params?: unknown[] }>(c.req.query("sql")!);
    const signal = c.req.raw.signal;
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      return c.json(errorBody("database_unavailable", (err as Error).message), 503, { "Retry-After": "1" });
    }
    // Awaited before the connection is used again, so a late cancel never lands on someone else's query.
    let cancelling: Promise<void> | undefined;
    const cancel = () => void (cancelling ??= cancelBackend(config, (client as unknown as { processID: number }).processID));
    let broken: Error | undefined;
    try {
      await client.query("BEGIN READ ONLY");
      await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
      signal.addEventListener("abort", cancel, { once: true });
      if (signal.aborted) cancel();
      const session = drizzle(client)._.session;
      const result = await session.prepareQuery({ sql: query.sql, params: query.params ?? [] }, undefined, undefined, false).execute();
      signal.removeEventListener("abort", cancel);
      await cancelling;
      await client.query("COMMIT");
      return c.json(result as object);
    } catch (err) {
      const error = err as Error & { code?: string };
      signal.removeEventListener("abort", cancel);
      await cancelling;
      await client.query("ROLLBACK").catch((e: Error) => (broken = e));
      if (error.code === QUERY_CANCELED) {
        const why = signal.aborted ? "the client disconnected" : `it ran past ${timeoutMs} ms (SQL_TIMEOUT_MS)`;
        return c.json(errorBody("sql_timeout", `the query was stopped: ${why}; add a WHERE or a LIMIT, or join on keys`, { timeoutMs }), 400);
      }
      const { status, code } = classifySqlFailure(error.message);
      if (status === 503) broken = error;
      return c.json(errorBody(code, status === 400 ? `the query failed: ${error.message}` : error.message), status, status === 503 ? { "Retry-After": "1" } : {});
    } finally {
      signal.removeEventListener("abort", cancel);
      client.release(broken);
    }
  };
}

/** Ponder's read pool on PostgreSQL (the one its client() and GraphQL read through), or null on PGlite. */
export function ponderReadPool(): pg.Pool | null {
  const driver = (globalThis as { PONDER_DATABASE?: { driver?: { dialect?: string; readonly?: pg.Pool } } }).PONDER_DATABASE?.driver;
  return driver?.dialect === "postgres" && driver.readonly ? driver.readonly : null;
}
