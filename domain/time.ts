// Day buckets for the daily statistics: a day is floor(unix seconds / 86 400), in UTC, from the
// block timestamp (never the wall clock, so re-indexing gives the same buckets). Pure.

export const SECONDS_PER_DAY = 86_400n;

/** Day number of a block timestamp (seconds). */
export function dayOf(timestamp: bigint): number {
  if (timestamp < 0n) throw new RangeError("negative timestamp");
  return Number(timestamp / SECONDS_PER_DAY);
}

/** First second of a day number. */
export function dayStart(day: number): bigint {
  if (!Number.isSafeInteger(day) || day < 0) throw new RangeError(`invalid day ${day}`);
  return BigInt(day) * SECONDS_PER_DAY;
}

/** ISO date (YYYY-MM-DD, UTC) of a day number, for display. */
export function dayDate(day: number): string {
  return new Date(Number(dayStart(day)) * 1000).toISOString().slice(0, 10);
}
