// Every refusal counted, for dashboards and alerts: `api_refused_requests_total{area, status, code}`
// on Ponder's /metrics (its registry, which Ponder keeps on globalThis.PONDER_COMMON for its own
// middlewares too). A rate limit, a capacity share, a body or query bound: each is a 4xx or 503 with
// an error code in its body, which this reads after the answer is ready.
import type { MiddlewareHandler } from "hono";
import { Counter, type Registry } from "prom-client";

const NAME = "api_refused_requests_total";

/** Which part of the API a path belongs to (few values: a label, not the path). */
export function areaOf(path: string): string {
  if (path === "/" || path.startsWith("/graphql")) return "graphql";
  if (path.startsWith("/sql/")) return "sql";
  if (path.startsWith("/api/auth/")) return "auth";
  if (path.startsWith("/api/sign/")) return "signing";
  if (path.startsWith("/api/actions")) return "actions";
  if (path.startsWith("/api/")) return "reads";
  return "other";
}

/** The error code of a refusal's body: ours (`error.code`) or GraphQL's (`errors[0].extensions.code`). */
export function refusalCode(body: unknown): string {
  const b = body as { error?: { code?: unknown }; errors?: { extensions?: { code?: unknown } }[] } | null;
  const code = b?.error?.code ?? b?.errors?.[0]?.extensions?.code;
  return typeof code === "string" && /^[a-z_]{1,40}$/.test(code) ? code : "unknown";
}

function counter(): Counter<"area" | "status" | "code"> | null {
  const registry = (globalThis as { PONDER_COMMON?: { metrics?: { registry?: Registry } } }).PONDER_COMMON?.metrics?.registry;
  if (!registry) return null;
  // `ponder dev` reloads this module: the counter registered by the last load is the one to keep.
  const existing = registry.getSingleMetric(NAME) as Counter<"area" | "status" | "code"> | undefined;
  return existing ?? new Counter({ name: NAME, help: "Requests the API refused, by area, status and error code", labelNames: ["area", "status", "code"], registers: [registry] });
}

const COUNTED = new Set([400, 401, 403, 413, 422, 429, 503]);

export function countRefusals(): MiddlewareHandler {
  const refused = counter();
  return async (c, next) => {
    await next();
    if (!refused || !COUNTED.has(c.res.status)) return;
    let code = "unknown";
    if ((c.res.headers.get("content-type") ?? "").includes("json")) code = refusalCode(await c.res.clone().json().catch(() => null));
    refused.inc({ area: areaOf(c.req.path), status: String(c.res.status), code });
  };
}
