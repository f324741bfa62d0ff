// The document /openapi.json is generated from (the routes' zod schemas fill in the paths). The
// `servers` entry is the origin the caller reached us at, so a client generated from the document
// (openapi-typescript, openapi-generator) or "Try it out" in /docs calls this API, wherever it runs.
import type { Context } from "hono";

export function openApiConfig(c: Context) {
  return {
    openapi: "3.1.0",
    info: { title: "On-chain booking, ticketing and payments API", version: "0.1.0" },
    servers: [{ url: new URL(c.req.url).origin, description: "this API" }],
  };
}
