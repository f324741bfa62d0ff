// How every part of the app reaches a network's RPC URLs: one viem transport, the URL itself or
// several tried in order (viem `fallback`).
import { fallback, http, type HttpTransportConfig, type Transport } from "viem";

export function rpcTransport(rpcUrls: readonly string[], options?: HttpTransportConfig): Transport {
  return rpcUrls.length === 1 ? http(rpcUrls[0], options) : fallback(rpcUrls.map((u) => http(u, options)));
}

/**
 * The indexer's transport. Ponder's own client for an RPC URL does not retry: it sees every 429
 * and timeout, and each one lowers its request rate (×0.95, down to 3 a second), which it raises
 * again only by 5% after 5 × the limit of consecutive successes at a saturated rate. So a provider
 * failing a few percent of calls leaves the backfill crawling for minutes after the faults end.
 * Handing Ponder this transport instead, a transient 429, 5xx or dropped connection is retried here
 * (up to 4 times, 100 ms backoff doubling) and never reaches Ponder's limiter; a provider that
 * keeps refusing still does, after the retries.
 */
export function indexerTransport(rpcUrls: readonly string[]): Transport {
  return rpcTransport(rpcUrls, { retryCount: 4, retryDelay: 100 });
}
