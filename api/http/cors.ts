// Ponder's server answers CORS preflights for any origin but exposes no response headers, so a page
// on another origin reads null for Retry-After and the rate-limit counters and cannot back off.
import type { MiddlewareHandler } from "hono";

export const EXPOSED_HEADERS = ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"] as const;

export const exposeHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS.join(", "));
};
