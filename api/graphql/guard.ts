// Mounted before Ponder's graphql(): an operation whose cost (api/graphql/cost.ts) is past the
// bound is refused before it runs, with a 400 that says the cost, the bound and what to change.
// Operations running at once share a budget too: one client's may cost 2 × GRAPHQL_MAX_COST in
// all (more waits: 429), the process's 8 × (more: 503), so a few clients cannot fill the process
// with the costliest queries the bound allows.
//
// Environment:
//   GRAPHQL_MAX_COST        what an operation may cost, in rows (a query counts 10; default 50000)
//   GRAPHQL_MAX_LIST_DEPTH  lists nested in lists (default 4)
//   GRAPHQL_TIMEOUT_MS      how long a client waits for an operation (default 10000): past it a 503
//                           query_timeout. Ponder's GraphQL cannot be interrupted, so the operation
//                           finishes in the background and holds its share of the budget until then.
import type { Context, MiddlewareHandler } from "hono";
import { envInteger, type EnvVars } from "../../config/env.js";
import { operationCost, QUERY_COST } from "./cost.js";

export type GraphqlLimits = { maxCost: number; maxListDepth: number; timeoutMs: number };

export const DEFAULT_GRAPHQL_LIMITS: GraphqlLimits = { maxCost: 50_000, maxListDepth: 4, timeoutMs: 10_000 };

/** GRAPHQL_MAX_COST, GRAPHQL_MAX_LIST_DEPTH and GRAPHQL_TIMEOUT_MS; a bad value stops the start, naming the variable. */
export function graphqlLimits(env: EnvVars): GraphqlLimits {
  return {
    maxCost: envInteger(env, "GRAPHQL_MAX_COST", DEFAULT_GRAPHQL_LIMITS.maxCost, 1, 100_000_000),
    maxListDepth: envInteger(env, "GRAPHQL_MAX_LIST_DEPTH", DEFAULT_GRAPHQL_LIMITS.maxListDepth, 1, 100),
    timeoutMs: envInteger(env, "GRAPHQL_TIMEOUT_MS", DEFAULT_GRAPHQL_LIMITS.timeoutMs, 100, 600_000),
  };
}

type Request = { query?: unknown; variables?: unknown; operationName?: unknown };

/** The operation a POST carries (JSON or application/graphql), or null for what GraphQL itself will refuse. */
async function requestOf(raw: globalThis.Request): Promise<Request | null> {
  const type = raw.headers.get("content-type") ?? "";
  const text = await raw.clone().text();
  if (type.includes("application/graphql")) return { query: text };
  try {
    const body = JSON.parse(text) as unknown;
    return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Request) : null;
  } catch {
    return null;
  }
}

const refusal = (code: string, message: string, extensions: Record<string, unknown>) => ({ errors: [{ message, extensions: { code, ...extensions } }] });

/** In-flight cost one client, and the process, may hold, in multiples of GRAPHQL_MAX_COST. */
export const CLIENT_SHARE = 2;
export const PROCESS_SHARE = 8;

export function graphqlCostLimit(limits: GraphqlLimits, clientOf: (c: Context) => string = () => "any"): MiddlewareHandler {
  let inFlight = 0;
  const byClient = new Map<string, number>();
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const request = await requestOf(c.req.raw);
    if (!request || typeof request.query !== "string") return next();
    const variables = request.variables !== null && typeof request.variables === "object" ? (request.variables as Record<string, unknown>) : undefined;
    const measured = operationCost(request.query, variables, typeof request.operationName === "string" ? request.operationName : undefined);
    if (!measured) return next();
    if (measured.listDepth > limits.maxListDepth) {
      const message = `lists nest ${measured.listDepth} deep here, at most ${limits.maxListDepth} (GRAPHQL_MAX_LIST_DEPTH): each nested list runs a query per row of the one above it. Query the inner list at the top level, filtered by the parent's id`;
      return c.json(refusal("query_too_deep", message, { listDepth: measured.listDepth, maxListDepth: limits.maxListDepth }), 400);
    }
    if (measured.cost > limits.maxCost) {
      const message = `this operation would cost ${measured.cost} (rows read, ${QUERY_COST} per query), at most ${limits.maxCost} (GRAPHQL_MAX_COST): lower the limit of nested lists (default 50), or page through them`;
      return c.json(refusal("query_too_costly", message, { cost: measured.cost, maxCost: limits.maxCost }), 400);
    }
    const client = clientOf(c);
    const mine = byClient.get(client) ?? 0;
    const busy = (code: string, message: string, status: 429 | 503) => c.json(refusal(code, message, { cost: measured.cost }), status, { "Retry-After": "1" });
    if (inFlight + measured.cost > limits.maxCost * PROCESS_SHARE) {
      return busy("graphql_busy", `the operations running here already cost ${inFlight}, at most ${limits.maxCost * PROCESS_SHARE} at once (${PROCESS_SHARE} × GRAPHQL_MAX_COST): retry shortly`, 503);
    }
    if (mine + measured.cost > limits.maxCost * CLIENT_SHARE) {
      return busy("graphql_busy_client", `your operations running now already cost ${mine}, at most ${limits.maxCost * CLIENT_SHARE} at once per client (${CLIENT_SHARE} × GRAPHQL_MAX_COST): wait for them`, 429);
    }
    inFlight += measured.cost;
    byClient.set(client, mine + measured.cost);
    const work = next().finally(() => {
      inFlight -= measured.cost;
      const left = (byClient.get(client) ?? measured.cost) - measured.cost;
      if (left > 0) byClient.set(client, left);
      else byClient.delete(client);
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), limits.timeoutMs)));
    const outcome = await Promise.race([work.then(() => "done" as const), late]).finally(() => clearTimeout(timer));
    if (outcome === "late") {
      work.catch(() => undefined);
      const message = `the operation did not finish within ${limits.timeoutMs} ms (GRAPHQL_TIMEOUT_MS): retry later, or ask for fewer rows`;
      return c.json(refusal("query_timeout", message, { timeoutMs: limits.timeoutMs, cost: measured.cost }), 503, { "Retry-After": "1" });
    }
    // What the operation cost, so a client sees how close it is to the bound.
    if (!c.res.headers.has("X-GraphQL-Cost")) c.res.headers.set("X-GraphQL-Cost", String(measured.cost));
  };
}
