// The pages' scripts and styles, served by the API itself from pinned npm packages (and two small
// scripts of ours): nothing a page loads comes from another origin, so the pages work offline and
// no CDN's answer runs on our origin. Only the files listed here are served; each is read once.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "../http/errors.js";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
};

type Asset = { url: string; file: string };

/** `{ url, file }` of a file inside an installed package; the URL carries the package's version. */
function fromPackage(pkg: string, file: string): Asset {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return { url: `/assets/${pkg}@${version}/${file}`, file: path.join(path.dirname(manifest), file) };
}

/** A script of ours, versioned by nothing: served with a short cache life. */
const ours = (file: string): Asset => ({ url: `/assets/app/${file}`, file: path.join(here, "static", file) });

export const ASSETS = {
  swaggerCss: fromPackage("swagger-ui-dist", "swagger-ui.css"),
  swaggerJs: fromPackage("swagger-ui-dist", "swagger-ui-bundle.js"),
  swaggerInit: ours("swagger-init.js"),
  favicon: fromPackage("swagger-ui-dist", "favicon-32x32.png"),
  react: fromPackage("react", "umd/react.production.min.js"),
  reactDom: fromPackage("react-dom", "umd/react-dom.production.min.js"),
  graphiqlJs: fromPackage("graphiql", "graphiql.min.js"),
  graphiqlCss: fromPackage("graphiql", "graphiql.min.css"),
  explorerJs: fromPackage("@graphiql/plugin-explorer", "dist/index.umd.js"),
  explorerCss: fromPackage("@graphiql/plugin-explorer", "dist/style.css"),
  graphiqlInit: ours("graphiql-init.js"),
  pagesCss: ours("pages.css"),
} satisfies Record<string, Asset>;

const byUrl = new Map(Object.values(ASSETS).map((a) => [a.url, a]));
const loaded = new Map<string, Buffer>();

/** GET /assets/*: a listed file, or 404. */
export const serveAssets: MiddlewareHandler = async (c) => {
  const asset = byUrl.get(c.req.path);
  if (!asset) return c.json(errorBody("not_found", "no such asset"), 404);
  let body = loaded.get(asset.url);
  if (!body) {
    body = readFileSync(asset.file);
    loaded.set(asset.url, body);
  }
  return c.body(new Uint8Array(body), 200, {
    "Content-Type": TYPES[path.extname(asset.file)] ?? "application/octet-stream",
    // Package files are named by their version: they never change under a URL. Ours may, on deploy.
    "Cache-Control": asset.url.startsWith("/assets/app/") ? "public, max-age=300" : "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
  });
};
