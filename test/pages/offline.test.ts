/// <reference lib="dom" />
// The pages the API serves (/docs, the GraphQL IDE at /graphql and /) in Debian's Chromium, with
// every host but this machine unreachable: they render from the API's own origin alone, under a
// CSP of 'self', with nothing fetched elsewhere and no CSP violation. Screenshots are kept in
// .tmp/artifacts/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDeployment } from "../../config/deployment.js";
import { startTestChain, type TestChain } from "../helpers/chain.js";
import { ROOT, startPonder, type PonderHandle } from "../helpers/ponder.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, ".tmp", "artifacts");

let chain: TestChain;
let ponder: PonderHandle;
let browser: Browser;
let tmpDir: string;

beforeAll(async () => {
  chain = await startTestChain();
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "pages-"));
  ponder = await startPonder({ deploymentFile: writeDeployment(chain.deployment, path.join(tmpDir, "deployment.json")), database: { kind: "pglite" } });
  await ponder.waitForReady();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Offline but for this machine: every other name fails to resolve.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await ponder?.stop();
  await chain?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
});

type Visit = { page: Page; elsewhere: string[]; violations: string[]; failed: string[] };

/** Opens `p`, recording every request that leaves the API's origin, failed loads and CSP violations. */
async function visit(p: string): Promise<Visit> {
  const origin = new URL(ponder.url).origin;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const v: Visit = { page, elsewhere: [], violations: [], failed: [] };
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) v.elsewhere.push(url);
  });
  page.on("requestfailed", (r) => v.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) v.failed.push(`${r.url()}: ${r.status()}`);
  });
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) v.violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e: SecurityPolicyViolationEvent) => console.error(`Refused to load: CSP ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${ponder.url}${p}`, { waitUntil: "networkidle" });
  return v;
}

function rawGet(p: string): Promise<{ status: number; body: string }> {
  const u = new URL(ponder.url);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, path: p, method: "GET", agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    r.on("error", reject);
    r.end();
  });
}

function expectClean(v: Visit) {
  expect(v.elsewhere, "requests to another origin").toEqual([]);
  expect(v.failed, "failed loads").toEqual([]);
  expect(v.violations, "CSP violations").toEqual([]);
}

describe("pages, offline, in Chromium", () => {
  it("/docs renders Swagger UI with this API's operations", async () => {
    const v = await visit("/docs");
    await v.page.waitForSelector(".opblock", { timeout: 30_000 });
    expect(await v.page.textContent(".info .title")).toContain("On-chain booking, ticketing and payments API");
    const paths = await v.page.$$eval(".opblock-summary-path", (els) => els.map((e) => e.getAttribute("data-path") ?? e.textContent));
    expect(paths).toEqual(expect.arrayContaining(["/api/bookings/{bookingId}", "/api/sign/booking"]));
    // Try it out against the API itself: the document's server is this origin.
    expect(await v.page.textContent(".servers")).toContain(ponder.url);
    // Try it out: an operation opened and run from the page, against the API itself.
    const nonce = v.page.locator(".opblock", { has: v.page.locator('[data-path="/api/auth/nonce"]') });
    await nonce.locator(".opblock-summary").click();
    await nonce.locator(".try-out__btn").click();
    await nonce.locator(".execute").click();
    await nonce.locator(".live-responses-table tbody .response-col_status").first().waitFor({ timeout: 30_000 });
    expect(await nonce.locator(".live-responses-table tbody .response-col_status").first().textContent()).toContain("200");
    expect(await nonce.locator(".live-responses-table").textContent()).toContain("expiresAt");
    await v.page.screenshot({ path: path.join(ARTIFACTS, "docs.png"), fullPage: false });
    expectClean(v);
    await v.page.close();
  });

  for (const p of ["/graphql", "/"]) {
    it(`${p} renders GraphiQL, and a query typed into it runs against this API`, async () => {
      const v = await visit(p);
      await v.page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 30_000 });
      expect(await v.page.textContent("#graphiql")).not.toContain("Loading…");
      // The editor is CodeMirror 5: set the query through it, then run it with the button.
      await v.page.evaluate(() => {
        const cm = (document.querySelector(".graphiql-query-editor .CodeMirror") as unknown as { CodeMirror: { setValue(s: string): void } }).CodeMirror;
        cm.setValue("{ contractInfos { items { name paused } } }");
      });
      const answered = v.page.waitForResponse((r) => r.url().endsWith("/graphql") && r.request().method() === "POST" && (r.request().postData() ?? "").includes("contractInfos"));
      await v.page.click(".graphiql-execute-button");
      expect((await answered).status()).toBe(200);
      await v.page.waitForFunction(() => (document.querySelector(".result-window")?.textContent ?? "").includes("BookingEscrow"), undefined, { timeout: 30_000 });
      await v.page.screenshot({ path: path.join(ARTIFACTS, `graphiql${p === "/" ? "-root" : ""}.png`) });
      expectClean(v);
      await v.page.close();
    });
  }
});

describe("pages and assets over HTTP", () => {
  it("pages carry a CSP of 'self'; assets are versioned, long-cached and typed; nothing else is served", async () => {
    for (const p of ["/docs", "/graphql", "/"]) {
      const res = await fetch(`${ponder.url}${p}`);
      expect(res.status, p).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, p).toContain("default-src 'self'");
      expect(csp, p).toContain("script-src 'self';");
      expect(csp, p).not.toMatch(/https?:|\*/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const html = await res.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(sources.length, p).toBeGreaterThan(2);
      for (const src of sources) {
        expect(src, p).toMatch(/^\/assets\//);
        const asset = await fetch(`${ponder.url}${src}`);
        expect(asset.status, src).toBe(200);
        expect(asset.headers.get("content-type"), src).toMatch(/^(text\/javascript|text\/css|image\/png)/);
        if (!src.startsWith("/assets/app/")) {
          expect(src, "package assets are named by version").toMatch(/@\d+\.\d+\.\d+\//);
          expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        }
        await asset.arrayBuffer();
      }
      expect(html).not.toMatch(/<script>[^<]/);
    }
    // A GraphQL query over GET or POST still goes to Ponder's GraphQL.
    const post = await fetch(`${ponder.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(await post.json()).toEqual({ data: { __typename: "Query" } });

    // Sent as written (fetch would resolve the dot segments itself): no file outside the list, however named.
    for (const p of ["/assets/swagger-ui-dist@5.35.0/package.json", "/assets/app/../../../package.json", "/assets/%2e%2e/%2e%2e/package.json", "/assets/react@18.3.1/umd/react.development.js", "/assets/"]) {
      const res = await rawGet(p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toContain('"name": "onchain-booking-backend"');
      if (res.body.startsWith("{")) expect((JSON.parse(res.body) as { error: { code: string } }).error.code, p).toBe("not_found");
    }
  });
});
