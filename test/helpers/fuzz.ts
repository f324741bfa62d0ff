// Request fuzzing from the API's own /openapi.json: for each operation, seeded malformed requests
// (bad path and query values, wrong body types, missing and extra fields, broken JSON, oversized
// bodies, wrong content types, garbage Authorization and Idempotency-Key headers). Requests go out
// through node:http, not fetch, so paths are sent byte for byte (fetch would resolve `../` and
// re-encode `%zz`) and a body can come with any method and content type.
import http from "node:http";

// ------------------------------------------------------------------------------------------ PRNG

export type Rng = {
  readonly seed: number;
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
};

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    seed,
    next,
    int,
    pick: <T>(xs: readonly T[]) => {
      if (xs.length === 0) throw new Error("pick from an empty list");
      return xs[int(0, xs.length - 1)]!;
    },
    chance: (p) => next() < p,
  };
}

// ------------------------------------------------------------------------------- OpenAPI (subset)

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  example?: unknown;
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
};

type Parameter = { name: string; in: "path" | "query" | "header" | "cookie"; required?: boolean; schema?: JsonSchema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
};
export type OpenApiDoc = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export type FuzzOperation = {
  method: string;
  /** Path template, `/api/bookings/{bookingId}`. */
  template: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** JSON request body schema, if the operation takes one. */
  body?: JsonSchema;
};

const METHODS = ["get", "put", "post", "delete", "patch"];

export function operationsOf(doc: OpenApiDoc): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const jsonType = Object.keys(content).find((t) => /json/.test(t));
      ops.push({
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === "path"),
        queryParams: params.filter((p) => p.in === "query"),
        headerParams: params.filter((p) => p.in === "header"),
        body: jsonType ? (content[jsonType]!.schema ?? {}) : undefined,
      });
    }
  }
  return ops;
}

function resolve(doc: OpenApiDoc, schema: JsonSchema | undefined, depth = 0): JsonSchema {
  if (!schema) return {};
  if (schema.$ref && depth < 20) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, "");
    return resolve(doc, doc.components?.schemas?.[name], depth + 1);
  }
  return schema;
}

// ---------------------------------------------------------------------------------- plausible values

/** Values the index knows, by parameter or field name (bookingId, eventId, address, ...), so some requests get past validation to a 2xx. */
export type Known = Record<string, string[]>;

const ADDRESS_FIELDS = /address|provider|inviter|beneficiary|organizer|customer|merchant|owner|holder|account|to$|from$/i;

/** A plausible valid value for `schema`: known values by name, examples, enums, then a type default. */
export function sampleValue(doc: OpenApiDoc, raw: JsonSchema | undefined, rng: Rng, known: Known, name = "", depth = 0): unknown {
  const schema = resolve(doc, raw);
  if (depth > 6) return null;
  const byName = known[name];
  if (byName?.length) return rng.pick(byName);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return rng.pick(schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) {
    const nonNull = alternatives.filter((s) => resolve(doc, s).type !== "null");
    return sampleValue(doc, rng.pick(nonNull.length ? nonNull : alternatives), rng, known, name, depth + 1);
  }
  if (schema.allOf?.length) {
    const merged: Record<string, unknown> = {};
    for (const part of schema.allOf) Object.assign(merged, sampleValue(doc, part, rng, known, name, depth + 1));
    return merged;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "object" || schema.properties) {
    const out: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      if (required.has(key) || rng.chance(0.5)) out[key] = sampleValue(doc, prop, rng, known, key, depth + 1);
    }
    return out;
  }
  if (type === "array") return [sampleValue(doc, schema.items, rng, known, name, depth + 1)];
  if (type === "integer" || type === "number") return schema.minimum ?? 1;
  if (type === "boolean") return true;
  if (ADDRESS_FIELDS.test(name) && known.address?.length) return rng.pick(known.address);
  if (/^(amount|price|value|.*Rate|capacity|stake.*|quantity)$/i.test(name)) return "1000";
  if (schema.pattern?.includes("{40}")) return `0x${"ab".repeat(20)}`;
  if (schema.pattern?.includes("{64}")) return `0x${"ab".repeat(32)}`;
  return "x".repeat(Math.max(1, schema.minLength ?? 1));
}

// ---------------------------------------------------------------------------------- bad values

/** A JSON token written as is, for values JSON.stringify cannot produce (1e999, -0, 40-digit numbers). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, except that RawJson values are written verbatim. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const TWO_256 = (2n ** 256n).toString();

/** An address with a deliberately wrong EIP-55 checksum: the letters' case flipped. */
export function wrongChecksum(address: string): string {
  const flipped = address.slice(2).replace(/[a-fA-F]/g, (ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()));
  const out = `0x${flipped}`;
  // All digits or a single letter case: force mixed case so it is not a valid all-lower/all-upper form.
  return /[a-f]/.test(flipped) && /[A-F]/.test(flipped) ? out : `0x${"aB".repeat(20)}`;
}

/** Malformed strings for any string field: bad addresses, bad hex, bad numbers, injection-looking and huge text. */
export function badStrings(known: Known): string[] {
  const address = known.address?.[0] ?? "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  return [
    "",
    " ",
    "0x",
    "0x123",
    `0x${"g".repeat(40)}`,
    address.slice(2),
    `0X${address.slice(2)}`,
    `${address}00`,
    wrongChecksum(address),
    `0x${"0".repeat(40)}`,
    `0x${"a".repeat(63)}`,
    `0x${"a".repeat(65)}`,
    `0x${"z".repeat(64)}`,
    "0xabc",
    "-1",
    "-0",
    "1.5",
    "0.0",
    "1e18",
    "0x10",
    "+1",
    " 1",
    "1 ",
    "١٢٣",
    TWO_256,
    (2n ** 256n - 1n).toString(),
    "9".repeat(400),
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "\u0000",
    "%00",
    "../../../etc/passwd",
    "'; DROP TABLE booking; --",
    "<script>alert(1)</script>",
    "\ud800",
    "😀".repeat(200),
    "a".repeat(10_000),
  ];
}

/** A wrong value for a JSON field: wrong types, huge/negative/fractional numbers, or a malformed string. */
export function badJsonValue(rng: Rng, known: Known): unknown {
  const kind = rng.int(0, 3);
  if (kind === 0) return rng.pick(badStrings(known));
  if (kind === 1) {
    return rng.pick<unknown>([
      0, 1, -1, 1.5, -1.5, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER * 1000, 1e308,
      new RawJson("1e999"), new RawJson("-1e999"), new RawJson("-0"), new RawJson(TWO_256), new RawJson(`${TWO_256}.5`), new RawJson("0.0000000000000000000001"),
    ]);
  }
  if (kind === 2) return rng.pick<unknown>([null, true, false, [], {}, [1, 2, 3], { a: 1 }, [null], [[[]]]]);
  return rng.pick<unknown>([{ __proto__: { admin: true } }, JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: { prototype: { x: 1 } } }, Array.from({ length: 1000 }, (_, i) => i)]);
}

/** Percent-encoding that never throws (encodeURIComponent does on a lone surrogate): UTF-8 bytes, unreserved ones kept. */
export function pct(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Path segment values, already URL-encoded as sent on the wire. */
export function badPathSegments(): string[] {
  return [
    "x".repeat(10_000),
    "%00",
    "0x%00",
    "..",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2f",
    "%",
    "%zz",
    "%E2%82",
    "%C0%AE",
    "%F0%9F%98%80",
    pct("ü١😀"),
    "%20",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "null",
    "undefined",
    "%5B%5D",
    TWO_256,
    "9".repeat(2000),
    "0x" + "f".repeat(64) + "%00",
    "0x" + "F".repeat(40),
    pct("' OR 1=1 --"),
  ];
}

/** Header values Node lets through (latin-1, no control characters) that no server should accept as credentials. */
export function badAuthorizations(validToken?: string): string[] {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const forged = (payload: unknown, header: unknown = { alg: "HS256", typ: "JWT" }) => `${b64(header)}.${b64(payload)}.${Buffer.from("not-a-signature").toString("base64url")}`;
  const values = [
    "",
    "Bearer",
    "Bearer ",
    "Bearer garbage",
    "Bearer a.b.c",
    "Bearer ...",
    `Bearer ${forged({ sub: "0x0000000000000000000000000000000000000001", roles: ["admin"], iat: now, exp: now + 600 })}`,
    `Bearer ${forged({ sub: "0x0000000000000000000000000000000000000001", roles: ["admin"], iat: now, exp: now + 600 }, { alg: "none", typ: "JWT" })}`.replace(/\.[^.]*$/, "."),
    `Bearer ${b64({ alg: "HS256" })}.bm90IGpzb24.x`,
    "Basic dXNlcjpwYXNz",
    "Bearer " + "A".repeat(8000),
    "Bearer \xff\xfe\xfd",
    "Bearer  two  spaces",
    "Token abc",
  ];
  if (validToken) {
    values.push(`bearer ${validToken}`, `Bearer ${validToken}x`, `Bearer ${validToken.slice(0, -4)}AAAA`, validToken, `Bearer ${validToken} ${validToken}`);
    const [h, , s] = validToken.split(".");
    values.push(`Bearer ${h}.${b64({ sub: "0x0000000000000000000000000000000000000001", roles: ["admin", "operator", "validator"], iat: now, exp: now + 600 })}.${s}`);
  }
  return values;
}

export function badIdempotencyKeys(): string[] {
  return ["", " ", "a".repeat(201), "k".repeat(8000), "\xff\xfe", "../../", "%00", "null", "{}", "\t"];
}

// ---------------------------------------------------------------------------------- requests

export type FuzzRequest = {
  /** What was broken, for the failure message. */
  label: string;
  method: string;
  /** Raw request target, sent byte for byte. */
  path: string;
  headers: Record<string, string>;
  /** A Buffer carries bytes that are not UTF-8. */
  body?: string | Buffer;
  /** The status this request must get, when the API promises one (e.g. 413 for > 64 KiB). */
  expectStatus?: number;
};

export type FuzzContext = {
  doc: OpenApiDoc;
  known: Known;
  /** Valid tokens (e.g. an admin's and a validator's), one picked per request that does not fuzz Authorization; none = anonymous. */
  tokens?: string[];
};

/** Request body limits (src/api/index.ts): 64 KiB under /api, except the larger routes listed. */
export const BODY_LIMIT = 64 * 1024;
export const LARGER_BODY_LIMITS: Record<string, number> = { "/api/actions/check-ins/batch": 512 * 1024 };
const bodyLimitOf = (template: string) => LARGER_BODY_LIMITS[template] ?? BODY_LIMIT;

const MUTATIONS = [
  "valid",
  "path",
  "query",
  "header-auth",
  "header-idempotency",
  "body-field",
  "body-missing",
  "body-extra",
  "body-shape",
  "body-invalid-json",
  "body-empty",
  "body-oversized",
  "body-deep",
  "content-type",
  "method",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/xml",
  "application/json; charset=utf-16",
  "application/jsonx",
  "application/vnd.api+json",
  "",
  "*/*",
];

/** Every (path, value) leaf and inner node of a JSON value, as key paths. */
function keyPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...keyPaths(v, [...prefix, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...keyPaths(v, [...prefix, k]));
  return out;
}

function setAt(root: unknown, at: (string | number)[], value: unknown, remove = false): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

function randomKey(rng: Rng): string {
  return Array.from({ length: 24 }, () => rng.pick("abcdefghijklmnopqrstuvwxyz0123456789".split(""))).join("");
}

function query(params: [string, string][]): string {
  return params.length ? `?${params.map(([k, v]) => `${k}=${v}`).join("&")}` : "";
}

/** One request against `op`, broken as `mutation` says (or plausible, for "valid"). */
export function buildRequest(op: FuzzOperation, mutation: Mutation, ctx: FuzzContext, rng: Rng): FuzzRequest {
  const { doc, known } = ctx;
  const headers: Record<string, string> = {};
  const token = ctx.tokens?.length ? rng.pick(ctx.tokens) : undefined;
  if (token) headers.authorization = `Bearer ${token}`;
  if (op.method !== "GET") headers["idempotency-key"] = `fuzz-${randomKey(rng)}`;

  let path = op.template;
  const segments = new Map(op.pathParams.map((p) => [p.name, pct(String(sampleValue(doc, p.schema, rng, known, p.name)))]));
  if (mutation === "path" && op.pathParams.length) segments.set(rng.pick(op.pathParams).name, rng.pick(badPathSegments()));
  for (const [name, value] of segments) path = path.replace(`{${name}}`, value);

  const q: [string, string][] = [];
  for (const p of op.queryParams) if (p.required || rng.chance(0.5)) q.push([p.name, pct(String(sampleValue(doc, p.schema, rng, known, p.name)))]);
  if (mutation === "query") {
    const name = op.queryParams.length && rng.chance(0.8) ? rng.pick(op.queryParams).name : rng.pick(["unknown", "__proto__", "%zz", "", "a[b]"]);
    const variant = rng.int(0, 3);
    if (variant === 0) q.push([name, rng.pick(badPathSegments())]);
    else if (variant === 1) q.push([name, "1"], [name, "2"]);
    else if (variant === 2) q.push([`${name}[]`, "1"], [name, ""]);
    else q.push([name, pct(rng.pick(badStrings(known)))]);
  }
  path += query(q);

  if (mutation === "header-auth") {
    const value = rng.pick(badAuthorizations(token));
    headers.authorization = value;
  }
  if (mutation === "header-idempotency") headers["idempotency-key"] = rng.pick(badIdempotencyKeys());
  for (const h of op.headerParams) if (h.name.toLowerCase() !== "authorization" && h.name.toLowerCase() !== "idempotency-key") headers[h.name.toLowerCase()] = String(sampleValue(doc, h.schema, rng, known, h.name));

  let method = op.method;
  if (mutation === "method") method = rng.pick(["PUT", "PATCH", "DELETE", "POST", "GET"].filter((m) => m !== op.method));

  const req: FuzzRequest = { label: mutation, method, path, headers };
  const takesBody = op.body !== undefined || mutation.startsWith("body") || mutation === "content-type";
  if (!takesBody || method === "GET") return req;

  const valid = op.body ? sampleValue(doc, op.body, rng, known) : {};
  let text = toJson(valid);
  let contentType = "application/json";
  switch (mutation) {
    case "body-field": {
      const paths = keyPaths(valid);
      text = paths.length ? toJson(setAt(valid, rng.pick(paths), badJsonValue(rng, known))) : toJson(badJsonValue(rng, known));
      break;
    }
    case "body-missing": {
      const paths = keyPaths(valid);
      if (paths.length) text = toJson(setAt(valid, rng.pick(paths), undefined, true));
      else text = "{}";
      break;
    }
    case "body-extra": {
      const extra = rng.pick(["extra", "__proto__", "constructor", "", "role", "roles", "admin"]);
      const base = valid !== null && typeof valid === "object" && !Array.isArray(valid) ? (valid as Record<string, unknown>) : {};
      text = toJson({ ...base, [extra]: badJsonValue(rng, known) });
      if (extra === "__proto__") text = text.replace(/^\{/, `{"__proto__":{"admin":true},`);
      break;
    }
    case "body-shape":
      text = rng.pick(["[]", "[{}]", `[${text}]`, '"string"', "null", "0", "true", "-1", "1e999"]);
      break;
    case "body-invalid-json":
      text = rng.pick(["{", "}", '{"a":', "{'a':1}", '{"a":1,}', "[1,2", "undefined", "NaN", "\u0000", '{"a":"\\uZZZZ"}', `${text}garbage`, text.slice(0, Math.max(1, text.length - 2))]);
      if (rng.chance(0.15)) {
        req.headers["content-type"] = contentType;
        req.body = Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]); // BOM-ish bytes and an invalid UTF-8 pair
        return req;
      }
      break;
    case "body-empty":
      text = "";
      break;
    case "body-oversized":
      // Just over the 64 KiB most routes take, or over the largest limit any route has.
      text = toJson({ pad: "x".repeat((rng.chance(0.5) ? BODY_LIMIT : Math.max(...Object.values(LARGER_BODY_LIMITS), BODY_LIMIT)) + rng.int(1, 4096)) });
      if (op.template.startsWith("/api/") && Buffer.byteLength(text) > bodyLimitOf(op.template)) req.expectStatus = 413;
      break;
    case "body-deep": {
      const depth = rng.int(1_000, 20_000);
      text = rng.chance(0.5) ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
      if (text.length > bodyLimitOf(op.template) && op.template.startsWith("/api/")) req.expectStatus = 413;
      break;
    }
    case "content-type":
      contentType = rng.pick(CONTENT_TYPES);
      break;
    default:
      break;
  }
  if (contentType) req.headers["content-type"] = contentType;
  req.body = text;
  return req;
}

/** `count` requests against `op`: one plausible one first, then mutations in a seeded order. */
export function fuzzOperation(op: FuzzOperation, ctx: FuzzContext, rng: Rng, count: number): FuzzRequest[] {
  const applicable = MUTATIONS.filter((m) => {
    if (m === "path") return op.pathParams.length > 0;
    if (m.startsWith("body") || m === "content-type") return op.method !== "GET";
    return true;
  });
  const out = [buildRequest(op, "valid", ctx, rng)];
  // Round-robin over the mutation kinds from a seeded start, so a small count still covers them all.
  const start = rng.int(0, applicable.length - 1);
  for (let i = 1; i < count; i++) out.push(buildRequest(op, applicable[(start + i) % applicable.length]!, ctx, rng));
  return out;
}

/**
 * Plausible requests to `op` with a NUL (U+0000) inside one string field of the body each, every
 * string field that `tries` samples produce (optional ones included when a sample has them). A
 * database cannot store a NUL in text or jsonb: the reply must be a 4xx that says so, not a 500.
 */
export function nulFieldRequests(op: FuzzOperation, ctx: FuzzContext, rng: Rng, tries = 8): FuzzRequest[] {
  if (op.body === undefined || op.method === "GET") return [];
  const out: FuzzRequest[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const base = buildRequest(op, "valid", ctx, rng);
    const valid = sampleValue(ctx.doc, op.body, rng, ctx.known);
    for (const at of keyPaths(valid)) {
      const value = at.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], valid);
      const where = at.map((k) => (typeof k === "number" ? "[]" : k)).join(".");
      if (typeof value !== "string" || seen.has(where)) continue;
      seen.add(where);
      const withNul = `${value.slice(0, 1)}\u0000${value.slice(1)}`;
      out.push({ ...base, label: `body-nul ${where}`, headers: { ...base.headers, "idempotency-key": `fuzz-${randomKey(rng)}` }, body: toJson(setAt(valid, at, withNul)) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------- sending

export type Reply = { status: number; contentType: string; text: string };

/**
 * Sends the request exactly as built, on a connection of its own: a server may answer before it
 * has read a body (a 401 to an oversized POST) and close, which on a kept-alive socket would make
 * the next request fail for reasons of its own. Rejects only when no status line arrived.
 */
export function send(baseUrl: string, req: FuzzRequest, timeoutMs = 60_000): Promise<Reply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers, connection: "close" };
    const body = req.body === undefined ? undefined : typeof req.body === "string" ? Buffer.from(req.body, "utf8") : req.body;
    if (body) headers["content-length"] = String(body.length);
    let status: number | undefined;
    let contentType = "";
    const chunks: Buffer[] = [];
    const finish = () => resolve({ status: status!, contentType, text: Buffer.concat(chunks).toString("utf8") });
    const r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false, timeout: timeoutMs }, (res) => {
      status = res.statusCode ?? 0;
      contentType = String(res.headers["content-type"] ?? "");
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", finish);
      res.on("error", () => finish());
    });
    r.on("timeout", () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // Writing the rest of a body the server already answered can fail with EPIPE/ECONNRESET: the answer counts.
    r.on("error", (err) => (status === undefined ? reject(err) : finish()));
    if (!body || body.length <= BODY_LIMIT) return void r.end(body);
    // An oversized body is refused from its Content-Length alone, before it is read: send the
    // headers, give the answer a moment to come, and only then the body (which would otherwise
    // race the server closing the connection: EPIPE instead of the 413).
    r.flushHeaders();
    const timer = setTimeout(() => r.end(body), 2_000);
    r.once("response", (res) => {
      clearTimeout(timer);
      res.once("end", () => r.destroy());
    });
  });
}

export type KeptReply = Reply & { socket: unknown; closes: boolean };

/**
 * Sends the request on `agent` (keep-alive, typically one socket), body and all at once, as
 * browsers and Node's fetch do. The reply says which socket carried it and whether the server
 * announced `Connection: close`; any error before a status line (a reset) rejects.
 */
export function sendKeptAlive(agent: http.Agent, baseUrl: string, req: FuzzRequest, timeoutMs = 60_000): Promise<KeptReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    const body = req.body === undefined ? undefined : typeof req.body === "string" ? Buffer.from(req.body, "utf8") : req.body;
    if (body) headers["content-length"] = String(body.length);
    const r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          text: Buffer.concat(chunks).toString("utf8"),
          socket: r.socket,
          closes: String(res.headers.connection ?? "").toLowerCase() === "close",
        }),
      );
      res.on("error", reject);
    });
    r.on("timeout", () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on("error", reject);
    r.end(body);
  });
}

/** The request as a reproducible one-liner (long values cut short). */
export function describeRequest(req: FuzzRequest): string {
  const cut = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${cut(JSON.stringify(v), 120)}`).join("; ");
  const body = req.body === undefined ? "" : typeof req.body === "string" ? ` body ${cut(JSON.stringify(req.body))}` : ` body 0x${req.body.toString("hex")}`;
  return `[${req.label}] ${req.method} ${cut(req.path)} {${headers}}${body}`;
}

/**
 * What is wrong with a reply, or null: never a 5xx; the promised status when there is one; and,
 * when `errorShape`, every 4xx is `{"error":{"code","message","details"}}` with a message.
 */
export function checkReply(req: FuzzRequest, reply: Reply, errorShape: boolean): string | null {
  if (reply.status >= 500) return `status ${reply.status}: ${reply.text.slice(0, 300)}`;
  if (req.expectStatus !== undefined && reply.status !== req.expectStatus) return `expected ${req.expectStatus}, got ${reply.status}: ${reply.text.slice(0, 300)}`;
  if (!errorShape || reply.status < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return `${reply.status} without a JSON body (${reply.contentType}): ${reply.text.slice(0, 200)}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error !== "object") return `${reply.status} body is not {"error":{...}}: ${reply.text.slice(0, 200)}`;
  if (typeof error.code !== "string" || error.code === "") return `${reply.status} error without a code: ${reply.text.slice(0, 200)}`;
  if (typeof error.message !== "string" || error.message.trim() === "") return `${reply.status} error without a message: ${reply.text.slice(0, 200)}`;
  if (!("details" in error)) return `${reply.status} error without details: ${reply.text.slice(0, 200)}`;
  return null;
}

// ---------------------------------------------------------------------------------- fixed paths

/** Requests for the routes /openapi.json does not list: Ponder's GraphQL and SQL endpoints, the docs, unknown paths. */
export function fixedPathRequests(rng: Rng, count: number): FuzzRequest[] {
  const superjson = (v: unknown) => pct(JSON.stringify({ json: v }));
  const gql = (body: string, contentType = "application/json"): Omit<FuzzRequest, "label"> => ({ method: "POST", path: rng.pick(["/graphql", "/"]), headers: { "content-type": contentType }, body });
  const deep = rng.int(200, 2000);
  const fanOut = (levels: number) => {
    let inner = "tokenId";
    for (let i = 0; i < levels; i++) inner = `tickets(limit: 2) { items { event { id ${inner} } } }`;
    return `{ ticketedEvents(limit: 2) { items { id ${inner} } } }`;
  };
  const candidates: Omit<FuzzRequest, "label">[] = [
    { method: "GET", path: "/graphql", headers: {} },
    gql("garbage", "text/plain"),
    gql("{"),
    gql('{"query":1}'),
    gql('{"query":"{ bookings { items { id } } }"}'),
    gql('{"query":"{ nope }"}'),
    gql(`{"query":"${"{ bookings { items { id } } ".repeat(1)}${"}".repeat(0)}","variables":"x"}`),
    gql(JSON.stringify({ query: `query { ${"a: bookings { totalCount } ".repeat(50)} }` })),
    gql(JSON.stringify({ query: `{ ${"bookings { items { id } ".repeat(deep)}${"} }".repeat(deep)} }` })),
    gql(JSON.stringify({ query: "{ bookings(limit: 100000) { items { id } } }" })),
    gql(JSON.stringify({ query: "{ bookings(where: { amount_gt: \"abc\" }) { items { id } } }" })),
    // Hostile fan-out: refused by its cost (api/graphql/cost.ts) before anything runs.
    { ...gql(JSON.stringify({ query: fanOut(rng.int(5, 30)) })), expectStatus: 400 },
    { ...gql(JSON.stringify({ query: "{ bookings { items { customerAccount { bookingsAsCustomer(limit: 1000) { items { id } } } } } }" })), expectStatus: 400 },
    gql(JSON.stringify([{ query: "{ __typename }" }])),
    gql("null"),
    gql(""),
    { method: "GET", path: "/sql/db", headers: {} },
    { method: "GET", path: "/sql/db?sql=garbage", headers: {} },
    { method: "GET", path: "/sql/db?sql=null", headers: {} },
    { method: "GET", path: "/sql/db?sql=%zz", headers: {} },
    { method: "GET", path: `/sql/db?sql=${superjson({})}`, headers: {} },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: 1, params: [] })}`, headers: {} },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "delete from booking", params: [] })}`, headers: {} },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select * from no_such_table", params: [] })}`, headers: {} },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select pg_sleep(0)", params: [] })}`, headers: {} },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select $1 as x", params: ["x"] })}`, headers: {} },
    // What can never succeed is refused once planned (api/http/sql-preflight.ts), not retried for a minute.
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select 1/0 as x", params: [] })}`, headers: {}, expectStatus: 400 },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select 2^10000000 as x", params: [] })}`, headers: {}, expectStatus: 400 },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select id from booking where id = $1", params: [] })}`, headers: {}, expectStatus: 400 },
    {
      method: "GET",
      path: `/sql/db?sql=${superjson({ sql: "select count(*) from booking_history a, booking_history b, booking_history c, booking_history d, booking_history e, booking_history f", params: [] })}`,
      headers: {},
      expectStatus: 400,
    },
    { method: "GET", path: `/sql/db?sql=${superjson({ sql: "select 1; drop table booking", params: [] })}`, headers: {} },
    { method: "POST", path: "/sql/db", headers: { "content-type": "application/json" }, body: "{}" },
    { method: "GET", path: "/docs", headers: {} },
    { method: "GET", path: "/docs?url=%zz&x=%00", headers: {} },
    { method: "GET", path: "/openapi.json?x=%zz", headers: {} },
    { method: "POST", path: "/openapi.json", headers: { "content-type": "application/json" }, body: "{" },
    { method: "GET", path: "/api", headers: {} },
    { method: "GET", path: "/api/", headers: {} },
    { method: "GET", path: "/api/nope", headers: {} },
    { method: "GET", path: "/api/%00", headers: {} },
    { method: "GET", path: "/api/../../etc/passwd", headers: {} },
    { method: "GET", path: "/api/%zz/%E2%82", headers: {} },
    { method: "POST", path: "/api/nope", headers: { "content-type": "application/json" }, body: "{" },
    { method: "GET", path: `/api/${"x".repeat(10_000)}`, headers: {} },
  ];
  const picked: FuzzRequest[] = candidates.map((c, i) => ({ ...c, label: `fixed-${i}` }));
  while (picked.length < count) {
    const c = rng.pick(candidates);
    picked.push({ ...c, label: "fixed-repeat" });
  }
  return picked;
}
