// Which databases a benchmark runs on (`--db pglite|postgres|both`), PostgreSQL's URL and whether it
// answers, checked before any chain is built (which takes a while).
import { UsageError } from "../../cli/flags.js";
import { postgresReachable, type PonderDatabase } from "../../test/helpers/ponder.js";

export const DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test";
export const PG_URL_HELP = `PostgreSQL comes from DATABASE_URL, else TEST_DATABASE_URL, else ${DEFAULT_PG_URL}.`;

/** The URL with its password hidden, for messages and result files. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable URL>";
  }
}

/**
 * The databases `db` names (default both). An unreachable PostgreSQL is an error when asked for
 * alone, or when `postgresRequired`; otherwise "both" measures PGlite only, saying so.
 */
export async function benchDatabases(db = "both", options: { postgresRequired?: boolean } = {}): Promise<{ databases: PonderDatabase[]; pgUrl: string }> {
  if (db !== "pglite" && db !== "postgres" && db !== "both") throw new UsageError(`--db must be pglite, postgres or both, got "${db}"`);
  const pgUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_PG_URL;
  const databases: PonderDatabase[] = [];
  if (db !== "postgres") databases.push({ kind: "pglite" });
  if (db !== "pglite") {
    if (await postgresReachable(pgUrl)) databases.push({ kind: "postgres", url: pgUrl });
    else if (db === "postgres" || options.postgresRequired) {
      throw new Error(`PostgreSQL is not reachable at ${redact(pgUrl)}: start it, point DATABASE_URL or TEST_DATABASE_URL at one, or pass --db pglite`);
    } else console.error(`PostgreSQL is not reachable at ${redact(pgUrl)}: measuring PGlite only`);
  }
  return { databases, pgUrl };
}
