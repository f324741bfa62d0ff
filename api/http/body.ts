// Request bodies on a keep-alive connection. Node keeps reading a connection's next request where
// the last one's body ends, and @hono/node-server destroys the socket when an answer goes out
// before its request's body was read to the end: the client's next, unrelated request on that
// connection is then reset (ECONNRESET). So any answer sent early (a 413, a 401 before the body is
// looked at) first reads what is left of the body and throws it away, up to a bound; a body past
// the bound is answered with `Connection: close` so the client opens a fresh connection instead.
import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";

export type DrainLimits = { maxBytes: number; maxMs: number };

/** What a client may send past a limit and still keep its connection: a few times the largest body we take. */
export const DEFAULT_DRAIN: DrainLimits = { maxBytes: 8 * 1024 * 1024, maxMs: 5_000 };

/** Reads `body` to its end, discarding it; false when it is longer than `maxBytes` or slower than `maxMs`. */
export async function drain(body: ReadableStream<Uint8Array>, { maxBytes, maxMs }: DrainLimits): Promise<boolean> {
  if (body.locked) return false;
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), maxMs);
  });
  let read = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === "timeout") return false;
      if (next.done) return true;
      read += next.value.byteLength;
      if (read > maxBytes) return false;
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

const declaredLength = (c: Context): number | null => {
  const raw = c.req.header("content-length");
  return raw !== undefined && /^\d+$/.test(raw) && !c.req.header("transfer-encoding") ? Number(raw) : null;
};

/**
 * Mounted first: after the answer is ready, reads and discards what the handlers left of the
 * request body (within `limits`), else marks the answer `Connection: close`.
 */
export function keepConnectionUsable(limits: DrainLimits = DEFAULT_DRAIN): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw; // the original: a body limit may replace c.req.raw with a buffered copy
    await next();
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || incoming.readableEnded || !request.body) return;
    const length = declaredLength(c);
    const usable = (length === null || length <= limits.maxBytes) && (await drain(request.body, limits));
    if (!usable) c.res.headers.set("Connection", "close");
  };
}

/**
 * At most `maxSize` bytes of body, else `onTooLarge`. Unlike hono's bodyLimit, it lets go of the
 * body stream when it refuses one (hono's keeps it locked), so keepConnectionUsable can drain it.
 */
export function limitBody(maxSize: number, onTooLarge: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const length = declaredLength(c);
    if (length !== null) return length > maxSize ? onTooLarge(c) : next();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxSize) return onTooLarge(c);
        chunks.push(value);
      }
    } finally {
      reader.releaseLock();
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks) });
    return next();
  };
}
