// Sign-In with Ethereum and roles, end to end against a real `ponder start` (PGlite and
// PostgreSQL) on a real anvil: the full flow, every refusal (no / garbage / expired / foreign
// token, wrong role, replayed message, wrong domain, URI, chain or signature, a sign-in relayed
// from another site with its Host), the start-up rules
// outside the local network, and the store operations two replicas share (nonce consumption,
// rate-limit counters, signing nonces) on one database.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { sign } from "hono/jwt";
import pg from "pg";
import { getAddress, maxUint256, parseEther, parseUnits, type LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMerchant, isOrganizer } from "../../api/auth/resource-roles.js";
import { orderDataHash } from "../../domain/qr.js";
import type { ReadDeps } from "../../api/rest/db.js";
import * as onchain from "../../ponder.schema.js";
import { roleAccount } from "../../config/accounts.js";
import { abis, bytecode } from "../../devchain/artifacts.js";
import { writeDeployment } from "../../config/deployment.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { bearer, getSignInNonce, postVerify, signIn, siweMessage } from "../helpers/auth.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { dropPostgresSchema, dropSyncRows, startPonder, uniqueSchema, type PonderHandle } from "../helpers/ponder.js";

const SECRET = "auth-test-secret-0123456789abcdef0123456789";
const SIGN_IN_LIMIT = 200;
/** Everything the API reads, pinned: nothing from the caller's shell leaks into the child. */
const AUTH_ENV = {
  AUTH_SECRET: SECRET,
  AUTH_TOKEN_TTL_SECONDS: "",
  ADMIN_ADDRESSES: "",
  OPERATOR_ADDRESSES: "",
  VALIDATOR_ADDRESSES: "",
  SIWE_DOMAIN: "",
  SIGNER_PRIVATE_KEY: "",
  SIGNING_RATE_LIMIT_PER_MINUTE: "",
  // Behind one trusted proxy; the other tests send no X-Forwarded-For and count as 127.0.0.1.
  SIGN_IN_RATE_LIMIT_PER_MINUTE: String(SIGN_IN_LIMIT),
  TRUSTED_PROXY_HOPS: "1",
  ACTIONS_RATE_LIMIT_PER_MINUTE: "3",
};

const CHAIN_ID = uniqueChainId();
let t: TestChain;
let tmpDir: string;
let deploymentFile: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  t = await startTestChain({ chainId: CHAIN_ID });
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "api-auth-"));
  deploymentFile = writeDeployment(t.deployment, path.join(tmpDir, "deployment.json"));
  for (const b of backends.filter((x) => x.enabled)) {
    ponders.set(b.name, await startPonder({ deploymentFile, database: b.database, env: AUTH_ENV }));
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await t?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable) dropSyncRows(PG_URL, CHAIN_ID);
});

type Reply = { status: number; body: any; headers: Headers };

async function call(url: string, init?: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left as text so the assertion shows it
  }
  return { status: res.status, body, headers: res.headers };
}

function expectError(r: Reply, status: number, code: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body?.error?.code, JSON.stringify(r.body)).toBe(code);
  expect(r.body.error.message.length).toBeGreaterThan(0);
}

const fresh = (): LocalAccount => privateKeyToAccount(generatePrivateKey());

/** A request with a Host header of the caller's choice, as a relaying site sends it. */
function withHost(url: string, host: string, method: "GET" | "POST", p: string, body?: unknown): Promise<Reply> {
  const u = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host, ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}) };
    const r = http.request({ host: u.hostname, port: u.port, method, path: p, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()), headers: new Headers(res.headers as Record<string, string>) }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(payload);
  });
}

describe.each(backends)("sign-in on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const api = () => ponders.get(name)!.url;

  run("the full flow: nonce → signed EIP-4361 message → token → /api/auth/me, with the configured roles", async () => {
    const n = await getSignInNonce(api());
    expect(n.chainId).toBe(CHAIN_ID);
    expect(n.domain).toBe(new URL(api()).host);
    expect(n.nonce).toMatch(/^[a-zA-Z0-9]{8,}$/);
    const ttl = Date.parse(n.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);

    const owner = roleAccount("owner");
    const message = siweMessage(api(), owner, n);
    const r = await call(`${api()}/api/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message, signature: await owner.signMessage({ message }) }) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.address).toBe(getAddress(owner.address));
    expect(r.body.roles).toEqual(["admin"]);
    expect(r.body.token.split(".")).toHaveLength(3);
    expect(Date.parse(r.body.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);

    expect((await call(`${api()}/api/auth/me`, { headers: bearer(r.body.token) })).body).toEqual({ address: getAddress(owner.address), roles: ["admin"] });
    for (const [role, expected] of [["operator", ["operator"]], ["validator", ["validator"]], ["signer", []]] as const) {
      const token = await signIn(api(), roleAccount(role));
      expect((await call(`${api()}/api/auth/me`, { headers: bearer(token) })).body.roles, role).toEqual(expected);
    }
    const stranger = fresh();
    expect((await call(`${api()}/api/auth/me`, { headers: bearer(await signIn(api(), stranger)) })).body).toEqual({ address: stranger.address, roles: [] });
  });

  run("no token, a garbage token, a malformed header, an expired token and a foreign secret's token → 401", async () => {
    const me = `${api()}/api/auth/me`;
    const r = await call(me);
    expectError(r, 401, "unauthorized");
    expect(r.headers.get("www-authenticate")).toContain("Bearer");
    expectError(await call(me, { headers: { authorization: "Bearer garbage" } }), 401, "invalid_token");
    expectError(await call(me, { headers: { authorization: "Bearer a.b.c" } }), 401, "invalid_token");
    expectError(await call(me, { headers: { authorization: "Basic dXNlcjpwYXNz" } }), 401, "invalid_token");
    expectError(await call(me, { headers: { authorization: "Bearer" } }), 401, "invalid_token");
    const owner = getAddress(roleAccount("owner").address);
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await sign({ sub: owner, roles: ["admin"], iat: past - 900, exp: past }, SECRET, "HS256");
    expectError(await call(me, { headers: bearer(expired) }), 401, "token_expired");
    const foreign = await sign({ sub: owner, roles: ["admin"], iat: past, exp: past + 3600 }, "another-secret-another-secret-another-secret", "HS256");
    expectError(await call(me, { headers: bearer(foreign) }), 401, "invalid_token");
    // A valid token's claims cannot be edited: the signature covers them.
    const token = await signIn(api(), fresh());
    const [h, , s] = token.split(".");
    const claims = Buffer.from(JSON.stringify({ sub: owner, roles: ["admin"], iat: past, exp: past + 3600 })).toString("base64url");
    expectError(await call(me, { headers: bearer(`${h}.${claims}.${s}`) }), 401, "invalid_token");
  });

  run("sign-in requests are rate-limited per client IP, taken from the trusted proxy's X-Forwarded-For entry", async () => {
    // Start early in a one-minute window: a previous window's share would make the count an estimate.
    const second = (Date.now() / 1000) % 60;
    if (second > 40) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const client = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const nonce = (forwardedFor: string) => fetch(`${api()}/api/auth/nonce`, { headers: { "x-forwarded-for": forwardedFor } });
    for (let i = 0; i < SIGN_IN_LIMIT; i++) {
      // Whatever the client puts left of the proxy's entry is not its identity.
      const res = await nonce(i % 2 ? client : `10.0.${i % 250}.1, ${client}`);
      expect(res.status, `request ${i + 1}`).toBe(200);
      await res.arrayBuffer();
    }
    const refused = await nonce(`198.51.100.7, ${client}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as any).error.code).toBe("rate_limited");
    // verify counts against the same limit.
    const verify = await fetch(`${api()}/api/auth/verify`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": client }, body: "{}" });
    expect(verify.status).toBe(429);
    // Another client, and requests without the header (the socket's address), are not affected.
    expect((await nonce(client.replace(/\d+$/, (n) => String((Number(n) % 250) + 1)))).status).toBe(200);
    expect((await getSignInNonce(api())).nonce).toBeTruthy();
  });

  run("an IPv6 client is one client per /64: new addresses in its prefix share its budget, another prefix does not", async () => {
    const second = (Date.now() / 1000) % 60;
    if (second > 40) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    const nonce = (ip: string) => fetch(`${api()}/api/auth/nonce`, { headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < SIGN_IN_LIMIT; i++) {
      const res = await nonce(`${prefix}:${(i + 1).toString(16)}::${((i * 7919) % 0xffff).toString(16)}`);
      expect(res.status, `request ${i + 1}`).toBe(200);
      await res.arrayBuffer();
    }
    const refused = await nonce(`${prefix}:ffff:ffff:ffff:ffff`);
    expect(refused.status).toBe(429);
    await refused.arrayBuffer();
    const neighbour = await nonce(`${prefix.replace(/:1$/, ":2")}::1`);
    expect(neighbour.status).toBe(200);
    await neighbour.arrayBuffer();
  });

  run("a smart-contract wallet signs in with its owner's ERC-1271 signature; a stranger's signature for it does not", async () => {
    const owner = fresh();
    const deployer = t.actor(20);
    const hash = await t.wallet(deployer).deployContract({ abi: abis.TestSmartWallet, bytecode: bytecode("TestSmartWallet"), args: [owner.address] });
    const wallet = (await t.mined(hash)).contractAddress!;
    const n = await getSignInNonce(api());
    const message = siweMessage(api(), { address: wallet }, n);
    // A stranger's signature is refused (by the wallet) and does not burn the nonce.
    const refused = await postVerify(api(), message, await fresh().signMessage({ message }));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).error.code).toBe("bad_signature");
    const res = await postVerify(api(), message, await owner.signMessage({ message }));
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.address).toBe(getAddress(wallet));
    expect((await call(`${api()}/api/auth/me`, { headers: bearer(body.token) })).body).toEqual({ address: getAddress(wallet), roles: [] });
    // The owner's own address is not the wallet: an address with no code needs its own key's signature.
    const m2 = siweMessage(api(), { address: fresh().address }, await getSignInNonce(api()));
    expect((await postVerify(api(), m2, await owner.signMessage({ message: m2 }))).status).toBe(401);
  });

  run("the wrong role → 403; roles come from the configuration, not from the token's claims", async () => {
    const list = `${api()}/api/authorizations`;
    const userToken = await signIn(api(), fresh());
    expectError(await call(list, { headers: bearer(userToken) }), 403, "forbidden");
    expectError(await call(list), 401, "unauthorized");
    expectError(await call(list, { headers: bearer(await signIn(api(), roleAccount("operator"))) }), 403, "forbidden");
    const admin = await call(list, { headers: bearer(await signIn(api(), roleAccount("owner"))) });
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
    expect(Array.isArray(admin.body.items)).toBe(true);
    // A correctly signed token claiming "admin" for a non-admin still gets 403.
    const now = Math.floor(Date.now() / 1000);
    const claimsAdmin = await sign({ sub: fresh().address, roles: ["admin"], iat: now, exp: now + 600 }, SECRET, "HS256");
    expectError(await call(list, { headers: bearer(claimsAdmin) }), 403, "forbidden");
  });

  run("a sign-in message replayed → 401 nonce_used, also when replayed concurrently (exactly one wins)", async () => {
    const account = fresh();
    const n = await getSignInNonce(api());
    const message = siweMessage(api(), account, n);
    const signature = await account.signMessage({ message });
    expect((await postVerify(api(), message, signature)).status).toBe(200);
    expectError(await call(`${api()}/api/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message, signature }) }), 401, "nonce_used");

    const n2 = await getSignInNonce(api());
    const m2 = siweMessage(api(), account, n2);
    const s2 = await account.signMessage({ message: m2 });
    const results = await Promise.all(Array.from({ length: 8 }, () => postVerify(api(), m2, s2).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect([r.status, r.body.error.code]).toEqual([401, "nonce_used"]);
  });

  run("sign-out: the token is refused from then on (401 token_revoked), other tokens of the address are not", async () => {
    const account = fresh();
    const [token, other] = [await signIn(api(), account), await signIn(api(), account)];
    const me = (t: string) => call(`${api()}/api/auth/me`, { headers: bearer(t) });
    expect((await me(token)).status).toBe(200);
    const out = await call(`${api()}/api/auth/logout`, { method: "POST", headers: bearer(token) });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body).toMatchObject({ signedOut: true, address: account.address });
    expect(Date.parse(out.body.until)).toBeGreaterThan(Date.now());
    expectError(await me(token), 401, "token_revoked");
    expectError(await call(`${api()}/api/auth/logout`, { method: "POST", headers: bearer(token) }), 401, "token_revoked");
    expectError(await call(`${api()}/api/sign/booking`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: "{}" }), 401, "token_revoked");
    expect((await me(other)).status).toBe(200);
    expectError(await call(`${api()}/api/auth/logout`, { method: "POST" }), 401, "unauthorized");
  });

  run("a replayed write returns the recorded action without spending the caller's budget, even once the budget is spent", async () => {
    const second = (Date.now() / 1000) % 60;
    if (second > 40) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const token = await signIn(api(), roleAccount("owner"));
    const post = (key: string, body: unknown) =>
      call(`${api()}/api/actions/events`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(body) });
    const event = (name: string) => ({ organizer: fresh().address, price: "1000", capacity: "5", metadata: { name } });
    const run = `replay-${name}-${Date.now()}`;
    const body = event(run);
    const first = await post(`${run}-1`, body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get("x-ratelimit-remaining")).toBe("2");
    const replays = await Promise.all(Array.from({ length: 5 }, () => post(`${run}-1`, body)));
    for (const r of replays) expect([r.status, r.body.id ?? r.body.error?.code], JSON.stringify(r.body)).toEqual([200, first.body.id]);
    expect((await post(`${run}-2`, event(`${run}-2`))).status).toBe(201);
    expect((await post(`${run}-3`, event(`${run}-3`))).status).toBe(201);
    expectError(await post(`${run}-4`, event(`${run}-4`)), 429, "rate_limited");
    // Spent: a new action is refused, a replay is still answered with what was recorded.
    const late = await post(`${run}-1`, body);
    expect([late.status, late.body.id]).toEqual([200, first.body.id]);
  });

  run("a sign-in relayed from another site is refused whatever Host the relay sends: domain and URI come from the configuration", async () => {
    const owner = roleAccount("owner");
    const evil = "evil.example";
    const n = (await withHost(api(), evil, "GET", "/api/auth/nonce")).body as Awaited<ReturnType<typeof getSignInNonce>>;
    // The suggested domain is this machine's, not the Host asked with.
    expect(n.domain).toBe(`localhost:${new URL(api()).port}`);
    const signed = async (over: Parameters<typeof siweMessage>[3]) => {
      const message = siweMessage(api(), owner, n, over);
      return { message, signature: await owner.signMessage({ message }) };
    };
    // The phishing page's own domain and URI, which the wallet signs without a warning.
    expectError(await withHost(api(), evil, "POST", "/api/auth/verify", await signed({ domain: evil, uri: `https://${evil}/login` })), 401, "domain_mismatch");
    expectError(await withHost(api(), evil, "POST", "/api/auth/verify", await signed({ domain: `${evil}:${new URL(api()).port}`, uri: api() })), 401, "domain_mismatch");
    // Our domain, but a URI elsewhere.
    expectError(await withHost(api(), evil, "POST", "/api/auth/verify", await signed({ uri: `https://${evil}` })), 401, "uri_mismatch");
    // None of these used the nonce: the genuine message signs in, whatever Host it is relayed with.
    const genuine = await withHost(api(), evil, "POST", "/api/auth/verify", await signed({}));
    expect(genuine.status, JSON.stringify(genuine.body)).toBe(200);
    expect(genuine.body.roles).toEqual(["admin"]);
  });

  run("wrong domain, chain id, signature, nonce or time → 401 with the reason; a forged attempt does not burn the nonce", async () => {
    const account = fresh();
    const verify = async (message: string, signer: LocalAccount = account) => {
      const r = await postVerify(api(), message, await signer.signMessage({ message }));
      return { status: r.status, body: (await r.json()) as any, headers: r.headers };
    };
    const n = await getSignInNonce(api());
    expectError(await verify(siweMessage(api(), account, n, { domain: "evil.example.com" })), 401, "domain_mismatch");
    expectError(await verify(siweMessage(api(), account, n, { chainId: CHAIN_ID + 1 })), 401, "chain_mismatch");
    expectError(await verify(siweMessage(api(), account, n), fresh()), 401, "bad_signature");
    expectError(await verify(siweMessage(api(), account, n, { nonce: "abcdef0123456789abcdef" })), 401, "nonce_unknown");
    expectError(await verify(siweMessage(api(), account, n, { issuedAt: new Date(Date.now() + 3600_000) })), 401, "issued_at_in_future");
    expectError(await verify(siweMessage(api(), account, n, { issuedAt: new Date(Date.now() - 3600_000) })), 401, "issued_before_nonce");
    expectError(await verify(siweMessage(api(), account, n, { expirationTime: new Date(Date.now() - 1000) })), 401, "message_expired");
    // Every refusal above left the nonce unused: the genuine message still signs in.
    expect((await verify(siweMessage(api(), account, n))).status).toBe(200);

    const post = (body: unknown) => call(`${api()}/api/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
    expectError(await post({ message: "hello", signature: "0x1234" }), 400, "invalid_siwe_message");
    const missing = await post({ message: "hello" });
    expectError(missing, 400, "invalid_request");
    expect(missing.body.error.message).toContain("signature");
    const badSig = await post({ message: "hello", signature: "nothex" });
    expectError(badSig, 400, "invalid_request");
    expect(badSig.body.error.message).toContain("signature");
    expect((await post("{not json")).status).toBe(400);
    expect((await post([1, 2])).status).toBe(400);
  });
});

describe("resource roles", () => {
  // Read with the API's own functions over the onchain tables Ponder wrote (PostgreSQL: the schema
  // can be read while Ponder runs; PGlite's directory belongs to the running process).
  const run = pgAvailable ? it : it.skip;
  run("organizer of an indexed event, merchant (creator) of an indexed QR order, in any letter case; nobody else", async () => {
    const ponder = ponders.get("postgres")!;
    const organizer = fresh();
    const payer = roleAccount("validator"); // any funded account without a QR order
    const { USDT } = t.deployment.tokens;
    const owner = t.wallet(t.role("owner"));
    const eventId = 4_242_001n;
    await t.mined(await owner.writeContract({ address: t.deployment.contracts.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "createEvent", args: [eventId, 10n, parseEther("0.01"), organizer.address] }));
    const w = t.wallet(payer);
    await t.mined(await w.writeContract({ address: USDT, abi: abis.TestToken, functionName: "mint", args: [payer.address, parseUnits("1000", 6)] }));
    await t.mined(await w.writeContract({ address: USDT, abi: abis.TestToken, functionName: "approve", args: [t.deployment.contracts.QRPayment.address, maxUint256] }));
    const receipt = await t.mined(await w.writeContract({ address: t.deployment.contracts.QRPayment.address, abi: abis.QRPayment, functionName: "payQR", args: [USDT, parseUnits("15000", 18), "AUTH-1", "REF-AUTH"] }));
    await ponder.waitForBlock(receipt.blockNumber);
    const hash = orderDataHash("AUTH-1", "REF-AUTH", USDT, payer.address);

    const pool = new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${ponder.schema}`, max: 2 });
    try {
      const deps = { db: drizzle(pool, { schema: onchain }), schema: onchain } as unknown as ReadDeps;
      expect(await isOrganizer(deps, CHAIN_ID, organizer.address, eventId)).toBe(true);
      expect(await isOrganizer(deps, CHAIN_ID, organizer.address.toLowerCase(), eventId)).toBe(true);
      expect(await isOrganizer(deps, CHAIN_ID, payer.address, eventId)).toBe(false);
      expect(await isOrganizer(deps, CHAIN_ID, organizer.address, eventId + 1n)).toBe(false);
      expect(await isMerchant(deps, CHAIN_ID, payer.address, hash)).toBe(true);
      expect(await isMerchant(deps, CHAIN_ID, payer.address.toLowerCase(), hash.toUpperCase().replace("0X", "0x") as `0x${string}`)).toBe(true);
      expect(await isMerchant(deps, CHAIN_ID, organizer.address, hash)).toBe(false);
      expect(await isMerchant(deps, CHAIN_ID, payer.address, `0x${"cd".repeat(32)}`)).toBe(false);
    } finally {
      await pool.end();
    }
  });
});

describe("start-up outside the local network", () => {
  // PGlite only: these are about configuration, not the database.
  it("without AUTH_SECRET Ponder stops at start-up with a message naming it", async () => {
    const err = await startPonder({ deploymentFile, env: { ...AUTH_ENV, AUTH_SECRET: "", PONDER_NETWORK: "staging", PONDER_RPC_URL: t.anvil.rpcUrl }, readyTimeoutMs: 60_000 }).then(
      async (p) => {
        await p.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/AUTH_SECRET is required for network "staging"/);
  });

  it("without SIWE_DOMAIN Ponder stops at start-up with a message naming it", async () => {
    const err = await startPonder({ deploymentFile, env: { ...AUTH_ENV, PONDER_NETWORK: "staging", PONDER_RPC_URL: t.anvil.rpcUrl }, readyTimeoutMs: 60_000 }).then(
      async (p) => {
        await p.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/SIWE_DOMAIN is required for network "staging"/);
  });

  it("with AUTH_SECRET and SIWE_DOMAIN: sign-ins for that site only, no dev roles, and the signing routes answer 503 signer_not_configured", async () => {
    const site = "app.example.test";
    const p = await startPonder({ deploymentFile, env: { ...AUTH_ENV, SIWE_DOMAIN: site, PONDER_NETWORK: "staging", PONDER_RPC_URL: t.anvil.rpcUrl } });
    try {
      const owner = roleAccount("owner");
      const n = await getSignInNonce(p.url);
      expect(n.domain).toBe(site);
      const verify = async (over: Parameters<typeof siweMessage>[3]) => {
        const message = siweMessage(p.url, owner, n, over);
        return call(`${p.url}/api/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message, signature: await owner.signMessage({ message }) }) });
      };
      // The API's own address is not the site: a message naming it is refused (a relay's Host would match it).
      expectError(await verify({ domain: new URL(p.url).host, uri: p.url }), 401, "domain_mismatch");
      expectError(await verify({ domain: site, uri: p.url }), 401, "uri_mismatch");
      const r = await verify({ domain: site, uri: `https://${site}/sign-in` });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const token = r.body.token as string;
      expect((await call(`${p.url}/api/auth/me`, { headers: bearer(token) })).body.roles).toEqual([]);
      const signing = await call(`${p.url}/api/sign/booking`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify({ provider: fresh().address, amount: "1000000" }) });
      expectError(signing, 503, "signer_not_configured");
    } finally {
      await p.stop();
    }
  });
});

// ------------------------------------------------------------------------------------ the store
// Two "replicas" (two stores on one PostgreSQL schema) race on the shared rows. The modules are
// imported after OFFCHAIN_SCHEMA is set: the drizzle tables take the schema name when they load.
const STORE_SCHEMA = uniqueSchema("authstore");
process.env.OFFCHAIN_SCHEMA = STORE_SCHEMA;
const storeDirs: string[] = [];
afterAll(() => {
  for (const d of storeDirs) rmSync(d, { recursive: true, force: true });
  if (pgAvailable) dropPostgresSchema(PG_URL, STORE_SCHEMA);
});

describe.each(backends)("auth store on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const openPair = async () => {
    const { openStore } = await import("../../api/store/db.js");
    if (name === "postgres") {
      const env = { DATABASE_URL: PG_URL, OFFCHAIN_SCHEMA: STORE_SCHEMA };
      return [await openStore(env), await openStore(env)] as const;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), "auth-store-"));
    storeDirs.push(dir);
    // PGlite is one process per directory: both "replicas" are the one store.
    const one = await openStore({ OFFCHAIN_PGLITE_DIR: path.join(dir, "db"), OFFCHAIN_SCHEMA: STORE_SCHEMA });
    return [one, one] as const;
  };

  run("rate-limit counters: concurrent requests from two replicas count 1..N exactly once each, per client and window, never past what is allowed", async () => {
    const { countIfAllowed } = await import("../../api/auth/rate-limit.js");
    const [a, b] = await openPair();
    const window = { start: 1_000_020, end: 1_000_080 };
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => countIfAllowed(i % 2 ? a : b, `t-${name}`, "0xclient", window, 30)));
    expect(counts.filter((n) => n !== null).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(counts.filter((n) => n === null)).toHaveLength(10);
    expect(await countIfAllowed(a, `t-${name}`, "0xclient", window, 31)).toBe(31);
    expect(await countIfAllowed(a, `t-${name}`, "0xother", window, 30)).toBe(1);
    expect(await countIfAllowed(b, `t-${name}`, "0xclient", { start: 1_000_080, end: 1_000_140 }, 30)).toBe(1);
    expect(await countIfAllowed(b, `t-${name}`, "0xfresh", window, 0), "nothing allowed: nothing written").toBeNull();
    expect(await countIfAllowed(b, `t-${name}`, "0xfresh", window, 1)).toBe(1);
    await a.close();
    if (b !== a) await b.close();
  });

  run("a refused request does not extend the wait: Retry-After holds still while refused, and a request passes once it has elapsed", async () => {
    const { rateLimit } = await import("../../api/auth/rate-limit.js");
    const { Hono } = await import("hono");
    const [a, b] = await openPair();
    let clock = Date.UTC(2026, 0, 1, 12, 0, 10); // 10 s into a minute
    const replica = (store: typeof a) => {
      const app = new Hono();
      app.use(rateLimit({ name: `refusals-${name}`, limit: 3, windowSeconds: 60, key: () => "0xclient", store: async () => store, now: () => clock }));
      app.get("/", (c) => c.text("ok"));
      return app;
    };
    const apps = [replica(a), replica(b)];
    const ask = async (i: number) => {
      const res = await apps[i % 2]!.request("/");
      return { status: res.status, retryAfter: res.headers.get("retry-after"), remaining: res.headers.get("x-ratelimit-remaining") };
    };
    const passed = [await ask(0), await ask(1), await ask(0)];
    expect(passed.map((r) => [r.status, r.remaining])).toEqual([[200, "2"], [200, "1"], [200, "0"]]);
    const refused: Awaited<ReturnType<typeof ask>>[] = [];
    for (let i = 0; i < 8; i++) {
      refused.push(await ask(i));
      clock += 1000;
    }
    expect(refused.map((r) => r.status)).toEqual(Array(8).fill(429));
    // A second later, a second less to wait: the refusals themselves added nothing.
    const waits = refused.map((r) => Number(r.retryAfter));
    expect(waits[0]).toBeGreaterThan(8);
    expect(waits).toEqual(waits.map((_, i) => waits[0]! - i));
    clock += (waits[7]! - 1) * 1000;
    expect((await ask(0)).status, "once Retry-After has passed, one more request passes").toBe(200);
    expect((await ask(1)).status).toBe(429);
    await a.close();
    if (b !== a) await b.close();
  });

  run("a sign-in nonce consumed concurrently from two replicas is consumed once", async () => {
    const { issueNonce, consumeNonce } = await import("../../api/auth/nonces.js");
    const [a, b] = await openPair();
    const now = new Date();
    const { nonce } = await issueNonce(a, now);
    const verdicts = await Promise.all(Array.from({ length: 12 }, (_, i) => consumeNonce(i % 2 ? a : b, nonce, now, "0xabc", now)));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(1);
    for (const v of verdicts.filter((x) => !x.ok)) expect(v).toMatchObject({ code: "nonce_used" });
    expect(await consumeNonce(a, "neverissued0123", now, "0xabc", now)).toMatchObject({ ok: false, code: "nonce_unknown" });
    await a.close();
    if (b !== a) await b.close();
  });

  run("a token signed out on one replica is refused on the other, until it expires; then the record is pruned", async () => {
    const { revokeToken, isRevoked } = await import("../../api/auth/revocations.js");
    const [a, b] = await openPair();
    const now = new Date();
    const token = `token-${Math.random()}`;
    expect(await isRevoked(b, token)).toBe(false);
    await Promise.all([revokeToken(a, token, "0xAbC", new Date(now.getTime() + 60_000), now), revokeToken(b, token, "0xabc", new Date(now.getTime() + 60_000), now)]);
    expect([await isRevoked(a, token), await isRevoked(b, token), await isRevoked(b, `${token}x`)]).toEqual([true, true, false]);
    // Later, another sign-out prunes the records whose tokens have expired.
    await revokeToken(b, `${token}-later`, "0xabc", new Date(now.getTime() + 30 * 60_000), new Date(now.getTime() + 20 * 60_000));
    expect(await isRevoked(a, token)).toBe(false);
    await a.close();
    if (b !== a) await b.close();
  });

  run("signing nonces from two replicas never repeat, and a wiped store's nonces stay above the old ones", async () => {
    const { allocateNonce } = await import("../../api/signing/nonce.js");
    const [a, b] = await openPair();
    const nonces = await Promise.all(Array.from({ length: 200 }, (_, i) => allocateNonce(i % 2 ? a : b)));
    expect(new Set(nonces).size).toBe(200);
    const highest = nonces.reduce((x, y) => (y > x ? y : x));
    await a.close();
    if (b !== a) await b.close();
    // Wipe: the store starts from scratch (sequence back at 1), later.
    if (name === "postgres") dropPostgresSchema(PG_URL, STORE_SCHEMA);
    const [c, d] = await openPair();
    const after = await allocateNonce(c);
    expect(after > highest).toBe(true);
    await c.close();
    if (d !== c) await d.close();
  });
});
