// Connections a client reuses, against a real `ponder start` (PGlite and PostgreSQL): an answer
// sent before the body was read (413, 401) leaves a keep-alive connection usable for the next,
// unrelated request, on every route that reads a body, with and without Content-Length, through
// node:http's keep-alive agent and Node's fetch; an idle connection kept past Node's 5 s default. And what
// a browser on another origin may read.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEP_ALIVE_TIMEOUT_MS } from "../../api/http/keep-alive.js";
import { writeDeployment } from "../../config/deployment.js";
import { roleAccount } from "../../config/accounts.js";
import { bearer, signIn } from "../helpers/auth.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { dropSyncRows, startPonder, type PonderHandle } from "../helpers/ponder.js";

let chain: TestChain;
let tmpDir: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  chain = await startTestChain({ chainId: uniqueChainId() });
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "api-connection-"));
  const deploymentFile = writeDeployment(chain.deployment, path.join(tmpDir, "deployment.json"));
  await Promise.all(
    backends
      .filter((b) => b.enabled)
      .map(async (b) => {
        const ponder = await startPonder({ deploymentFile, database: b.database, env: { SIGNING_RATE_LIMIT_PER_MINUTE: "2", SIGN_IN_RATE_LIMIT_PER_MINUTE: "100000" } });
        ponders.set(b.name, ponder);
        await ponder.waitForReady();
      }),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await chain?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable && chain) dropSyncRows(PG_URL, chain.anvil.chainId);
});

type Answer = { status: number; text: string; headers: http.IncomingHttpHeaders; socket: unknown; reused: boolean };

/** One request on `agent`; the body whole (Content-Length) or in 16 KiB chunks (chunked transfer encoding). */
function request(agent: http.Agent, url: string, method: string, p: string, body?: Buffer, options: { chunked?: boolean; headers?: Record<string, string>; pauseMs?: number } = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (body && !options.chunked) headers["content-length"] = String(body.length);
    const r = http.request({ host: u.hostname, port: u.port, method, path: p, agent, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString(), headers: res.headers, socket: r.socket, reused: r.reusedSocket }));
      res.on("error", reject);
    });
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.on("error", reject);
    const write = (part: Buffer) => {
      if (options.chunked) for (let i = 0; i < part.length; i += 16 * 1024) r.write(part.subarray(i, i + 16 * 1024));
      else r.write(part);
    };
    if (!body) return void r.end();
    if (!options.pauseMs) return void (write(body), r.end());
    // A slow uploader: half now, the rest later (the answer may well be out by then).
    write(body.subarray(0, body.length >> 1));
    setTimeout(() => (write(body.subarray(body.length >> 1)), r.end()), options.pauseMs);
  });
}

/** An action id for the routes that take one (a well-formed UUID: whether it exists does not matter here). */
const SOME_ACTION = "00000000-0000-4000-8000-000000000000";

/** Every route that reads a body, and the largest body it takes. */
const BODY_ROUTES: { method: string; path: string; limit: number }[] = [
  { method: "POST", path: "/api/auth/verify", limit: 64 * 1024 },
  { method: "POST", path: "/api/auth/logout", limit: 64 * 1024 },
  { method: "POST", path: "/api/sign/booking", limit: 64 * 1024 },
  { method: "POST", path: "/api/sign/cancellation", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/qr-settlements", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/booking-emergency-cancellations", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/events", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/events/1/cancel", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/events/1/complete", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/check-ins", limit: 64 * 1024 },
  { method: "POST", path: "/api/actions/check-ins/batch", limit: 512 * 1024 },
  { method: "POST", path: `/api/actions/${SOME_ACTION}/retry`, limit: 64 * 1024 },
  { method: "PUT", path: "/api/events/1/metadata", limit: 64 * 1024 },
  { method: "POST", path: "/graphql", limit: 256 * 1024 },
  { method: "POST", path: "/", limit: 256 * 1024 },
];

describe.each(backends)("connections on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const api = () => ponders.get(name)!.url;

  run("the OpenAPI document lists no POST or PUT route this test leaves out", async () => {
    const doc = (await (await fetch(`${api()}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const writes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => m === "post" || m === "put")
        .map((m) => `${m.toUpperCase()} ${p.replace("{eventId}", "1").replace("{id}", SOME_ACTION)}`),
    );
    expect(writes.sort()).toEqual(BODY_ROUTES.filter((r) => r.path.startsWith("/api")).map((r) => `${r.method} ${r.path}`).sort());
  });

  run("after a 413 on any route, with or without Content-Length, the next request on the same keep-alive connection succeeds", async () => {
    const token = await signIn(api(), roleAccount("owner"));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(agent, api(), "GET", "/health");
      expect(first.status).toBe(200);
      for (const route of BODY_ROUTES) {
        for (const chunked of [false, true]) {
          const what = `${route.method} ${route.path} ${chunked ? "chunked" : "Content-Length"}`;
          const big = Buffer.alloc(route.limit + 4096, 0x20);
          const refused = await request(agent, api(), route.method, route.path, big, { chunked, headers: bearer(token) });
          expect(refused.status, `${what}: ${refused.text.slice(0, 200)}`).toBe(413);
          expect(JSON.parse(refused.text).error.code, what).toBe("body_too_large");
          const next = await request(agent, api(), "GET", "/api/auth/nonce");
          expect(next.status, what).toBe(200);
          // The body was drained: the connection was kept, not closed and replaced.
          expect([next.reused, next.socket === first.socket], what).toEqual([true, true]);
        }
      }
    } finally {
      agent.destroy();
    }
  });

  run("a body past what the server drains (8 MiB) is refused with Connection: close, and the agent's next request goes through on a new connection", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const chunked of [false, true]) {
        const huge = Buffer.alloc(24 * 1024 * 1024, 0x20);
        // The server stops reading and closes: the client may still be writing and see EPIPE or a
        // reset before it reads the 413. Either way the connection is gone, and said so if answered.
        const refused = await request(agent, api(), "POST", "/api/sign/booking", huge, { chunked }).catch((err: NodeJS.ErrnoException) => err);
        if (refused instanceof Error) expect(["EPIPE", "ECONNRESET"]).toContain(refused.code);
        else expect([refused.status, refused.headers.connection]).toEqual([413, "close"]);
        const next = await request(agent, api(), "GET", "/api/auth/nonce");
        expect([next.status, next.reused]).toEqual([200, false]);
      }
    } finally {
      agent.destroy();
    }
  });

  run("answers sent before the body is read (401 without a token, 429 over the limit) keep the connection too, even while the body is still coming", async () => {
    const account = roleAccount("operator");
    const token = await signIn(api(), account);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.from(JSON.stringify({ provider: roleAccount("validator").address, amount: "1", pad: "x".repeat(60_000) }));
    try {
      const first = await request(agent, api(), "GET", "/health");
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        for (const auth of [{}, bearer(token)]) {
          const r = await request(agent, api(), "POST", "/api/sign/booking", body, { chunked: i % 2 === 1, headers: auth, pauseMs: 300 });
          statuses.push(r.status);
          const next = await request(agent, api(), "GET", "/health");
          expect([next.status, next.socket === first.socket]).toEqual([200, true]);
        }
      }
      expect(statuses).toContain(401);
      expect(statuses).toContain(429);
    } finally {
      agent.destroy();
    }
  });

  run("Node's fetch (undici, keep-alive by default): an oversized upload does not break the next call", async () => {
    for (const size of [70 * 1024, 4 * 1024 * 1024]) {
      const refused = await fetch(`${api()}/api/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.alloc(size, 0x20) });
      expect(refused.status).toBe(413);
      await refused.text();
      const next = await fetch(`${api()}/api/auth/nonce`);
      expect(next.status).toBe(200);
      await next.text();
    }
  });

  run("an idle keep-alive connection outlives the 5 s Node closes it at by default, and the server says how long it keeps it", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await request(agent, api(), "GET", "/api/auth/nonce"); // the first request to our routes sets the server's timeout
      const first = await request(agent, api(), "GET", "/api/auth/nonce");
      expect(first.headers["keep-alive"]).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
      await new Promise((r) => setTimeout(r, 6_500));
      const next = await request(agent, api(), "GET", "/api/auth/nonce");
      expect([next.status, next.reused, next.socket === first.socket]).toEqual([200, true, true]);
    } finally {
      agent.destroy();
    }
  });

  run("a page on another origin can read Retry-After and the rate-limit counters", async () => {
    const token = await signIn(api(), roleAccount("validator"));
    const headers = { ...bearer(token), origin: "https://app.example", "content-type": "application/json" };
    const preflight = await fetch(`${api()}/api/sign/booking`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    let limited: Response | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      const r = await fetch(`${api()}/api/sign/booking`, { method: "POST", headers, body: JSON.stringify({ provider: roleAccount("owner").address, amount: "1" }) });
      await r.text();
      const exposed = (r.headers.get("access-control-expose-headers") ?? "").split(",").map((h) => h.trim().toLowerCase());
      expect(exposed).toEqual(expect.arrayContaining(["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining"]));
      expect(r.headers.get("x-ratelimit-limit")).toBe("2");
      if (r.status === 429) limited = r;
    }
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
