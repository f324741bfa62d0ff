/** One schema change: statements run in order, in one transaction, once per store. `s` is the quoted schema name. */
export type Migration = { id: string; up: (s: string) => string[] };
