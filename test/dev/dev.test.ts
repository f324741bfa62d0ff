// `npm run dev` as a developer runs it, its output going to a file (as under CI or a process
// manager): it listens on loopback only and refuses more with the public dev secret; it runs two
// chains (local 31337 and local-2 31338) with traffic on both, indexed by one Ponder, whatever
// network variables the shell holds; it writes plain lines at a rate a log file can hold, the real
// URL first; SIGTERM to npm stops every process it started, even a hung indexer; with DATABASE_URL
// it runs on PostgreSQL, fresh each time (both chains' cached RPC rows dropped).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../devchain/anvil.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";
import { dropPostgresSchema, ROOT, uniqueSchema } from "../helpers/ponder.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "dev-"));
const schemas: string[] = [];
const started: Dev[] = [];
afterAll(async () => {
  for (const dev of started) await dev.kill();
  rmSync(tmp, { recursive: true, force: true });
  for (const s of schemas) for (const name of [s, `${s}_offchain`]) dropPostgresSchema(PG_URL, name);
});

type Dev = { child: ChildProcess; port: number; log: string; output(): string; exited: Promise<number | null>; kill(): Promise<void> };

/** `npm run dev -- ARGS` with stdout and stderr to a file, in the environment a fresh shell has. */
async function startDev(args: string[], env: Record<string, string> = {}): Promise<Dev> {
  const port = await freePort();
  const log = path.join(tmp, `dev-${port}.log`);
  const fd = openSync(log, "w");
  const child = spawn("npm", ["run", "--silent", "dev", "--", "--port", String(port), "--state-dir", path.join(tmp, `state-${port}`), ...args], {
    cwd: ROOT,
    stdio: ["ignore", fd, fd],
    // AUTH_SECRET and DATABASE_URL unset unless given, as on a developer's machine.
    env: { ...process.env, AUTH_SECRET: "", DATABASE_URL: "", CI: "", ...env },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const dev: Dev = {
    child,
    port,
    log,
    output: () => readFileSync(log, "utf8"),
    exited,
    kill: async () => {
      for (const pid of descendants(child.pid!)) process.kill(pid, "SIGKILL");
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
  started.push(dev);
  return dev;
}

/** Every live process below `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
};

async function until<T>(what: string, dev: Dev, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dev.child.exitCode !== null) throw new Error(`npm run dev exited (${dev.child.exitCode}) while waiting for ${what}:\n${dev.output().slice(-3000)}`);
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}:\n${dev.output().slice(-3000)}`);
}

const json = async (url: string, init?: RequestInit) => {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    return res.ok ? ((await res.json()) as any) : undefined;
  } catch {
    return undefined;
  }
};
/** The dev server's chains: Ponder's chain name (the key of /status) and id. */
const CHAINS = [
  { name: "local", id: 31337 },
  { name: "local-2", id: 31338 },
] as const;
type Plural = "bookings" | "ticketedEvents" | "qrOrders";
/** How many rows of a table the index holds for one chain (GraphQL plural query, `where: { chainId }`). */
const count = (dev: Dev, table: Plural, chainId: number) =>
  json(`http://127.0.0.1:${dev.port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `{ ${table}(where: { chainId: ${chainId} }) { totalCount } }` }),
  }).then((r) => r?.data?.[table]?.totalCount as number | undefined);
const bookings = (dev: Dev, chainId: number) => count(dev, "bookings", chainId);
/** Bookings indexed on every chain, or undefined until each has one. */
const bookingsEverywhere = async (dev: Dev) => {
  const counts = await Promise.all(CHAINS.map((c) => bookings(dev, c.id)));
  return counts.every((n) => (n ?? 0) > 0) ? counts : undefined;
};
/** Every chain's indexed head, or undefined until /status lists them all. */
const statusBlocks = async (dev: Dev) => {
  const status = await json(`http://127.0.0.1:${dev.port}/status`);
  const heads = CHAINS.map((c) => status?.[c.name]?.block?.number as number | undefined);
  return heads.every((h) => h !== undefined) ? (heads as number[]) : undefined;
};

/** The local addresses sockets listen on at `port` (from /proc/net/tcp and tcp6), as hex as the kernel writes them. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A")
      .map((f) => f[1]!.split(":")[0]!),
  );
}

const connects = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve(false)));
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

describe("npm run dev", () => {
  it("refuses to listen beyond loopback with the public dev secret, before starting anything", async () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
      const r = spawnSync("npm", ["run", "--silent", "dev", "--", "--host", host], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, AUTH_SECRET: "" } });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`refusing to listen on ${host} with the public dev AUTH_SECRET`);
      expect(r.stdout).not.toContain("dev: starting");
    }
  });

  it("off a terminal: two chains with traffic on both, loopback only, plain lines under 200 KiB a minute, the real URL first; SIGTERM to npm stops everything", async () => {
    // A developer's shell set up for one network: with PONDER_NETWORKS these would be an error (or
    // point the index elsewhere), so the dev server must not pass them on.
    const dev = await startDev([], {
      PONDER_NETWORK: "base",
      DEPLOYMENT_FILE: "/nonexistent/deployment.json",
      PONDER_RPC_URL: "http://127.0.0.1:1",
      PONDER_LOCAL_RPC_URL: "http://127.0.0.1:1",
      PONDER_LOCAL_2_DEPLOYMENT_FILE: "/nonexistent/local-2.json",
    });
    await until("the API's banner", dev, () => (/\n  chain     .*local-2/.test(dev.output()) && dev.output().includes(`API       http://127.0.0.1:${dev.port}`) ? true : undefined));
    // The banner names both chains, and each chain's deployment file (in --state-dir) is there with its network and id.
    const stateDir = path.join(tmp, `state-${dev.port}`);
    for (const { name, id } of CHAINS) {
      const file = path.join(stateDir, `${name}.json`);
      const deployment = JSON.parse(readFileSync(file, "utf8"));
      expect([deployment.network, deployment.chainId]).toEqual([name, id]);
      expect(dev.output()).toContain(`  chain     ${deployment.rpcUrl} (${name}, chain ${id}, deployment ${path.relative(ROOT, file)})`);
    }
    // The first address of this machine printed (Ponder's telemetry notice, on a machine's first run, names ponder.sh).
    const firstUrl = dev.output().match(/https?:\/\/(?:localhost|127\.[\d.]+|0\.0\.0\.0|\[::1?\])[^\s/)]*/)?.[0];
    expect(firstUrl).toBe(`http://127.0.0.1:${dev.port}`);
    // Listening on 127.0.0.1 only: the kernel's table, and a connection to another address of this machine.
    expect(listeners(dev.port)).toEqual(["0100007F"]);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    if (external) expect(await connects(external, dev.port), `connect to ${external}:${dev.port}`).toBe(false);
    expect(await connects("127.0.0.1", dev.port)).toBe(true);

    // /status: one entry per chain, keyed by Ponder's chain name.
    await until("/status listing both chains", dev, () => statusBlocks(dev));
    const status = await json(`http://127.0.0.1:${dev.port}/status`);
    expect(Object.fromEntries(Object.entries(status).map(([name, s]: [string, any]) => [name, s.id]))).toEqual(Object.fromEntries(CHAINS.map((c) => [c.name, c.id])));

    // A minute of the simulators' traffic, measured from a point where it is flowing on both chains.
    await until("simulated bookings indexed on both chains", dev, () => bookingsEverywhere(dev));
    const before = statSync(dev.log).size;
    const blocksBefore = (await statusBlocks(dev))!;
    await new Promise((r) => setTimeout(r, 60_000));
    const perMinute = statSync(dev.log).size - before;
    const blocksAfter = (await statusBlocks(dev))!;
    const indexed = blocksAfter.map((b, i) => b - blocksBefore[i]!);
    console.log(`npm run dev wrote ${perMinute} bytes in a minute while indexing ${indexed.join(" + ")} blocks`);
    for (const [i, { name }] of CHAINS.entries()) expect(indexed[i], `the traffic went on on ${name}`).toBeGreaterThan(20);
    expect(perMinute).toBeLessThanOrEqual(200 * 1024);

    // Bookings, ticketed events and QR orders of each chain, indexed under its own chain id.
    for (const { id } of CHAINS) {
      for (const table of ["bookings", "ticketedEvents", "qrOrders"] as const) {
        await until(`${table} of chain ${id}`, dev, async () => ((await count(dev, table, id)) ?? 0) > 0 || undefined, 120_000);
      }
    }
    const output = dev.output();
    expect(output.includes("\u001b"), "no terminal escape codes").toBe(false);
    expect(output).not.toContain("42069");

    const processes = descendants(dev.child.pid!);
    expect(processes.length).toBeGreaterThan(4); // tsx, this script, two anvils, ponder (and their helpers)
    const anvils = processes.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.endsWith("/anvil"));
    expect(anvils, "one anvil per chain").toHaveLength(CHAINS.length);
    dev.child.kill("SIGTERM");
    const code = await Promise.race([dev.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000))]);
    expect(code, dev.output().slice(-2000)).not.toBe("hung");
    await new Promise((r) => setTimeout(r, 500));
    expect(processes.filter(alive), "every process it started is gone").toEqual([]);
    expect(dev.output().trimEnd().split("\n").at(-1)).toBe("dev: stopped (API, indexer, simulators and chains)");
  }, 400_000);

  (pgAvailable ? it : it.skip)(
    "with DATABASE_URL: PostgreSQL in schemas of its own, fresh each start (both last chains' cached blocks dropped); a hung indexer is killed on SIGTERM",
    async () => {
      const schema = uniqueSchema("dev").toLowerCase();
      schemas.push(schema);
      const env = { DATABASE_URL: PG_URL };
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      /** Ponder's cached blocks of the dev chains, as `chainId:hash`. */
      const cachedBlocks = async () =>
        (await client.query<{ chain_id: string; hash: string }>("SELECT chain_id, hash FROM ponder_sync.blocks WHERE chain_id = ANY($1)", [CHAINS.map((c) => c.id)])).rows.map(
          (r) => `${r.chain_id}:${r.hash}`,
        );
      try {
        const first = await startDev(["--schema", schema, "--interval-ms", "200"], env);
        await until("bookings of both chains in PostgreSQL", first, () => bookingsEverywhere(first));
        const tables = await client.query("SELECT table_schema FROM information_schema.tables WHERE table_name = 'booking' AND table_schema = $1", [schema]);
        expect(tables.rows).toHaveLength(1);
        const offchain = await client.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'action'", [`${schema}_offchain`]);
        expect(offchain.rows).toHaveLength(1);
        const firstHeads = await until("40 blocks on both chains", first, async () => {
          const heads = await statusBlocks(first);
          return heads?.every((b) => b >= 40) ? heads : undefined;
        });
        first.child.kill("SIGTERM");
        expect(await first.exited).toBe(0);
        // What Ponder cached of each chain: only blocks its startup backfill covered (the local chains
        // run with disableCache, which keeps live blocks out but not those), so possibly none, when
        // Ponder started less than its 30 blocks of finality after the contracts' first event. Then
        // a block of that old chain is put there by hand, as Ponder would have: the point is that the
        // next start drops whatever is there, for both chain ids.
        for (const { id } of CHAINS) {
          if ((await cachedBlocks()).some((b) => b.startsWith(`${id}:`))) continue;
          await client.query(
            `INSERT INTO ponder_sync.blocks (chain_id, number, timestamp, hash, parent_hash, logs_bloom, miner, gas_used, gas_limit, difficulty, size, extra_data, state_root, receipts_root, transactions_root)
             VALUES ($4, 1, 1, $1, $2, '0x', $3, 0, 30000000, 0, 0, '0x', $2, $2, $2) ON CONFLICT DO NOTHING`,
            [`0x${"ab".repeat(32)}`, `0x${"00".repeat(32)}`, `0x${"00".repeat(20)}`, id],
          );
        }
        const oldBlocks = await cachedBlocks();
        for (const { id } of CHAINS) expect(oldBlocks.filter((b) => b.startsWith(`${id}:`)).length, `chain ${id}'s blocks are in Ponder's RPC cache`).toBeGreaterThan(0);

        const second = await startDev(["--schema", schema, "--no-traffic"], env);
        await until("the second API ready", second, async () => (await fetch(`http://127.0.0.1:${second.port}/ready`).catch(() => null))?.status === 200 || undefined);
        // New chains: no bookings, low heads, and nothing of the old chains' blocks left to read back.
        const heads = (await statusBlocks(second))!;
        for (const [i, { name, id }] of CHAINS.entries()) {
          expect(heads[i], `${name}'s head`).toBeLessThan(firstHeads[i]!);
          expect(await bookings(second, id), `${name}'s bookings`).toBe(0);
        }
        expect((await cachedBlocks()).filter((h) => oldBlocks.includes(h))).toEqual([]);
        const report = await until("a reconciliation report", second, () => json(`http://127.0.0.1:${second.port}/api/reconciliation`), 60_000);
        expect(report.differences).toEqual([]);

        // The indexer stops answering (SIGSTOP): SIGTERM still ends every process.
        const ponder = descendants(second.child.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("ponder.js"));
        expect(ponder).toBeDefined();
        const processes = descendants(second.child.pid!);
        process.kill(ponder!, "SIGSTOP");
        second.child.kill("SIGTERM");
        const code = await Promise.race([second.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000))]);
        expect(code, second.output().slice(-2000)).not.toBe("hung");
        await new Promise((r) => setTimeout(r, 500));
        expect(processes.filter(alive)).toEqual([]);
      } finally {
        await client.end();
      }
    },
    400_000,
  );
});
