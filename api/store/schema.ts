// Every offchain table, for drizzle's typed queries.
export * from "./tables/auth.js";
export * from "./tables/signing.js";
export * from "./tables/actions.js";
export * from "./tables/metadata.js";
export * from "./tables/chain.js";
