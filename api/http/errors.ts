// One error shape for every route: {"error": {"code", "message", "details"}}. Anything the
// caller got wrong is a 4xx with a message that says what to fix; an unexpected failure is
// logged and answered with a 500 that carries no internals.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { isUnstorableText, NUL_MESSAGE } from "./text.js";

export type ErrorBody = { error: { code: string; message: string; details: unknown } };

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, "bad_request", message, details);
export const notFound = (what: string, id: string) => new ApiError(404, "not_found", `${what} ${id} does not exist`, { id });

export function errorBody(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}

export function sendError(c: Context, err: ApiError) {
  return c.json(errorBody(err.code, err.message, err.details), err.status);
}

/** zod issues as `path: message` lines, for the caller to fix their request. */
export function describeZodError(error: ZodError): { message: string; details: { path: string; message: string }[] } {
  const details = error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
  return { message: details.map((d) => `${d.path}: ${d.message}`).join("; "), details };
}

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError) return sendError(c, err);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    // hono's JSON validator and body parser throw HTTPException(400) for malformed bodies.
    return c.json(errorBody(status === 400 ? "malformed_request" : "http_error", err.message || "bad request"), status);
  }
  if (err instanceof SyntaxError) return c.json(errorBody("malformed_json", "the request body is not valid JSON"), 400);
  // The last line of defence for text a route did not validate: still the caller's input.
  if (isUnstorableText(err)) return c.json(errorBody("unstorable_text", `a text value in the request ${NUL_MESSAGE}`), 400);
  // The database is down or cut off: the request was fine, the answer is "later".
  if (isDatabaseUnavailable(err)) return c.json(errorBody("database_unavailable", "the database does not answer: retry shortly"), 503, { "Retry-After": "2" });
  console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, err);
  return c.json(errorBody("internal", "internal error"), 500);
};

const UNAVAILABLE = /Connection terminated|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|timeout exceeded when trying to connect|too many clients|the database system is (starting up|shutting down)|terminating connection due to administrator command|Client has encountered a connection error/i;

/** An error that says the database could not be reached or dropped the connection (here or in its cause). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { message?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/.test(e.code) || /^(08|57P0)/.test(e.code))) return true;
    if (typeof e.message === "string" && UNAVAILABLE.test(e.message)) return true;
  }
  return false;
}

export const onNotFound: NotFoundHandler = (c) =>
  c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path.length > 200 ? `${c.req.path.slice(0, 200)}…` : c.req.path}`), 404);
