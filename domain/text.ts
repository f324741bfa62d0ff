// Strings from the chain (an order id, a cancellation reason, a token symbol) are whatever the
// sender chose, NUL bytes included; PostgreSQL `text` cannot hold U+0000 and Ponder 0.16 no longer
// strips it, so one such log would stop the indexer for good. The index keeps the rest.
export const withoutNul = (s: string): string => s.replaceAll("\u0000", "");
