// The fuzzer's own parts (test/helpers/fuzz.ts): reproducible, and its checks catch what they must.
import { describe, expect, it } from "vitest";
import { buildRequest, checkReply, fuzzOperation, operationsOf, pct, RawJson, seededRng, toJson, wrongChecksum, type OpenApiDoc } from "../helpers/fuzz.js";

const doc: OpenApiDoc = {
  paths: {
    "/api/things/{id}": {
      get: { parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, { name: "limit", in: "query", schema: { type: "string" } }] },
      post: {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } },
      },
    },
  },
  components: { schemas: { Thing: { type: "object", properties: { owner: { type: "string" }, amount: { type: "string" } }, required: ["owner", "amount"] } } },
};

describe("fuzz helpers", () => {
  it("the same seed builds the same requests", () => {
    const ops = operationsOf(doc);
    expect(ops.map((o) => `${o.method} ${o.template}`)).toEqual(["GET /api/things/{id}", "POST /api/things/{id}"]);
    const build = (seed: number) => ops.flatMap((op) => fuzzOperation(op, { doc, known: { address: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"] } }, seededRng(seed), 30));
    const strip = (reqs: ReturnType<typeof build>) => reqs.map((r) => ({ ...r, body: r.body?.toString() }));
    expect(strip(build(7))).toEqual(strip(build(7)));
    expect(strip(build(7))).not.toEqual(strip(build(8)));
    // Every mutation kind comes up for the POST within 30 requests.
    const labels = new Set(build(7).filter((r) => r.path.startsWith("/api/things") && r.label !== "method").map((r) => r.label));
    expect([...labels].sort()).toEqual(
      ["body-deep", "body-empty", "body-extra", "body-field", "body-invalid-json", "body-missing", "body-oversized", "body-shape", "content-type", "header-auth", "header-idempotency", "path", "query", "valid"].sort(),
    );
  });

  it("a plausible body follows the schema, known values by field name", () => {
    const op = operationsOf(doc)[1]!;
    const req = buildRequest(op, "valid", { doc, known: { owner: ["0xabc"], amount: ["5"] } }, seededRng(1));
    expect(JSON.parse(String(req.body))).toEqual({ owner: "0xabc", amount: "5" });
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["idempotency-key"]).toMatch(/^fuzz-/);
  });

  it("oversized bodies under /api must be 413s", () => {
    const op = operationsOf(doc)[1]!;
    const req = buildRequest(op, "body-oversized", { doc, known: {} }, seededRng(1));
    expect(Buffer.byteLength(String(req.body))).toBeGreaterThan(64 * 1024);
    expect(req.expectStatus).toBe(413);
  });

  it("writes JSON that JSON.stringify cannot, and encodes anything for a URL", () => {
    expect(toJson({ a: new RawJson("1e999"), b: [new RawJson("-0"), "x"] })).toBe('{"a":1e999,"b":[-0,"x"]}');
    expect(pct("\ud800")).toBe("%EF%BF%BD");
    expect(pct("a b/ü")).toBe("a%20b%2F%C3%BC");
    const bad = wrongChecksum("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(bad.toLowerCase()).toBe("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    expect(bad).not.toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  });

  it("flags 5xx, a broken promise of a status, and 4xx bodies outside the error shape", () => {
    const req = { label: "t", method: "GET", path: "/api/x", headers: {} };
    const ok = JSON.stringify({ error: { code: "bad_request", message: "fix it", details: null } });
    expect(checkReply(req, { status: 400, contentType: "application/json", text: ok }, true)).toBeNull();
    expect(checkReply(req, { status: 200, contentType: "text/plain", text: "hi" }, true)).toBeNull();
    expect(checkReply(req, { status: 500, contentType: "application/json", text: ok }, true)).toMatch(/status 500/);
    expect(checkReply(req, { status: 503, contentType: "text/plain", text: "" }, false)).toMatch(/status 503/);
    expect(checkReply({ ...req, expectStatus: 413 }, { status: 400, contentType: "application/json", text: ok }, true)).toMatch(/expected 413/);
    expect(checkReply(req, { status: 404, contentType: "text/plain", text: "404 Not Found" }, true)).toMatch(/without a JSON body/);
    expect(checkReply(req, { status: 404, contentType: "text/plain", text: "404 Not Found" }, false)).toBeNull();
    expect(checkReply(req, { status: 401, contentType: "application/json", text: '{"error":{"code":"x","message":"","details":null}}' }, true)).toMatch(/without a message/);
    expect(checkReply(req, { status: 401, contentType: "application/json", text: '{"error":{"code":"x","message":"m"}}' }, true)).toMatch(/without details/);
    expect(checkReply(req, { status: 422, contentType: "application/json", text: '{"message":"m"}' }, true)).toMatch(/not \{"error"/);
  });
});
