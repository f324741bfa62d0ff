// How long an idle keep-alive connection stays open. Ponder leaves Node's default of 5 s, shorter
// than the idle timeout of the proxies and clients in front of it (60 s at most load balancers;
// undici keeps a socket until 2 s before the server's announced timeout): a client that reuses a
// connection the server is closing at that moment gets "other side closed" or ECONNRESET on a
// request the server never saw. The side that keeps connections longer must be the server.
import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { MiddlewareHandler } from "hono";

export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const tuned = new WeakSet<Server>();

/** Sets the idle timeout on the server a request came in on, once per server (Ponder gives no hook before it listens). */
export const longKeepAlive: MiddlewareHandler = async (c, next) => {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket as (Socket & { server?: Server }) | undefined;
  const server = socket?.server;
  if (server && !tuned.has(server)) {
    tuned.add(server);
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  }
  await next();
};
