// One autocannon run against a running API, reduced to the figures the API benchmark prints.
// At a fixed rate (`overallRate`) autocannon corrects latencies for coordinated omission, so a
// server that falls behind shows it in p99 instead of silently sending fewer requests.
import autocannon, { type Request } from "autocannon";

export type LoadRequest = Request & { method: "GET" | "POST" };

export type LoadOptions = {
  url: string;
  /** Cycled through by every connection, in order. */
  requests: LoadRequest[];
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections; omitted = as fast as the server answers. */
  rate?: number;
  /** Extra headers per connection (e.g. one signed-in client's token each), assigned round-robin. */
  connectionHeaders?: Record<string, string>[];
};

export type LoadFigures = {
  /** Requests per second asked for, or null when unthrottled. */
  targetRate: number | null;
  connections: number;
  seconds: number;
  completed: number;
  ok: number;
  /** Every status seen, e.g. { "200": 1480, "429": 3 }. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  /** Completed 2xx responses per second. */
  okPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
};

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function load(options: LoadOptions): Promise<LoadFigures> {
  if (options.requests.length === 0) throw new Error("load: no requests to send");
  let nextConnection = 0;
  const perConnection = options.connectionHeaders;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 30,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: options.requests,
    ...(perConnection?.length
      ? {
          setupClient: (client) => {
            const extra = perConnection[nextConnection++ % perConnection.length]!;
            client.setRequests(options.requests.map((r) => ({ ...r, headers: { ...r.headers, ...extra } })));
          },
        }
      : {}),
  });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const completed = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    targetRate: options.rate ?? null,
    connections: options.connections,
    seconds: round(result.duration),
    completed,
    ok: result["2xx"],
    statuses,
    errors: result.errors + result.timeouts,
    okPerSecond: round(result["2xx"] / result.duration, 1),
    latencyMs: {
      p50: round(result.latency.p50),
      p90: round(result.latency.p90),
      p99: round(result.latency.p99),
      max: round(result.latency.max),
      mean: round(result.latency.average),
    },
  };
}
