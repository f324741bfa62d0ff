// Every route fuzzed with malformed input, on PGlite and on PostgreSQL: the operations come from the
// running API's /openapi.json (so routes added later are covered without touching this file), plus
// Ponder's own endpoints and unknown paths. Requests are seeded (FUZZ_SEED reproduces a run; the
// seed is printed and is in every failure message). Nothing may answer 5xx or drop the connection,
// every 4xx under /api is the standard error body, oversized bodies are 413s, and at the end the
// process still answers /health. Signed in as an admin too, so validation behind auth is reached.
// The index holds two chains (the same contracts at the same addresses, so ids repeat), so the
// chainId parameters and the "on several chains" answers are fuzzed too.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devAccount, ACTOR_BASE, roleAccount } from "../../config/accounts.js";
import { writeDeployment } from "../../config/deployment.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { signIn } from "../helpers/auth.js";
import { devKeysEnv, startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import {
  checkReply,
  describeRequest,
  fixedPathRequests,
  fuzzOperation,
  nulFieldRequests,
  operationsOf,
  seededRng,
  send,
  sendKeptAlive,
  type FuzzContext,
  type FuzzOperation,
  type FuzzRequest,
  type Known,
  type OpenApiDoc,
  type Reply,
} from "../helpers/fuzz.js";
import { dropSyncRows, startPonder, waitForChains, type PonderHandle } from "../helpers/ponder.js";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
/** Requests per operation; operations without inputs get fewer (they only have headers and query to break). */
const PER_OPERATION = Number(process.env.FUZZ_PER_OPERATION ?? 36);
const BARE_OPERATION = 8;
const SIGN_OUT = "/api/auth/logout";
const FIXED_PATHS = 50;
const IN_FLIGHT = 6;
console.log(`fuzz seed ${SEED} (rerun with FUZZ_SEED=${SEED})`);

let chain: TestChain;
/** A second chain in the same index, so ids exist on two chains and every chainId path is reached. */
let second: TestChain;
let tmpDir: string;
let known: Known;
const ponders = new Map<string, PonderHandle>();
const anonymous400s = new Map<string, number>();

beforeAll(async () => {
  [chain, second] = await Promise.all([startTestChain({ chainId: uniqueChainId() }), startTestChain({ chainId: uniqueChainId() })]);
  const sims = await Promise.all([
    simulate({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, seed: 3, ops: 80, profile: "mixed" }),
    simulate({ rpcUrl: second.anvil.rpcUrl, deployment: second.deployment, seed: 4, ops: 40, profile: "mixed" }),
  ]);
  if (sims.some((sim) => sim.failures.length > 0)) throw new Error(`simulator: ${sims.map((sim) => sim.failures.length).join(" + ")} transactions failed`);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "api-fuzz-"));
  const networks = [
    { name: "local", deploymentFile: writeDeployment(chain.deployment, path.join(tmpDir, "local.json")) },
    { name: "local-b", deploymentFile: writeDeployment(second.deployment, path.join(tmpDir, "local-b.json")) },
  ];
  const heads = { local: await chain.publicClient.getBlockNumber({ cacheTime: 0 }), "local-b": await second.publicClient.getBlockNumber({ cacheTime: 0 }) };
  await Promise.all(
    backends
      .filter((b) => b.enabled)
      .map(async (b) => {
        // Signing and write actions are rate-limited per client; the fuzzer's one admin would
        // otherwise mostly see 429s instead of reaching validation. Likewise /sql/db's cap on
        // concurrent queries (a 503 sql_busy) sits above the fuzzer's requests in flight.
        const ponder = await startPonder({
          networks,
          database: b.database,
          // The second chain is not a local network: its sending keys are its own variables.
          env: { ...devKeysEnv("local-b"), SIGNING_RATE_LIMIT_PER_MINUTE: "1000000", ACTIONS_RATE_LIMIT_PER_MINUTE: "1000000", SQL_MAX_CONCURRENT: String(IN_FLIGHT + 1), SQL_MAX_CONCURRENT_PER_CLIENT: String(IN_FLIGHT + 1) },
        });
        ponders.set(b.name, ponder);
        await waitForChains(ponder, heads, 120_000);
      }),
  );
  known = await knownValues(ponders.values().next().value!);
}, 300_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await Promise.all([chain?.stop(), second?.stop()]);
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable) for (const c of [chain, second]) if (c) dropSyncRows(PG_URL, c.anvil.chainId);
});

/** Ids the index has, so plausible requests reach the handlers and some answer 200. */
async function knownValues(ponder: PonderHandle): Promise<Known> {
  const data = await ponder.graphql<{
    bookings: { items: { id: string }[] };
    ticketedEvents: { items: { id: string }[] };
    qrOrders: { items: { id: string }[] };
  }>("{ bookings(limit: 5) { items { id } } ticketedEvents(limit: 5) { items { id } } qrOrders(limit: 5) { items { id } } }");
  const bookings = data.bookings.items.map((b) => b.id);
  const events = data.ticketedEvents.items.map((e) => e.id);
  const orders = data.qrOrders.items.map((o) => o.id);
  expect({ bookings: bookings.length > 0, events: events.length > 0, orders: orders.length > 0 }, "the simulator made bookings, events and QR orders").toEqual({ bookings: true, events: true, orders: true });
  const actors = [0, 1, 2, 3].map((n) => devAccount(ACTOR_BASE + n).address);
  return {
    bookingId: bookings,
    eventId: events,
    orderHash: orders,
    address: actors,
    provider: actors,
    inviter: actors,
    beneficiary: actors,
    organizer: actors,
    amount: ["1000000", "1"],
  };
}

type Tally = { sent: number; byStatus: Map<number, number>; problems: string[] };

async function runAll(url: string, requests: FuzzRequest[], tally: Tally, onReply?: (req: FuzzRequest, reply: Reply) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const req = requests[next++]!;
      let reply: Reply;
      try {
        reply = await send(url, req);
      } catch (err) {
        tally.problems.push(`${describeRequest(req)} → no reply: ${(err as Error).message}`);
        continue;
      }
      tally.sent++;
      onReply?.(req, reply);
      tally.byStatus.set(reply.status, (tally.byStatus.get(reply.status) ?? 0) + 1);
      const problem = checkReply(req, reply, servedUnderApi(req.path));
      if (problem) tally.problems.push(`${describeRequest(req)} → ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Whether the path, once the server resolves dot segments as a URL parser does, is under /api (our error body) rather than Ponder's own. */
function servedUnderApi(rawPath: string): boolean {
  return new URL(rawPath, "http://host").pathname.startsWith("/api");
}

function summary(tally: Tally): string {
  return [...tally.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ");
}

function expectClean(tally: Tally, what: string) {
  const shown = tally.problems.slice(0, 25).join("\n");
  expect(tally.problems, `seed ${SEED} (FUZZ_SEED=${SEED}), ${what}: ${tally.problems.length} bad replies, first ones:\n${shown}`).toEqual([]);
}

describe.each(backends)("fuzzing every route on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const ponder = () => {
    const p = ponders.get(name);
    if (!p) throw new Error(`ponder (${name}) did not start`);
    return p;
  };
  const overall: Tally = { sent: 0, byStatus: new Map(), problems: [] };
  const fetchDoc = async () => {
    const res = await fetch(`${ponder().url}/openapi.json`);
    const text = await res.text();
    expect(res.status, `/openapi.json: ${text.slice(0, 300)}`).toBe(200);
    const doc = JSON.parse(text) as OpenApiDoc;
    const ops = operationsOf(doc);
    // The reads at least: the test must not pass by finding nothing to fuzz.
    expect(ops.map((o) => o.template)).toEqual(expect.arrayContaining(["/api/bookings/{bookingId}", "/api/events/{eventId}", "/api/accounts/{address}"]));
    return { doc, ops };
  };

  /** Signing out ends the session it is sent with: it is fuzzed with a token of its own, so the others stay valid. */
  const sessionFor = async (tokens: string[] | undefined) => {
    const own = tokens ? [await signIn(ponder().url, privateKeyToAccount(generatePrivateKey()))] : undefined;
    return (op: FuzzOperation) => (op.template === SIGN_OUT && own ? own : tokens);
  };

  const fuzzEveryOperation = async (ctx: Omit<FuzzContext, "doc">, seed: number, what: string) => {
    const { doc, ops } = await fetchDoc();
    const rng = seededRng(seed);
    const tokensFor = await sessionFor(ctx.tokens);
    const requests = ops.flatMap((op) => {
      const bare = op.pathParams.length === 0 && op.queryParams.length === 0 && op.body === undefined;
      return fuzzOperation(op, { ...ctx, tokens: tokensFor(op), doc }, rng, bare ? BARE_OPERATION : PER_OPERATION);
    });
    const tally: Tally = { sent: 0, byStatus: new Map(), problems: [] };
    await runAll(ponder().url, requests, tally);
    console.log(`${name} ${what}: ${ops.length} operations, ${tally.sent} requests: ${summary(tally)}`);
    for (const [s, n] of tally.byStatus) overall.byStatus.set(s, (overall.byStatus.get(s) ?? 0) + n);
    overall.sent += tally.sent;
    expectClean(tally, what);
    return tally;
  };

  run("the OpenAPI document validates, names this API as its server, and gives code generators what they need", async () => {
    const { doc } = await fetchDoc();
    // The validator dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc) as never);
    const full = doc as OpenApiDoc & { servers?: { url: string }[]; paths: Record<string, Record<string, any>> };
    expect(full.servers?.[0]?.url).toBe(ponder().url);
    const operations = Object.entries(full.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ at: `${m.toUpperCase()} ${p}`, op })));
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((o) => typeof o.op.operationId !== "string" || !/^[a-z][A-Za-z]+$/.test(o.op.operationId)).map((o) => o.at)).toEqual([]);
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size, "operationIds are unique").toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["getBooking", "signBooking", "signCancellation", "verifySignIn", "createCheckInBatch"]));
    // Every {param} of a path is declared as a path parameter.
    for (const { at, op } of operations) {
      const declared = (op.parameters ?? []).filter((q: any) => q.in === "path").map((q: any) => q.name).sort();
      expect(declared, at).toEqual([...at.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
    const inviter = full.paths["/api/sign/booking"]!.post.requestBody.content["application/json"].schema.properties.inviter;
    expect(inviter.type, "null is accepted for inviter, and said").toEqual(["string", "null"]);
    const limit = full.paths["/api/events/{eventId}/tickets"]!.get.parameters.find((q: any) => q.name === "limit");
    expect([limit.in, limit.schema.type]).toEqual(["query", "integer"]);
    expect(full.paths["/api/authorizations"]!.get.parameters.find((q: any) => q.name === "limit").schema.type).toBe("integer");
  });

  run("anonymous: malformed paths, queries, bodies, content types and headers on every OpenAPI operation", async () => {
    const tally = await fuzzEveryOperation({ known }, SEED, "anonymous");
    anonymous400s.set(name, tally.byStatus.get(400) ?? 0);
    const statuses = [...tally.byStatus.keys()];
    expect(statuses.some((s) => s >= 200 && s < 300), "some plausible requests succeeded").toBe(true);
    expect(statuses.filter((s) => s >= 400 && s < 500).length, "several kinds of 4xx").toBeGreaterThan(2);
    expect(tally.byStatus.get(400) ?? 0, "validation refusals").toBeGreaterThan(20);
    expect(tally.byStatus.get(413) ?? 0, "oversized bodies refused").toBeGreaterThan(0);
  });

  run("signed in (admin, validator): the same, with valid tokens, so validation behind auth is reached", async () => {
    const tokens: string[] = [];
    for (const [role, account] of [["admin", roleAccount("owner")], ["validator", roleAccount("validator")]] as const) {
      const token = await signIn(ponder().url, account);
      const me = await fetch(`${ponder().url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status, `the ${role} token works`).toBe(200);
      expect(JSON.stringify(await me.json())).toContain(role);
      tokens.push(token);
    }
    const tally = await fuzzEveryOperation({ known, tokens }, SEED + 1, "signed in");
    expect([...tally.byStatus.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    // Behind auth, bodies and parameters get validated: more 400s than without a token.
    expect(tally.byStatus.get(400) ?? 0).toBeGreaterThan(anonymous400s.get(name) ?? 0);
  });

  run("a NUL (U+0000) in each string field of each body, signed in: 400 naming the field, never 500", async () => {
    const { doc, ops } = await fetchDoc();
    const rng = seededRng(SEED + 3);
    const tokens = [await signIn(ponder().url, roleAccount("owner"))];
    const requests = ops.flatMap((op) => nulFieldRequests(op, { known, tokens, doc }, rng));
    // The free-text fields at least: the test must not pass by finding none.
    expect(requests.map((r) => r.label)).toEqual(expect.arrayContaining(["body-nul reason", "body-nul name", "body-nul description"]));
    const tally: Tally = { sent: 0, byStatus: new Map(), problems: [] };
    const freeText: { label: string; status: number; text: string }[] = [];
    await runAll(ponder().url, requests, tally, (req, reply) => {
      if (/^body-nul (reason|name|description|venue)$/.test(req.label)) freeText.push({ label: req.label, status: reply.status, text: reply.text });
    });
    console.log(`${name} NUL fields: ${requests.length} requests: ${summary(tally)}`);
    overall.sent += tally.sent;
    expectClean(tally, "NUL fields");
    // Free text is where a NUL would otherwise reach the database: refused, saying what to fix.
    expect(freeText.length).toBeGreaterThan(3);
    for (const r of freeText) {
      expect(r.status, `${r.label}: ${r.text}`).toBe(400);
      expect(r.text, r.label).toContain("NUL");
    }
  });

  run("Ponder's own endpoints (/graphql, /sql/db, /, /docs) and unknown paths", async () => {
    const tally: Tally = { sent: 0, byStatus: new Map(), problems: [] };
    await runAll(ponder().url, fixedPathRequests(seededRng(SEED + 2), FIXED_PATHS), tally);
    console.log(`${name} fixed paths: ${tally.sent} requests: ${summary(tally)}`);
    overall.sent += tally.sent;
    expectClean(tally, "fixed paths");
    expect(tally.byStatus.get(200) ?? 0).toBeGreaterThan(0);
  });

  run("over one keep-alive connection, as browsers and Node's fetch send: no 5xx, and no request is ever reset", async () => {
    const { doc, ops } = await fetchDoc();
    const rng = seededRng(SEED + 4);
    const tokensFor = await sessionFor([await signIn(ponder().url, roleAccount("owner"))]);
    const requests = [
      ...ops.flatMap((op) => fuzzOperation(op, { known, doc }, rng, 12)),
      ...ops.flatMap((op) => fuzzOperation(op, { known, tokens: tokensFor(op), doc }, rng, 12)),
      ...fixedPathRequests(rng, FIXED_PATHS),
    ];
    expect(requests.filter((r) => r.expectStatus === 413).length, "oversized bodies among them").toBeGreaterThan(3);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const tally: Tally = { sent: 0, byStatus: new Map(), problems: [] };
    let closes = 0;
    try {
      for (const req of requests) {
        try {
          const reply = await sendKeptAlive(agent, ponder().url, req);
          sockets.add(reply.socket);
          if (reply.closes) closes++;
          tally.sent++;
          tally.byStatus.set(reply.status, (tally.byStatus.get(reply.status) ?? 0) + 1);
          const problem = checkReply(req, reply, servedUnderApi(req.path));
          if (problem) tally.problems.push(`${describeRequest(req)} → ${problem}`);
        } catch (err) {
          tally.problems.push(`${describeRequest(req)} → no reply: ${(err as Error).message}`);
        }
      }
    } finally {
      agent.destroy();
    }
    console.log(`${name} keep-alive: ${tally.sent} requests on ${sockets.size} connections (${closes} closed by the server, saying so): ${summary(tally)}`);
    overall.sent += tally.sent;
    expectClean(tally, "keep-alive");
    // A connection ends only when the server said so: never dropped under a request.
    expect(sockets.size).toBeLessThanOrEqual(closes + 1);
  });

  run("the process is still up and healthy afterwards", async () => {
    const p = ponder();
    expect(p.process.exitCode, `ponder exited; log ${p.logFile}:\n${p.logTail()}`).toBeNull();
    expect((await fetch(`${p.url}/health`)).status).toBe(200);
    expect((await fetch(`${p.url}/api/events/${known.eventId![0]}?chainId=${chain.anvil.chainId}`)).status).toBe(200);
    // Event ids start at 1 on both chains: without a chainId the read names them.
    const both = await fetch(`${p.url}/api/events/1`);
    expect([both.status, ((await both.json()) as { error: { code: string } }).error.code]).toEqual([400, "ambiguous_chain"]);
    expect(overall.sent).toBeGreaterThan(100);
  });
});
