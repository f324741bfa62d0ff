// Who an anonymous request comes from, for per-client rate limits. The socket's address, unless
// the API runs behind `hops` trusted proxies (TRUSTED_PROXY_HOPS): then the X-Forwarded-For entry
// the outermost trusted proxy appended. Entries further left are whatever the client sent, so they
// are never used: a client could otherwise pick a new identity per request. IPv6 clients count by /64.
import type { Context } from "hono";
import ipaddr from "ipaddr.js";

export function clientIp(remoteAddress: string | undefined, forwardedFor: string | undefined, hops: number): string {
  if (hops > 0 && forwardedFor) {
    const entries = forwardedFor.split(",").map((e) => e.trim()).filter(Boolean);
    // Each trusted proxy appends the address it saw; the last of them appended the client's.
    if (entries.length > 0) return entries[Math.max(0, entries.length - hops)]!;
  }
  return remoteAddress ?? "unknown";
}

/** The socket's peer address, as @hono/node-server (which Ponder serves with) exposes it. */
export function remoteAddressOf(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * The identity a per-client limit counts: an IPv4 address (also when written IPv4-mapped,
 * `::ffff:1.2.3.4`), or an IPv6 address's /64. One subscriber or host is given a whole /64, so
 * counting single IPv6 addresses would give one client 2^64 identities.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}

export const requestClientIp = (c: Context, hops: number) => clientKey(clientIp(remoteAddressOf(c), c.req.header("x-forwarded-for"), hops));
