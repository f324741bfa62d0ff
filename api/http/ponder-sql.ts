// Ponder's own check of a /sql query (one statement, reads of the index's tables only, no function
// calls), which it does not export. The path is that of ponder 0.16.10, pinned exactly in
// package.json; test/unit/sql-preflight.test.ts fails if an upgrade moves it.
// @ts-ignore: no type declarations for Ponder's internal module
import { getSQLQueryRelations as relations, parseSQLQuery as parse, validateAllowableSQLQuery as validate } from "../../node_modules/ponder/dist/esm/utils/sql-parse.js";

/** Resolves when Ponder would run `sql`; rejects with Ponder's reason otherwise. */
export const validateAllowableSQLQuery: (sql: string) => Promise<void> = validate;

/** The relations `sql` names (tables, views, and its own CTEs), as Ponder's parser reads them. */
export const getSQLQueryRelations: (sql: string) => Promise<Set<string>> = relations;

/** The statement's parse tree (libpg_query's JSON, as Ponder's validator walks it). */
export const parseSQLQuery: (sql: string) => Promise<unknown> = parse;
