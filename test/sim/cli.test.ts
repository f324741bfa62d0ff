import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");

function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [tsx, path.join(root, "scripts", script), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("script input errors: a clear message and a non-zero exit, never a stack trace", () => {
  it("rejects an unknown flag with the usage", () => {
    const r = run("simulate.ts", "--sead", "1");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--sead'/);
    expect(r.stderr).toContain("usage: npm run simulate");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects a non-numeric --ops", () => {
    const r = run("simulate.ts", "--ops", "many");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--ops must be an integer >= 0, got "many"');
  });

  it("rejects a malformed network name", () => {
    const r = run("simulate.ts", "--network", "../etc");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid network name "../etc"');
  });

  it("names the missing deployment file and how to make it", () => {
    const r = run("simulate.ts", "--network", "nowhere");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no deployment for network "nowhere" at .*deployments\/nowhere\.json: run npm run chain/);
  });

  it("requires --network and --rpc to deploy, and a chain that answers", () => {
    expect(run("deploy.ts").stderr).toContain("--network is required");
    const r = run("deploy.ts", "--network", "x", "--rpc", "http://127.0.0.1:1");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no chain answers at http://127.0.0.1:1");
  });

  it("refuses a non-local network name for the local chain", () => {
    const r = run("chain.ts", "--network", "base");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('must start with "local"');
  });
});
