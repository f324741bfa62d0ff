// Sliding-window rate limits kept in the offchain store, so every replica counts against the same
// rows: requests are counted per fixed window, and the limit applies to the last `windowSeconds`
// as estimated from the current window's count plus the previous one's, weighted by how much of it
// the sliding window still covers (a fixed window alone lets twice the limit through across a
// boundary). Only requests that pass are counted: the upsert increments only while the estimate
// stays within the limit, so a client retrying while refused does not push its own wait further
// out. Old windows are deleted now and then. Over the limit → 429 `rate_limited` with Retry-After
// (seconds until a request would pass).
import type { Context, Env, MiddlewareHandler } from "hono";
import { and, eq, lt, sql } from "drizzle-orm";
import { errorBody } from "../http/errors.js";
import { getStore, type Store } from "../store/db.js";
import { rateLimitWindow } from "../store/tables/auth.js";

export type RateLimitOptions<E extends Env> = {
  /** Counter namespace: routes sharing a name share the limit. */
  name: string;
  limit: number;
  windowSeconds: number;
  /** Who is counted (e.g. the signed-in address). */
  key: (c: Context<E>) => string;
  store?: () => Promise<Store>;
  /** Requests that are neither counted nor refused (e.g. a replay of what was already recorded). */
  exempt?: (c: Context<E>, store: Store) => Promise<boolean>;
  /** Unix milliseconds; injectable for tests. */
  now?: () => number;
};

export type Window = { start: number; end: number };

/** The window (unix seconds, [start, end)) that `nowMs` falls in, aligned to multiples of its length. */
export function fixedWindow(nowMs: number, windowSeconds: number): Window {
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError(`window must be a positive whole number of seconds, got ${windowSeconds}`);
  const start = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
  return { start, end: start + windowSeconds };
}

/** Requests in the sliding window ending now: the current window's, plus the share of the previous window's it still covers. */
export function slidingCount(previous: number, current: number, nowMs: number, window: Window): number {
  const length = window.end - window.start;
  const covered = Math.min(1, Math.max(0, (window.end - nowMs / 1000) / length));
  return previous * covered + current;
}

/**
 * Whole seconds (at least 1) until one more request would be within `limit`, the counts staying
 * as they are: later in this window while the previous window's share fades, or in the next one,
 * where this window's count becomes the previous.
 */
export function retryAfterSeconds(previous: number, current: number, limit: number, nowMs: number, window: Window): number {
  const length = window.end - window.start;
  const now = nowMs / 1000;
  let at: number;
  if (current + 1 <= limit) {
    // previous × (end − t) / length + current + 1 ≤ limit
    at = previous === 0 ? now : window.end - (length * (limit - current - 1)) / previous;
  } else {
    // next window, with no request yet: current × (end + length − t) / length + 1 ≤ limit
    at = window.end + length - (current === 0 ? length : (length * Math.max(0, limit - 1)) / current);
  }
  return Math.max(1, Math.ceil(at - now));
}

const PRUNE_EVERY_MS = 60_000;
let lastPrune = 0;

async function windowCount(store: Store, name: string, client: string, windowStart: number): Promise<number> {
  const t = rateLimitWindow;
  const [row] = await store.db
    .select({ count: t.count })
    .from(t)
    .where(and(eq(t.name, name), eq(t.client, client), eq(t.windowStart, windowStart)));
  return row?.count ?? 0;
}

/**
 * Counts one request in `window` if the window's count may grow to at most `allowed`; returns the
 * new count, or null (nothing written) when it may not. One statement, so replicas racing on one
 * client never count past the limit.
 */
export async function countIfAllowed(store: Store, name: string, client: string, window: Window, allowed: number): Promise<number | null> {
  if (allowed < 1) return null;
  const t = rateLimitWindow;
  const [row] = await store.db
    .insert(t)
    .values({ name, client, windowStart: window.start, windowEnd: window.end, count: 1 })
    .onConflictDoUpdate({ target: [t.name, t.client, t.windowStart], set: { count: sql`${t.count} + 1` }, setWhere: sql`${t.count} < ${allowed}` })
    .returning({ count: t.count });
  return row?.count ?? null;
}

export function rateLimit<E extends Env>(options: RateLimitOptions<E>): MiddlewareHandler<E> {
  const { name, limit, windowSeconds } = options;
  const open = options.store ?? getStore;
  const now = options.now ?? Date.now;
  fixedWindow(0, windowSeconds);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit ${name}: limit must be a positive integer, got ${limit}`);
  return async (c, next) => {
    const store = await open();
    if (options.exempt && (await options.exempt(c, store))) return next();
    const at = now();
    const window = fixedWindow(at, windowSeconds);
    const client = options.key(c);
    // The previous window is closed: its count is final. This window may reach `allowed`.
    const previous = await windowCount(store, name, client, window.start - windowSeconds);
    const allowed = Math.floor(limit - slidingCount(previous, 0, at, window));
    const counted = await countIfAllowed(store, name, client, window, allowed);
    const current = counted ?? (await windowCount(store, name, client, window.start));
    const count = slidingCount(previous, current, at, window);
    if (at - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = at;
      // A day back: long enough for any limiter's previous window, whatever its length.
      await store.db.delete(rateLimitWindow).where(lt(rateLimitWindow.windowEnd, Math.floor(at / 1000) - 86_400));
    }
    const headers = { "X-RateLimit-Limit": String(limit), "X-RateLimit-Remaining": String(Math.max(0, Math.floor(limit - count))) };
    if (counted === null) {
      const retryAfter = retryAfterSeconds(previous, current, limit, at, window);
      return c.json(
        errorBody("rate_limited", `at most ${limit} ${name} requests per ${windowSeconds} s per client: retry in ${retryAfter} s`, { limit, windowSeconds, retryAfter }),
        429,
        { ...headers, "Retry-After": String(retryAfter) },
      );
    }
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    await next();
  };
}
