// The house rule (README "Layout"): imports run one way. Handlers and the HTTP layer stand on the
// shared ground (domain/, config/, abis/, the schema); the handlers never import the HTTP layer;
// only scripts/ imports scripts/. Checked on every relative import of every TypeScript file.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SKIP = new Set(["node_modules", ".git", ".ponder", ".tmp", "generated", "artifacts", "deployments"]);

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : tsFiles(rel);
    return /\.(ts|mts)$/.test(e.name) ? [rel] : [];
  });
}

/** The room a project file belongs to: its top-level folder, `src/api` and `src` told apart, or the file itself at the top. */
function roomOf(file: string): string {
  if (file.startsWith("src/api/")) return "src/api";
  const [top, ...rest] = file.split("/");
  return rest.length === 0 ? top!.replace(/\.js$/, ".ts") : top!;
}

const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g;

function importsOf(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  return [...source.matchAll(IMPORT)]
    .map((m) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1]!)).split(path.sep).join("/"))
    .filter((target) => !target.startsWith("node_modules/")); // a package's unexported module (api/http/ponder-sql.ts), not a room
}

/** Rooms each room may import (besides itself and packages). */
const ALLOWED: Record<string, string[]> = {
  abis: [],
  domain: ["abis"],
  config: ["abis", "domain"],
  "ponder.config.ts": ["abis", "config"],
  "ponder.schema.ts": ["domain"],
  src: ["abis", "domain", "config", "ponder.schema.ts"],
  api: ["abis", "domain", "config", "ponder.schema.ts"],
  "src/api": ["api", "abis", "domain", "config", "ponder.schema.ts"],
  cli: [],
  devchain: ["abis", "domain", "config", "cli"],
  scripts: ["abis", "domain", "config", "devchain", "cli", "api", "scripts"],
  bench: ["abis", "domain", "config", "devchain", "cli", "api", "bench", "test", "ponder.schema.ts"],
  test: ["abis", "domain", "config", "devchain", "cli", "api", "src", "test", "ponder.schema.ts"],
};

describe("imports run one way", () => {
  const files = tsFiles("").filter((f) => !f.endsWith(".d.ts"));
  const edges = files.flatMap((file) => importsOf(file).map((target) => ({ file, from: roomOf(file), to: roomOf(target) })));

  it("finds the project's files and their imports", () => {
    expect(files).toEqual(expect.arrayContaining(["src/BookingEscrow.ts", "src/api/index.ts", "domain/fees.ts", "config/network.ts", "scripts/dev.ts"]));
    expect(edges.length).toBeGreaterThan(200);
  });

  it("every import goes to a room its room may stand on", () => {
    const bad = edges
      .filter((e) => e.from !== e.to && !(ALLOWED[e.from] ?? []).includes(e.to))
      .map((e) => `${e.file} (${e.from}) imports ${e.to}`);
    expect(bad).toEqual([]);
  });

  it("no handler, and not ponder.config.ts, imports the HTTP layer; nothing outside scripts/ imports scripts/", () => {
    expect(edges.filter((e) => (e.from === "src" || e.from === "ponder.config.ts") && e.to === "api")).toEqual([]);
    expect(edges.filter((e) => e.from !== "scripts" && e.to === "scripts")).toEqual([]);
  });
});
