// Fixed-window rate limits kept in the offchain store, so every replica counts against the same
// row: one upsert per request (`count = count + 1 RETURNING count`). Old windows are deleted now
// and then. Over the limit → 429 `rate_limited` with Retry-After (seconds until the window ends).
import type { Context, Env, MiddlewareHandler } from "hono";
import { lt, sql } from "drizzle-orm";
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

/** Whole seconds until the window ends, at least 1 (what Retry-After says). */
export function retryAfterSeconds(nowMs: number, window: Window): number {
  return Math.max(1, Math.ceil(window.end - nowMs / 1000));
}

const PRUNE_EVERY_MS = 60_000;
let lastPrune = 0;

/** Counts one request; returns the window's count including it. */
export async function countRequest(store: Store, name: string, client: string, window: Window): Promise<number> {
  const t = rateLimitWindow;
  const [row] = await store.db
    .insert(t)
    .values({ name, client, windowStart: window.start, windowEnd: window.end, count: 1 })
    .onConflictDoUpdate({ target: [t.name, t.client, t.windowStart], set: { count: sql`${t.count} + 1` } })
    .returning({ count: t.count });
  return row!.count;
}

export function rateLimit<E extends Env>(options: RateLimitOptions<E>): MiddlewareHandler<E> {
  const { name, limit, windowSeconds } = options;
  const open = options.store ?? getStore;
  const now = options.now ?? Date.now;
  fixedWindow(0, windowSeconds);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit ${name}: limit must be a positive integer, got ${limit}`);
  return async (c, next) => {
    const store = await open();
    const at = now();
    const window = fixedWindow(at, windowSeconds);
    const count = await countRequest(store, name, options.key(c), window);
    if (at - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = at;
      await store.db.delete(rateLimitWindow).where(lt(rateLimitWindow.windowEnd, Math.floor(at / 1000) - 60));
    }
    const headers = { "X-RateLimit-Limit": String(limit), "X-RateLimit-Remaining": String(Math.max(0, limit - count)) };
    if (count > limit) {
      const retryAfter = retryAfterSeconds(at, window);
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
