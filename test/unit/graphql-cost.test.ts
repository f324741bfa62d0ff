// The cost of a GraphQL operation, from the document alone: queries per parent row, rows, nesting.
import { describe, expect, it } from "vitest";
import { DEFAULT_PAGE_LIMIT, operationCost, QUERY_COST as Q } from "../../api/graphql/cost.js";
import { Hono } from "hono";
import { graphqlCostLimit, graphqlLimits } from "../../api/graphql/guard.js";

/** `tickets → event → tickets → …`, `levels` lists deep, `limit` at each. */
const fanOut = (levels: number, limit: number) => {
  let inner = "tokenId";
  for (let i = 0; i < levels; i++) inner = `tickets(limit: ${limit}) { items { event { id ${inner} } } }`;
  return `{ ticketedEvents(limit: ${limit}) { items { id ${inner} } } }`;
};

describe("GraphQL operation cost", () => {
  it("a page is one query plus its rows; a single-row relation one look-up per parent; scalars are free", () => {
    expect(operationCost("{ booking(id: \"0x01\") { id amount } }")).toEqual({ cost: 1, listDepth: 0 });
    expect(operationCost("{ bookings(limit: 20) { items { id } } }")).toEqual({ cost: Q + 20, listDepth: 1 });
    expect(operationCost("{ bookings { items { id } totalCount } }")).toEqual({ cost: Q + DEFAULT_PAGE_LIMIT + Q, listDepth: 1 });
    // The bench page: the 20 latest bookings, each with its history (a query per booking).
    expect(operationCost("{ bookings(limit: 20) { items { id customerAccount { address } history(limit: 10) { items { status } } } } }")).toEqual({
      cost: Q + 20 + 20 + 20 * (Q + 10),
      listDepth: 2,
    });
  });

  it("grows with the product of the limits along each path, as the resolvers' work does", () => {
    const costs = [1, 2, 3, 4, 5, 6].map((levels) => operationCost(fanOut(levels, 2))!);
    for (let i = 1; i < costs.length; i++) expect(costs[i]!.cost).toBeGreaterThan(costs[i - 1]!.cost * 1.9);
    expect(costs.map((c) => c.listDepth)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(operationCost("{ bookings { items { customerAccount { bookingsAsCustomer(limit: 1000) { items { id } } } } } }")!.cost).toBeGreaterThan(50_000);
    // Without the nesting bound, 12 levels of 2 are past the cost bound too.
    expect(operationCost(fanOut(12, 2))!.cost).toBeGreaterThan(50_000);
  });

  it("reads limits and offsets from literals and variables, capped at Ponder's maximum; fragments count where they are spread", () => {
    const q = "query Q($n: Int) { bookings(limit: $n, offset: 100) { items { id } } }";
    expect(operationCost(q, { n: 5 })!.cost).toBe(Q + 100 + 5);
    expect(operationCost(q, {})!.cost).toBe(Q + 100 + DEFAULT_PAGE_LIMIT);
    expect(operationCost("{ bookings(limit: 5000) { items { id } } }")!.cost).toBe(Q + 1000);
    const spread = "query { ticketedEvents(limit: 10) { ...E } } fragment E on TicketedEventPage { items { tickets(limit: 10) { items { tokenId } } } }";
    expect(operationCost(spread)).toEqual({ cost: Q + 10 + 10 * (Q + 10), listDepth: 2 });
    const inline = "{ ticketedEvents(limit: 10) { ... on TicketedEventPage { items { id } } } }";
    expect(operationCost(inline)!.cost).toBe(Q + 10);
    // A fragment spread inside itself is GraphQL's validation error to report; here it adds nothing and ends.
    expect(operationCost("{ bookings { ...A } } fragment A on BookingPage { items { id } ...A }")!.cost).toBe(Q + DEFAULT_PAGE_LIMIT);
  });

  it("the named operation, or the only one; nothing to measure in what does not parse", () => {
    const two = "query A { bookings(limit: 1) { items { id } } } query B { bookings(limit: 9) { items { id } } }";
    expect(operationCost(two, undefined, "B")!.cost).toBe(Q + 9);
    expect(operationCost(two)).toBeNull();
    expect(operationCost("{ bookings(")).toBeNull();
    expect(operationCost("{ __schema { types { name fields { name } } } }")).toEqual({ cost: 0, listDepth: 0 });
  });

  it("limits from the environment, a bad value named", () => {
    expect(graphqlLimits({})).toEqual({ maxCost: 50_000, maxListDepth: 4, timeoutMs: 10_000 });
    expect(graphqlLimits({ GRAPHQL_MAX_COST: "500", GRAPHQL_MAX_LIST_DEPTH: "2", GRAPHQL_TIMEOUT_MS: "2500" })).toEqual({ maxCost: 500, maxListDepth: 2, timeoutMs: 2500 });
    expect(() => graphqlLimits({ GRAPHQL_TIMEOUT_MS: "5s" })).toThrow(/GRAPHQL_TIMEOUT_MS/);
    expect(() => graphqlLimits({ GRAPHQL_MAX_COST: "lots" })).toThrow(/GRAPHQL_MAX_COST/);
    expect(() => graphqlLimits({ GRAPHQL_MAX_LIST_DEPTH: "0" })).toThrow(/GRAPHQL_MAX_LIST_DEPTH/);
  });

  it("operations running at once share a budget: 2 × GRAPHQL_MAX_COST per client (429), 8 × per process (503)", async () => {
    const gates: (() => void)[] = [];
    const app = new Hono();
    app.use("/graphql", graphqlCostLimit({ maxCost: 100, maxListDepth: 4, timeoutMs: 60_000 }, (c) => c.req.header("x-client") ?? "?"));
    app.post("/graphql", async (c) => {
      await new Promise<void>((r) => gates.push(r));
      return c.json({ data: {} });
    });
    // Q + 80 = 90 each.
    const ask = (client: string) => app.request("/graphql", { method: "POST", headers: { "content-type": "application/json", "x-client": client }, body: JSON.stringify({ query: "{ bookings(limit: 80) { items { id } } }" }) });
    const a = [ask("a"), ask("a")];
    await new Promise((r) => setTimeout(r, 10));
    const refused = await ask("a");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe("graphql_busy_client");
    const others = ["b", "b", "c", "c", "d", "d"].map(ask);
    await new Promise((r) => setTimeout(r, 10));
    expect(gates).toHaveLength(8); // 8 × 90 = 720 of 800 in flight
    const full = await ask("e");
    expect([full.status, ((await full.json()) as any).errors[0].extensions.code]).toEqual([503, "graphql_busy"]);
    for (const g of gates) g();
    const done = await Promise.all([...a, ...others]);
    expect(done.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(done[0]!.headers.get("x-graphql-cost")).toBe("90");
    const after = ask("a");
    await new Promise((r) => setTimeout(r, 10));
    gates.at(-1)!();
    expect((await after).status).toBe(200); // the budget was given back
  });

  it("past GRAPHQL_TIMEOUT_MS the client gets a 503 query_timeout at once, and the operation keeps its budget until it ends", async () => {
    const gates: (() => void)[] = [];
    const app = new Hono();
    app.use("/graphql", graphqlCostLimit({ maxCost: 100, maxListDepth: 4, timeoutMs: 150 }, () => "one"));
    app.post("/graphql", async (c) => {
      await new Promise<void>((r) => gates.push(r));
      return c.json({ data: {} });
    });
    // Q + 80 = 90 each, 200 per client.
    const ask = () => app.request("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ bookings(limit: 80) { items { id } } }" }) });
    const late = await ask();
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("1");
    expect(((await late.json()) as any).errors[0].extensions).toEqual({ code: "query_timeout", timeoutMs: 150, cost: 90 });
    // The first still runs and holds 90: a second fits, a third does not.
    const second = ask();
    await new Promise((r) => setTimeout(r, 10));
    expect(((await (await ask()).json()) as any).errors[0].extensions.code).toBe("graphql_busy_client");
    gates[1]!();
    expect((await second).status).toBe(200);
    gates[0]!(); // the first ends: its budget comes back
    await new Promise((r) => setTimeout(r, 10));
    const [a, b] = [ask(), ask()];
    await new Promise((r) => setTimeout(r, 10));
    gates[2]!();
    gates[3]!();
    expect([(await a).status, (await b).status]).toEqual([200, 200]);
  });
});
