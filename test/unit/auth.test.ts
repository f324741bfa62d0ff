// Sign-in rules without I/O: configuration parsing, EIP-4361 message checks, nonce verdicts,
// tokens, rate-limit windows.
import { sign } from "hono/jwt";
import { getAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { parseAddressList, parseAuthConfig, rolesOf } from "../../api/auth/config.js";
import { DEV_AUTH_SECRET } from "../../config/dev-server.js";
import { fixedWindow, retryAfterSeconds, slidingCount } from "../../api/auth/rate-limit.js";
import { checkSiweMessage, MAX_CLOCK_SKEW_MS, nonceVerdict, type SiwePolicy } from "../../api/auth/siwe.js";
import { checkToken, issueToken } from "../../api/auth/token.js";
import { roleAccount } from "../../config/accounts.js";

const LOCAL = { name: "local", chainId: 31337 };
const REMOTE = { name: "base-sepolia", chainId: 84532 };
const SECRET = "x".repeat(32);
const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";

describe("auth config", () => {
  it("local network: dev secret (with a warning), dev role accounts and dev signer", () => {
    const c = parseAuthConfig({}, LOCAL);
    expect(c.secret).toBe(DEV_AUTH_SECRET);
    expect(c.warnings.join(" ")).toContain("AUTH_SECRET");
    expect(c.roles.admin).toEqual([getAddress(roleAccount("owner").address)]);
    expect(c.roles.operator).toEqual([getAddress(roleAccount("operator").address)]);
    expect(c.roles.validator).toEqual([getAddress(roleAccount("validator").address)]);
    expect(privateKeyToAccount(c.signerPrivateKey!).address).toBe(roleAccount("signer").address);
    expect([c.tokenTtlSeconds, c.signingRateLimitPerMinute, c.network.local]).toEqual([900, 10, true]);
    expect(c.siwe).toEqual({ domains: "loopback", uriOrigins: "loopback" });
    expect([c.signInRateLimitPerMinute, c.trustedProxyHops]).toEqual([30, 0]);
    const tuned = parseAuthConfig({ SIGN_IN_RATE_LIMIT_PER_MINUTE: "5", TRUSTED_PROXY_HOPS: "2" }, LOCAL);
    expect([tuned.signInRateLimitPerMinute, tuned.trustedProxyHops]).toEqual([5, 2]);
  });

  it("elsewhere AUTH_SECRET is required, no dev roles and no signer by default", () => {
    expect(() => parseAuthConfig({}, REMOTE)).toThrow(/AUTH_SECRET is required for network "base-sepolia"/);
    expect(() => parseAuthConfig({ AUTH_SECRET: "   " }, REMOTE)).toThrow(/AUTH_SECRET/);
    expect(() => parseAuthConfig({ AUTH_SECRET: SECRET }, REMOTE)).toThrow(/SIWE_DOMAIN is required for network "base-sepolia"/);
    const c = parseAuthConfig({ AUTH_SECRET: SECRET, SIWE_DOMAIN: "app.example.com" }, REMOTE);
    expect(c.siwe).toEqual({ domains: ["app.example.com"], uriOrigins: ["https://app.example.com"] });
    expect(c.roles).toEqual({ admin: [], operator: [], validator: [] });
    expect(c.signerPrivateKey).toBeNull();
    expect(c.warnings).toEqual([]);
    expect(() => parseAuthConfig({ AUTH_SECRET: DEV_AUTH_SECRET }, REMOTE)).toThrow(/public dev secret/);
  });

  it("a short secret, malformed numbers, keys, domains and role lists are start-up errors naming the variable", () => {
    expect(() => parseAuthConfig({ AUTH_SECRET: "short" }, LOCAL)).toThrow(/AUTH_SECRET must be at least 32/);
    expect(() => parseAuthConfig({ AUTH_TOKEN_TTL_SECONDS: "10" }, LOCAL)).toThrow(/AUTH_TOKEN_TTL_SECONDS/);
    expect(() => parseAuthConfig({ AUTH_TOKEN_TTL_SECONDS: "9e9" }, LOCAL)).toThrow(/AUTH_TOKEN_TTL_SECONDS/);
    expect(() => parseAuthConfig({ SIGNING_RATE_LIMIT_PER_MINUTE: "0" }, LOCAL)).toThrow(/SIGNING_RATE_LIMIT_PER_MINUTE/);
    expect(() => parseAuthConfig({ SIGNING_RATE_LIMIT_PER_MINUTE: "1.5" }, LOCAL)).toThrow(/SIGNING_RATE_LIMIT_PER_MINUTE/);
    expect(() => parseAuthConfig({ SIGN_IN_RATE_LIMIT_PER_MINUTE: "0" }, LOCAL)).toThrow(/SIGN_IN_RATE_LIMIT_PER_MINUTE/);
    expect(() => parseAuthConfig({ TRUSTED_PROXY_HOPS: "-1" }, LOCAL)).toThrow(/TRUSTED_PROXY_HOPS/);
    expect(() => parseAuthConfig({ TRUSTED_PROXY_HOPS: "11" }, LOCAL)).toThrow(/TRUSTED_PROXY_HOPS/);
    expect(() => parseAuthConfig({ SIGNER_PRIVATE_KEY: "0x1234" }, LOCAL)).toThrow(/SIGNER_PRIVATE_KEY/);
    expect(() => parseAuthConfig({ SIGNER_PRIVATE_KEY: `0x${"0".repeat(64)}` }, LOCAL)).toThrow(/SIGNER_PRIVATE_KEY/);
    expect(() => parseAuthConfig({ SIWE_DOMAIN: "https://app.example.com/" }, LOCAL)).toThrow(/SIWE_DOMAIN/);
    expect(() => parseAuthConfig({ SIWE_DOMAIN: "app.example.com, evil/path" }, LOCAL)).toThrow(/SIWE_DOMAIN.*"evil\/path"/);
    for (const origin of ["app.example.com", "https://app.example.com/login", "ftp://app.example.com", "https://app.example.com?x=1"]) {
      expect(() => parseAuthConfig({ SIWE_URI_ORIGINS: origin }, LOCAL), origin).toThrow(/SIWE_URI_ORIGINS/);
    }
    expect(() => parseAuthConfig({ ADMIN_ADDRESSES: `${A},0x123` }, LOCAL)).toThrow(/ADMIN_ADDRESSES: "0x123"/);
    // A wrong EIP-55 checksum is a typo, not an address.
    expect(() => parseAuthConfig({ OPERATOR_ADDRESSES: A.replace("C5", "c5") }, LOCAL)).toThrow(/OPERATOR_ADDRESSES/);
    expect(() => parseAuthConfig({ VALIDATOR_ADDRESSES: "nope" }, REMOTE)).toThrow(/AUTH_SECRET|VALIDATOR_ADDRESSES/);
  });

  it("role lists: any letter case, spaces, duplicates and empty items; values override the dev defaults", () => {
    const c = parseAuthConfig({ ADMIN_ADDRESSES: ` ${A.toLowerCase()} , ${B},,${A}`, SIWE_DOMAIN: "app.example.com:8443", AUTH_TOKEN_TTL_SECONDS: "120", SIGNING_RATE_LIMIT_PER_MINUTE: "100" }, LOCAL);
    expect(c.roles.admin).toEqual([A, B]);
    expect([c.siwe.domains, c.tokenTtlSeconds, c.signingRateLimitPerMinute]).toEqual([["app.example.com:8443"], 120, 100]);
    expect(rolesOf(c, B.toLowerCase())).toEqual(["admin"]);
    expect(rolesOf(c, roleAccount("owner").address)).toEqual([]);
    expect(rolesOf(c, roleAccount("operator").address)).toEqual(["operator"]);
    expect(parseAddressList("", "X")).toEqual([]);
    const key = generatePrivateKey();
    expect(parseAuthConfig({ AUTH_SECRET: SECRET, SIWE_DOMAIN: "app.example.com", SIGNER_PRIVATE_KEY: key }, REMOTE).signerPrivateKey).toBe(key);
  });
});

describe("EIP-4361 message checks", () => {
  const now = new Date("2026-11-20T12:00:00.000Z");
  const expected = { policy: { domains: ["api.example.com"], uriOrigins: ["https://api.example.com"] } as SiwePolicy, chainIds: [84532, 8453], now };
  const message = (over: Partial<Parameters<typeof createSiweMessage>[0]> = {}) =>
    createSiweMessage({ domain: "api.example.com", address: A, uri: "https://api.example.com", version: "1", chainId: 84532, nonce: "abcdef0123456789", issuedAt: now, ...over });

  it("SIWE domains and URI origins: listed ones, derived origins (http too on loopback), or the loopback default", () => {
    const listed = parseAuthConfig({ SIWE_DOMAIN: "app.example.com, localhost:5173", SIWE_URI_ORIGINS: "" }, LOCAL).siwe;
    expect(listed).toEqual({ domains: ["app.example.com", "localhost:5173"], uriOrigins: ["https://app.example.com", "https://localhost:5173", "http://localhost:5173"] });
    const origins = parseAuthConfig({ SIWE_DOMAIN: "app.example.com", SIWE_URI_ORIGINS: "https://app.example.com:443/, https://www.example.com" }, LOCAL).siwe;
    expect(origins.uriOrigins).toEqual(["https://app.example.com", "https://www.example.com"]);
    expect(parseAuthConfig({ SIWE_URI_ORIGINS: "http://localhost:3000" }, LOCAL).siwe).toEqual({ domains: "loopback", uriOrigins: ["http://localhost:3000"] });
  });

  it("a relayed message is refused whatever the request says: the domain and URI are checked against the policy", () => {
    const code = (m: string, policy: SiwePolicy) => {
      const r = checkSiweMessage(m, { ...expected, policy });
      return r.ok ? "ok" : r.code;
    };
    const loopback: SiwePolicy = { domains: "loopback", uriOrigins: "loopback" };
    for (const [domain, uri] of [["localhost:42069", "http://localhost:42069"], ["127.0.0.1:5173", "http://127.0.0.1:5173/app"], ["localhost", "https://localhost"]]) {
      expect(code(message({ domain, uri }), loopback), domain).toBe("ok");
    }
    expect(code(message({ domain: "evil.example", uri: "http://localhost:42069" }), loopback)).toBe("domain_mismatch");
    expect(code(message({ domain: "192.168.1.5:42069", uri: "http://localhost:42069" }), loopback)).toBe("domain_mismatch");
    expect(code(message({ domain: "localhost.evil.example", uri: "http://localhost" }), loopback)).toBe("domain_mismatch");
    expect(code(message({ domain: "localhost:42069", uri: "https://evil.example" }), loopback)).toBe("uri_mismatch");
    expect(code(message({ domain: "localhost:42069", uri: "urn:x:y" }), loopback)).toBe("uri_mismatch");
    // Listed: the domain in any letter case; the URI at a listed origin, any path.
    expect(code(message({ domain: "API.example.com", uri: "https://api.example.com/sign-in?x=1" }), expected.policy)).toBe("ok");
    expect(code(message({ uri: "http://api.example.com" }), expected.policy)).toBe("uri_mismatch");
    expect(code(message({ uri: "https://api.example.com.evil.example" }), expected.policy)).toBe("uri_mismatch");
    expect(code(message({ domain: "api.example.com:8443" }), expected.policy)).toBe("domain_mismatch");
  });

  it("accepts a well-formed message for this domain and chain", () => {
    const r = checkSiweMessage(message({ expirationTime: new Date(now.getTime() + 60_000), statement: "Sign in." }), expected);
    expect(r).toEqual({ ok: true, value: { address: A, nonce: "abcdef0123456789", issuedAt: now, chainId: 84532, domain: "api.example.com" } });
  });

  it("refuses each wrong field with its own code", () => {
    const code = (m: string) => {
      const r = checkSiweMessage(m, expected);
      return r.ok ? "ok" : r.code;
    };
    expect(code(message({ domain: "evil.example.com" }))).toBe("domain_mismatch");
    expect(code(message({ chainId: 1 }))).toBe("chain_mismatch");
    // Any chain the API serves may be named (the wallet's current chain, if it is one of them).
    expect(code(message({ chainId: 8453 }))).toBe("ok");
    const other = checkSiweMessage(message({ chainId: 1 }), expected);
    expect(other.ok ? "" : other.message).toBe("the message is for chain 1, this API serves chains 84532, 8453");
    expect(code(message({ issuedAt: new Date(now.getTime() + MAX_CLOCK_SKEW_MS + 1000) }))).toBe("issued_at_in_future");
    expect(code(message({ issuedAt: new Date(now.getTime() + MAX_CLOCK_SKEW_MS - 1000) }))).toBe("ok");
    expect(code(message({ expirationTime: now }))).toBe("message_expired");
    expect(code(message({ notBefore: new Date(now.getTime() + 3600_000) }))).toBe("not_yet_valid");
    expect(code("hello")).toBe("invalid_siwe_message");
    expect(code("")).toBe("invalid_siwe_message");
    expect(code(message().replace("Version: 1", "Version: 2"))).toBe("invalid_siwe_message");
    expect(code(message().replace("Nonce: abcdef0123456789", "Nonce: abc"))).toBe("invalid_siwe_message");
    expect(code(message().replace(/Issued At: .*/, "Issued At: yesterday"))).toBe("invalid_siwe_message");
    expect(code(message() + "x".repeat(5000))).toBe("invalid_siwe_message");
  });

  it("nonce verdicts: unknown, used, expired, and a message older than its nonce", () => {
    const created = new Date(now.getTime() - 60_000);
    const fresh = { createdAt: created, expiresAt: new Date(created.getTime() + 300_000), usedAt: null };
    expect(nonceVerdict(fresh, now, now)).toEqual({ ok: true });
    expect(nonceVerdict(null, now, now)).toMatchObject({ ok: false, code: "nonce_unknown" });
    expect(nonceVerdict({ ...fresh, usedAt: now }, now, now)).toMatchObject({ ok: false, code: "nonce_used" });
    expect(nonceVerdict(fresh, now, new Date(created.getTime() + 300_000))).toMatchObject({ ok: false, code: "nonce_expired" });
    expect(nonceVerdict(fresh, new Date(created.getTime() - MAX_CLOCK_SKEW_MS - 1), now)).toMatchObject({ ok: false, code: "issued_before_nonce" });
    expect(nonceVerdict(fresh, new Date(created.getTime() - MAX_CLOCK_SKEW_MS + 1000), now)).toEqual({ ok: true });
  });
});

describe("tokens", () => {
  it("round-trip; expired, wrong secret, tampered, none-algorithm and subject-less tokens are refused", async () => {
    const now = new Date();
    const { token, expiresAt } = await issueToken(SECRET, A.toLowerCase() as `0x${string}`, ["admin"], 900, now);
    expect(expiresAt.getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000 + 900_000);
    expect(await checkToken(SECRET, token)).toMatchObject({ ok: true, address: A });
    expect(await checkToken("y".repeat(32), token)).toMatchObject({ ok: false, code: "invalid_token" });
    const [h, p, s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: B, roles: ["admin"], exp: 9e9 })).toString("base64url");
    expect(await checkToken(SECRET, `${h}.${forged}.${s}`)).toMatchObject({ ok: false, code: "invalid_token" });
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    expect(await checkToken(SECRET, `${none}.${p}.`)).toMatchObject({ ok: false, code: "invalid_token" });
    const past = Math.floor(Date.now() / 1000) - 10;
    expect(await checkToken(SECRET, await sign({ sub: A, roles: [], iat: past - 900, exp: past }, SECRET, "HS256"))).toMatchObject({ ok: false, code: "token_expired" });
    expect(await checkToken(SECRET, await sign({ roles: [], exp: past + 1000 }, SECRET, "HS256"))).toMatchObject({ ok: false, code: "invalid_token" });
    expect(await checkToken(SECRET, await sign({ sub: A }, SECRET, "HS256"))).toMatchObject({ ok: false, code: "invalid_token" });
    expect(await checkToken(SECRET, "garbage")).toMatchObject({ ok: false, code: "invalid_token" });
  });
});

describe("rate-limit windows", () => {
  it("align to the window length and say how long until the next one", () => {
    expect(fixedWindow(120_000, 60)).toEqual({ start: 120, end: 180 });
    expect(fixedWindow(179_999, 60)).toEqual({ start: 120, end: 180 });
    expect(fixedWindow(180_000, 60)).toEqual({ start: 180, end: 240 });
    expect(() => fixedWindow(0, 0)).toThrow(RangeError);
  });

  const w = { start: 120, end: 180 };
  it("count the last minute: the previous window's requests fade out as the window slides", () => {
    expect(slidingCount(0, 7, 150_000, w)).toBe(7);
    expect(slidingCount(10, 5, 150_000, w)).toBe(10); // half of the previous window still covered
    expect(slidingCount(10, 5, 120_000, w)).toBe(15);
    expect(slidingCount(10, 5, 180_000, w)).toBe(5);
    // 10 at the end of one window and 10 at the start of the next are 20 in a few seconds: refused.
    expect(slidingCount(10, 10, 121_000, w)).toBeGreaterThan(10);
  });

  it("say when one more request would pass, checked against the count at that moment", () => {
    const cases: [number, number, number][] = [
      [0, 11, 150_000], // over in this window alone: passes once this window's share has faded in the next
      [10, 6, 150_000], // the previous window's share fades first
      [10, 10, 121_000],
      [30, 30, 179_900],
    ];
    for (const [previous, current, now] of cases) {
      const s = retryAfterSeconds(previous, current, 10, now, w);
      const then = now + s * 1000;
      const next = then >= w.end * 1000 ? slidingCount(current, 1, then, { start: w.end, end: w.end + 60 }) : slidingCount(previous, current + 1, then, w);
      expect(next, `${previous}/${current}`).toBeLessThanOrEqual(10);
      const before = then - 1000;
      const earlier = before >= w.end * 1000 ? slidingCount(current, 1, before, { start: w.end, end: w.end + 60 }) : slidingCount(previous, current + 1, before, w);
      if (s > 1) expect(earlier, `${previous}/${current} a second earlier`).toBeGreaterThan(10);
    }
    expect(retryAfterSeconds(0, 11, 10, 150_000, w)).toBe(41);
    expect(retryAfterSeconds(10, 6, 10, 150_000, w)).toBe(12);
  });
});
