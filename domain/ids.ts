// Identifiers and address normalisation shared by the indexing handlers. Pure.

export type Hex = `0x${string}`;

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as const;

/** Id of a row that records one log: unique per chain, stable across re-indexing. */
export function logId(txHash: Hex, logIndex: number): string {
  return `${txHash.toLowerCase()}-${logIndex}`;
}

/** Ponder stores hex lower-cased; compare and key in the same form. */
export function lower<T extends Hex>(value: T): T {
  return value.toLowerCase() as T;
}

/** null for the zero address (an absent party, e.g. a booking without an inviter). */
export function addressOrNull(address: Hex): Hex | null {
  const a = lower(address);
  return a === ZERO_ADDRESS ? null : a;
}

export function isZeroAddress(address: Hex): boolean {
  return lower(address) === ZERO_ADDRESS;
}
