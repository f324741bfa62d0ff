// The two pages the API serves, /docs (Swagger UI over /openapi.json) and the GraphQL IDE (GraphiQL
// on GET /graphql and GET /, where Ponder's own page would load React and GraphiQL from a CDN).
// Everything they load is ours (./assets.ts), and the Content-Security-Policy says so: a page may
// load and connect to its own origin only, and run no inline script.
import type { Context } from "hono";
import { ASSETS } from "./assets.js";

// Styles are 'self' too: Swagger UI, React and CodeMirror set styles through the DOM (which a CSP
// allows), never inline markup; test/pages/offline.test.ts fails on any violation.
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const page = (c: Context, title: string, head: string[], body: string) =>
  c.html(
    `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>${title}</title>
    <link rel="icon" type="image/png" href="${ASSETS.favicon.url}">
${head.map((h) => `    ${h}`).join("\n")}
  </head>
  ${body}
</html>
`,
    200,
    { "Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" },
  );

const css = (href: string) => `<link rel="stylesheet" href="${href}">`;
const js = (src: string) => `<script src="${src}"></script>`;

export const docsPage = (c: Context) =>
  page(
    c,
    "API docs",
    [css(ASSETS.swaggerCss.url), css(ASSETS.pagesCss.url)],
    `<body class="docs">
    <div id="swagger-ui"></div>
    ${js(ASSETS.swaggerJs.url)}
    ${js(ASSETS.swaggerInit.url)}
  </body>`,
  );

export const graphiqlPage = (c: Context) =>
  page(
    c,
    "GraphQL",
    [css(ASSETS.graphiqlCss.url), css(ASSETS.explorerCss.url), css(ASSETS.pagesCss.url)],
    `<body>
    <div id="graphiql">Loading…</div>
    ${js(ASSETS.react.url)}
    ${js(ASSETS.reactDom.url)}
    ${js(ASSETS.graphiqlJs.url)}
    ${js(ASSETS.explorerJs.url)}
    ${js(ASSETS.graphiqlInit.url)}
  </body>`,
  );
