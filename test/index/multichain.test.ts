// Two chains in one index (PONDER_NETWORKS), on PGlite and on PostgreSQL. Both chains get the same
// contracts at the same addresses (same deployer, same nonces) and seeded simulator traffic, so
// event ids, token ids, addresses and tx positions collide between them, as they can between real
// chains. The first is named "local", so the dev keys and secret serve the API as in every other suite. Then:
// (a) every table holds, for each chain, exactly the replay of that chain's own logs;
// (b) GraphQL filters by chainId and its relations never leave their chain;
// (c) REST reads take ?chainId=, find an id on its only chain, and refuse one on both with a 400
//     that names them;
// (d) a reorg on one chain is repaired there and leaves the other chain's rows exactly as they were;
// (e) reconciliation, /api/ready and /status cover both chains, each by name;
// (f) sign-in may name either chain, and a booking authorization is signed for the chain asked for;
// (g) a write action on each chain is sent with that chain's client and key and reaches `indexed`
//     there (chain B's owner key comes from its own PONDER_LOCAL_B_OWNER_PRIVATE_KEY); a reorg on
//     one chain re-sends its action and leaves the other chain's as it was.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, encodeFunctionData, http, maxUint256, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { abis } from "../../devchain/artifacts.js";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import { writeDeployment, type Deployment } from "../../config/deployment.js";
import { deployLocal, localChain } from "../../devchain/local.js";
import { simulate, type SimulationResult } from "../../devchain/sim/simulator.js";
import { roleAccount } from "../../config/accounts.js";
import { bearer, getSignInNonce, postVerify, signIn, siweMessage } from "../helpers/auth.js";
import { bookingArgs } from "../helpers/escrow.js";
import { devKeysEnv, uniqueChainId } from "../helpers/chain.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { canonical, COMPARED_COLUMNS, expectedTables, type Expected, type Row } from "../helpers/expectations.js";
import { chainLogs } from "../helpers/logs.js";
import { dropSyncRows, startPonder, waitForChains, type PonderHandle } from "../helpers/ponder.js";
import { tableRows } from "../helpers/tables.js";

const OPS = 250;
const enabled = backends.filter((b) => b.enabled);

type World = { name: string; anvil: Anvil; deployment: Deployment; sim: SimulationResult; head: bigint; expected: Expected };
const worlds: World[] = [];
let tmpDir: string;
let networks: { name: string; deploymentFile: string }[];
const ponders = new Map<string, PonderHandle>();
/** Per backend: chain B's rows before and after chain A's reorg; chain A's rows after it. */
const afterReorg = new Map<string, { aOrphaned: Row[]; bBefore: Record<string, Row[]>; bAfter: Record<string, Row[]>; aAfter: Record<string, Row[]> }>();
/** Chain B is not a local network: its keys are its own variables (the dev accounts', so the contracts accept them). */
const KEYS_ENV = devKeysEnv("local-b");
const ORPHANED_RATES = [16_100n * 10n ** 18n, 16_200n * 10n ** 18n, 16_300n * 10n ** 18n];

const rpcOf = (w: World) => createPublicClient({ transport: http(w.anvil.rpcUrl, { batch: true }) });

async function replay(w: World): Promise<Expected> {
  const logs = await chainLogs(w.anvil.rpcUrl, w.deployment, w.head);
  return expectedTables(logs, w.deployment, rpcOf(w), w.head);
}

/** Polls until each chain's bookings, rate updates and accounts are as many as its replay has. */
async function waitForCounts(ponder: PonderHandle, replays: Expected[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  const tables = [["booking", "bookings"], ["oracle_rate_history", "oracleRateHistorys"], ["account", "accounts"]] as const;
  let last = "";
  while (Date.now() < deadline) {
    const counts = await Promise.all(
      worlds.flatMap((w, i) =>
        tables.map(async ([table, plural]) => {
          const data = await ponder.graphql<Record<string, { totalCount: number }>>(`{ ${plural}(where: { chainId: ${w.deployment.chainId} }) { totalCount } }`);
          return [`${w.name}.${table}`, data[plural]!.totalCount, replays[i]!.tables[table]!.length] as const;
        }),
      ),
    ).catch(() => null);
    if (counts?.every(([, seen, want]) => seen === want)) return;
    last = JSON.stringify(counts);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the restarted index did not get back to the replay's row counts: ${last}; log ${ponder.logFile}:\n${ponder.logTail()}`);
}

/** Every table's rows of one chain, as compared with the replay. */
async function chainRows(ponder: PonderHandle, chainId: number): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const table of Object.keys(COMPARED_COLUMNS)) out[table] = canonical(await tableRows(ponder, table, COMPARED_COLUMNS[table]!, chainId));
  return out;
}

const canonicalTables = (e: Expected) => Object.fromEntries(Object.entries(e.tables).map(([t, rows]) => [t, canonical(rows)]));

/** The owner sets OracleHub rates: one block each, events no simulator state depends on. */
async function setRates(w: World, rates: bigint[]): Promise<bigint> {
  const wallet = createWalletClient({ transport: http(w.anvil.rpcUrl) });
  const client = rpcOf(w);
  let block = 0n;
  for (const rate of rates) {
    const hash = await wallet.sendTransaction({
      account: w.deployment.roles.owner,
      chain: null,
      to: w.deployment.contracts.OracleHub.address,
      data: encodeFunctionData({ abi: abis.OracleHub, functionName: "setRate", args: [w.deployment.tokens.USDC, rate] }),
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error("setRate reverted");
    block = receipt.blockNumber;
  }
  return block;
}

beforeAll(async () => {
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-multichain-"));
  const built = await Promise.all(
    ["local", "local-b"].map(async (name, i) => {
      const chainId = uniqueChainId();
      const anvil = await startAnvil({ accounts: 40, chainId });
      const deployment = await deployLocal(anvil.rpcUrl, name, chainId);
      const sim = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed: 40 + i, ops: OPS, profile: "mixed" });
      return { name, anvil, deployment, sim, head: sim.toBlock };
    }),
  );
  for (const w of built) worlds.push({ ...w, expected: undefined as unknown as Expected });
  networks = worlds.map((w) => ({ name: w.name, deploymentFile: writeDeployment(w.deployment, path.join(tmpDir, `${w.name}.json`)) }));
  const [a, b] = worlds as [World, World];
  const heads = () => Object.fromEntries(worlds.map((w) => [w.name, w.head]));

  await Promise.all([
    ...worlds.map(async (w) => (w.expected = await replay(w))),
    ...enabled.map(async (backend) => {
      // Its data is kept: the last suite kills it and restarts on it (the restarted one cleans up).
      const ponder = await startPonder({ networks, database: backend.database, readyTimeoutMs: 300_000, keepData: true, env: KEYS_ENV });
      ponders.set(backend.name, ponder);
      await waitForChains(ponder, heads());
    }),
  ]);

  // Chain A reorgs: three blocks of rate updates are indexed, then replaced by other blocks.
  const snapshot = await rpcOf(a).request({ method: "evm_snapshot" as never }) as Hex;
  const orphanHead = await setRates(a, ORPHANED_RATES);
  const bBefore = new Map<string, Record<string, Row[]>>();
  const aOrphaned = new Map<string, Row[]>();
  await Promise.all(
    enabled.map(async (backend) => {
      const ponder = ponders.get(backend.name)!;
      await waitForChains(ponder, { ...heads(), [a.name]: orphanHead });
      bBefore.set(backend.name, await chainRows(ponder, b.deployment.chainId));
      aOrphaned.set(backend.name, await tableRows(ponder, "oracle_rate_history", ["rate", "txHash"], a.deployment.chainId));
    }),
  );
  if (!(await rpcOf(a).request({ method: "evm_revert" as never, params: [snapshot] as never }))) throw new Error("evm_revert failed");
  await rpcOf(a).request({ method: "anvil_mine" as never, params: ["0x2"] as never });
  a.head = await setRates(a, [15_900n * 10n ** 18n, 15_800n * 10n ** 18n]);
  if (a.head <= orphanHead) throw new Error("the canonical branch must be longer than the orphaned one");
  a.expected = await replay(a);
  await Promise.all(
    enabled.map(async (backend) => {
      const ponder = ponders.get(backend.name)!;
      await waitForChains(ponder, heads(), 120_000);
      afterReorg.set(backend.name, {
        aOrphaned: aOrphaned.get(backend.name)!,
        bBefore: bBefore.get(backend.name)!,
        bAfter: await chainRows(ponder, b.deployment.chainId),
        aAfter: await chainRows(ponder, a.deployment.chainId),
      });
    }),
  );
}, 900_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await Promise.all(worlds.map((w) => w.anvil.stop()));
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable) for (const w of worlds) dropSyncRows(PG_URL, w.deployment.chainId);
});

describe("the two chains", () => {
  it("have the same contract addresses and colliding ids, and traffic without a revert", () => {
    const [a, b] = worlds as [World, World];
    expect(a.deployment.chainId).not.toBe(b.deployment.chainId);
    expect(a.deployment.contracts).toEqual(b.deployment.contracts);
    expect(a.sim.failures).toEqual([]);
    expect(b.sim.failures).toEqual([]);
    const eventIds = (w: World) => new Set(w.expected.tables.ticketed_event!.map((r) => r.id));
    expect([...eventIds(a)].filter((id) => eventIds(b).has(id)).length).toBeGreaterThan(0);
  });
});

describe.each(backends)("one index of two chains on $name", ({ name, enabled: on }) => {
  const run = on ? it : it.skip;
  const ponder = () => ponders.get(name)!;
  const [A, B] = [0, 1] as const;

  run("chain A reorged: its orphaned rows were indexed, Ponder reverted them, and its tables equal the replay of its canonical logs", () => {
    const { aOrphaned, aAfter } = afterReorg.get(name)!;
    const orphaned = ORPHANED_RATES.map(String);
    expect(aOrphaned.filter((r) => orphaned.includes(r.rate!))).toHaveLength(orphaned.length);
    expect(aAfter.oracle_rate_history!.filter((r) => orphaned.includes(r.rate!))).toEqual([]);
    expect(readFileSync(ponder().logFile, "utf8")).toMatch(/Reorged block/);
    expect(aAfter).toEqual(canonicalTables(worlds[A]!.expected));
  });

  run("chain B's tables equal the replay of its logs, and chain A's reorg left every row of them as it was", () => {
    const { bBefore, bAfter } = afterReorg.get(name)!;
    expect(bAfter).toEqual(canonicalTables(worlds[B]!.expected));
    expect(bAfter).toEqual(bBefore);
  });

  run("no row belongs to a third chain", async () => {
    const served = new Set(worlds.map((w) => String(w.deployment.chainId)));
    for (const table of ["booking", "ticket", "qr_order", "account", "contract_info"]) {
      const rows = await tableRows(ponder(), table, ["chainId"]);
      expect(rows.filter((r) => !served.has(r.chainId!)), table).toEqual([]);
      const expected = worlds.reduce((n, w) => n + w.expected.tables[table]!.length, 0);
      expect(rows.length, table).toBe(expected);
    }
  });

  run("GraphQL: an event's tickets are its own chain's, though both chains have event 1 with tickets", async () => {
    for (const w of worlds) {
      const data = await ponder().graphql<{ ticketedEvent: { chainId: number; tickets: { items: { chainId: number; eventId: string }[] } } }>(
        `query($c: Float!) { ticketedEvent(chainId: $c, id: "1") { chainId tickets(limit: 1000) { items { chainId eventId } } } }`,
        { c: w.deployment.chainId },
      );
      const expected = w.expected.tables.ticket!.filter((t) => t.eventId === "1").length;
      expect(expected).toBeGreaterThan(0);
      expect(data.ticketedEvent.chainId).toBe(w.deployment.chainId);
      expect(data.ticketedEvent.tickets.items).toHaveLength(expected);
      expect(data.ticketedEvent.tickets.items.every((t) => t.chainId === w.deployment.chainId && t.eventId === "1")).toBe(true);
    }
  });

  run("REST: an id on both chains is a 400 naming them; ?chainId= picks one; an unserved chain is a 400", async () => {
    const chains = worlds.map((w) => w.deployment.chainId).sort((x, y) => x - y);
    const both = await fetch(`${ponder().url}/api/events/1`);
    const body = (await both.json()) as { error: { code: string; message: string; details: { chains: number[] } } };
    expect(both.status).toBe(400);
    expect(body.error.code).toBe("ambiguous_chain");
    expect(body.error.details.chains).toEqual(chains);
    expect(body.error.message).toContain(chains.join(", "));

    for (const w of worlds) {
      const res = await fetch(`${ponder().url}/api/events/1?chainId=${w.deployment.chainId}`);
      const event = (await res.json()) as { chainId: number; sold: string };
      expect(res.status).toBe(200);
      expect(event.chainId).toBe(w.deployment.chainId);
      expect(event.sold).toBe(w.expected.tables.ticketed_event!.find((e) => e.id === "1")!.sold);
    }

    const unserved = await fetch(`${ponder().url}/api/events/1?chainId=1`);
    expect(unserved.status).toBe(400);
    expect(((await unserved.json()) as { error: { code: string } }).error.code).toBe("unknown_chain");
  });

  run("REST: an id on one chain only is found there without a chainId", async () => {
    const [a, b] = worlds as [World, World];
    const bIds = new Set(b.expected.tables.booking!.map((r) => r.id));
    const only = a.expected.tables.booking!.find((r) => !bIds.has(r.id))!;
    expect(only).toBeDefined();
    const res = await fetch(`${ponder().url}/api/bookings/${only.id}`);
    const booking = (await res.json()) as { chainId: number; amount: string };
    expect(res.status).toBe(200);
    expect(booking).toMatchObject({ chainId: a.deployment.chainId, amount: only.amount });
    // The same id asked for on the other chain does not exist there.
    expect((await fetch(`${ponder().url}/api/bookings/${only.id}?chainId=${b.deployment.chainId}`)).status).toBe(404);
  });

  run("reconciliation compares each chain with its own contracts: 0 differences on both, each named", async () => {
    const res = await fetch(`${ponder().url}/api/reconciliation`);
    const report = (await res.json()) as { differences: unknown[]; checked: number; chains: { chainId: number; chain: string; block: string; checked: number; differences: number }[] };
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report.differences).toEqual([]);
    expect(report.chains.map((c) => [c.chainId, c.chain, c.block, c.differences])).toEqual(worlds.map((w) => [w.deployment.chainId, w.name, String(w.head), 0]));
    expect(report.chains.every((c) => c.checked > 100)).toBe(true);
    expect(report.checked).toBe(report.chains.reduce((n, c) => n + c.checked, 0));
  });

  run("/api/ready and /status list both chains", async () => {
    const ready = (await (await fetch(`${ponder().url}/api/ready`)).json()) as { ready: boolean; chains: { chain: string; chainId: number }[] };
    expect(ready.ready).toBe(true);
    expect(ready.chains.map((c) => [c.chain, c.chainId])).toEqual(worlds.map((w) => [w.name, w.deployment.chainId]));
    const status = (await (await fetch(`${ponder().url}/status`)).json()) as Record<string, { id: number }>;
    expect(Object.fromEntries(Object.entries(status).map(([k, v]) => [k, v.id]))).toEqual(Object.fromEntries(worlds.map((w) => [w.name, w.deployment.chainId])));
  });

  run("REST: an account on both chains has a summary per chain", async () => {
    const owner = worlds[A]!.deployment.roles.owner as Address;
    const ambiguous = await fetch(`${ponder().url}/api/accounts/${owner}`);
    expect(ambiguous.status).toBe(400);
    for (const w of worlds) {
      const res = await fetch(`${ponder().url}/api/accounts/${owner}?chainId=${w.deployment.chainId}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { chainId: number }).chainId).toBe(w.deployment.chainId);
    }
  });
});

// Last: paying a booking moves chain B, which every check above reads as it was.
describe.each(backends)("write side of two chains on $name", ({ name, enabled: on }) => {
  const run = on ? it : it.skip;
  const ponder = () => ponders.get(name)!;
  const B = 1;

  run("sign-in names either chain; a booking authorization is signed for the chain asked for, paid there, and read as used", async () => {
    const b = worlds[B]!;
    const chains = worlds.map((w) => w.deployment.chainId);
    const customer = privateKeyToAccount(generatePrivateKey());
    const n = await getSignInNonce(ponder().url);
    expect(n.chainIds).toEqual(chains);
    const message = siweMessage(ponder().url, customer, n, { chainId: b.deployment.chainId });
    const verified = await postVerify(ponder().url, message, await customer.signMessage({ message }));
    const { token } = (await verified.json()) as { token: string };
    expect(verified.status).toBe(200);
    const other = siweMessage(ponder().url, customer, await getSignInNonce(ponder().url), { chainId: 1 });
    expect((await postVerify(ponder().url, other, await customer.signMessage({ message: other }))).status).toBe(401);

    const sign = (body: Record<string, unknown>) =>
      fetch(`${ponder().url}/api/sign/booking`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify(body) });
    const terms = { provider: b.deployment.roles.operator, amount: "7000000" };
    const unnamed = await sign(terms);
    expect(unnamed.status).toBe(400);
    expect(((await unnamed.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({ code: "chain_required", details: { chains } });
    const res = await sign({ ...terms, chainId: b.deployment.chainId });
    const issued = (await res.json()) as { id: string; authorization: Record<string, string>; signature: Hex; typedData: { domain: { chainId: number; verifyingContract: string } } };
    expect(res.status, JSON.stringify(issued)).toBe(201);
    expect(issued.typedData.domain).toMatchObject({ chainId: b.deployment.chainId, verifyingContract: b.deployment.contracts.BookingEscrow.address });

    // The customer pays it on chain B.
    const chain = localChain(b.anvil.rpcUrl, b.deployment.chainId);
    const client = createPublicClient({ chain, transport: http(b.anvil.rpcUrl) });
    const wallet = createWalletClient({ account: customer, chain, transport: http(b.anvil.rpcUrl) });
    await client.request({ method: "anvil_setBalance" as never, params: [customer.address, "0x8ac7230489e80000"] as never });
    const usdc = b.deployment.tokens.USDC;
    const escrow = b.deployment.contracts.BookingEscrow.address;
    for (const hash of [
      await wallet.writeContract({ address: usdc, abi: abis.TestToken, functionName: "mint", args: [customer.address, 7_000_000n] }),
      await wallet.writeContract({ address: usdc, abi: abis.TestToken, functionName: "approve", args: [escrow, maxUint256] }),
    ]) {
      await client.waitForTransactionReceipt({ hash });
    }
    const a = issued.authorization;
    const hash = await wallet.writeContract({
      address: escrow,
      abi: abis.BookingEscrow,
      functionName: "createAndPayBooking",
      args: [
        bookingArgs(a),
        issued.signature,
      ],
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    await waitForChains(ponder(), { [b.name]: receipt.blockNumber }, 60_000);

    const record = (await (await fetch(`${ponder().url}/api/authorizations/${issued.id}`, { headers: bearer(token) })).json()) as { status: string; txHash: string };
    expect([record.status, record.txHash]).toEqual(["used", hash]);
    const booking = (await (await fetch(`${ponder().url}/api/bookings/${a.bookingId}`)).json()) as { chainId: number; amount: string };
    expect(booking).toMatchObject({ chainId: b.deployment.chainId, amount: "7000000" });
  });
});

describe.each(backends)("write actions on both chains on $name", ({ name, enabled: on }) => {
  const run = on ? it : it.skip;
  const ponder = () => ponders.get(name)!;
  type Action = {
    id: string;
    chainId: number;
    status: string;
    txHash: string | null;
    nonce: number | null;
    block: { number: string; hash: string } | null;
    transitions: { status: string; at: string; note?: string }[];
  };

  const send = async (token: string, path: string, body?: unknown) => {
    const res = await fetch(`${ponder().url}${path}`, {
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Action & { error: { code: string; details: unknown } } };
  };
  const actionOf = async (token: string, id: string) => (await (await fetch(`${ponder().url}/api/actions/${id}`, { headers: bearer(token) })).json()) as Action;
  const waitFor = async (token: string, id: string, done: (a: Action) => boolean) => {
    const deadline = Date.now() + 120_000;
    let last: Action | undefined;
    while (Date.now() < deadline) {
      last = await actionOf(token, id);
      if (done(last) || last.status === "failed") return last;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`action ${id} did not get there: ${JSON.stringify(last)}`);
  };
  const indexed = (token: string, id: string) => waitFor(token, id, (a) => a.status === "indexed");
  /** What a watch pass may not change on an action its chain left alone. */
  const settled = (a: Action) => ({ status: a.status, txHash: a.txHash, nonce: a.nonce, block: a.block, transitions: a.transitions });

  run("an event created on each chain is sent there with that chain's key and reaches indexed; a reorg on one chain re-sends only its action; cancelling names the chain", async () => {
    const token = await signIn(ponder().url, roleAccount("owner"));
    const chains = worlds.map((w) => w.deployment.chainId);
    const [a, b] = worlds as [World, World];
    const terms = { organizer: roleAccount("operator").address, price: "1000", capacity: "5", metadata: { name: "Two-chain night" } };
    const unnamed = await send(token, "/api/actions/events", terms);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error).toMatchObject({ code: "chain_required", details: { chains } });

    // Chain A's blocks from here on are orphaned below.
    const snapshot = (await rpcOf(a).request({ method: "evm_snapshot" as never })) as Hex;
    // The same event id on both chains (a different one per backend: both indexes watch these chains).
    const eventId = String(700_000 + enabled.findIndex((e) => e.name === name));
    const done: Action[] = [];
    for (const w of worlds) {
      const created = await send(token, "/api/actions/events", { ...terms, chainId: w.deployment.chainId, eventId });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.chainId).toBe(w.deployment.chainId);
      const action = await indexed(token, created.body.id);
      expect(action.status, JSON.stringify(action)).toBe("indexed");
      const receipt = await rpcOf(w).getTransactionReceipt({ hash: action.txHash as Hex });
      expect([receipt.status, receipt.from.toLowerCase(), receipt.blockHash]).toEqual(["success", roleAccount("owner").address.toLowerCase(), action.block!.hash]);
      const read = await fetch(`${ponder().url}/api/events/${eventId}?chainId=${w.deployment.chainId}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as { chainId: number }).chainId).toBe(w.deployment.chainId);
      const meta = (await (await fetch(`${ponder().url}/api/events/${eventId}/metadata?chainId=${w.deployment.chainId}`)).json()) as { chainId: number; name: string };
      expect(meta).toMatchObject({ chainId: w.deployment.chainId, name: "Two-chain night" });
      done.push(action);
    }

    // Chain A reorgs under its action: that one goes back to sent and is mined and indexed again in
    // another block; chain B's stays exactly as it was.
    const [onA, onB] = done as [Action, Action];
    if (!(await rpcOf(a).request({ method: "evm_revert" as never, params: [snapshot] as never }))) throw new Error("evm_revert failed");
    await rpcOf(a).request({ method: "anvil_mine" as never, params: ["0x3"] as never });
    const again = await waitFor(token, onA.id, (x) => x.status === "indexed" && x.block !== null && x.block.hash !== onA.block!.hash);
    expect(again.status, JSON.stringify(again)).toBe("indexed");
    // Back to sent and mined again (or, had the node re-included it itself, straight to mined).
    const since = again.transitions.map((t) => t.status).slice(onA.transitions.length);
    expect(since).toContain("mined");
    expect(since.at(-1)).toBe("indexed");
    expect(again.txHash).toBe(onA.txHash);
    expect(settled(await actionOf(token, onB.id))).toEqual(settled(onB));

    // On both chains now: cancelling by id alone is ambiguous; ?chainId= picks chain B, and A's stays ACTIVE.
    const ambiguous = await send(token, `/api/actions/events/${eventId}/cancel`);
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error).toMatchObject({ code: "ambiguous_chain", details: { chains: [...chains].sort((x, y) => x - y) } });
    const cancelled = await send(token, `/api/actions/events/${eventId}/cancel?chainId=${b.deployment.chainId}`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(201);
    expect((await indexed(token, cancelled.body.id)).status).toBe("indexed");
    const status = async (w: World) => ((await (await fetch(`${ponder().url}/api/events/${eventId}?chainId=${w.deployment.chainId}`)).json()) as { status: string }).status;
    expect([await status(a), await status(b)]).toEqual(["ACTIVE", "CANCELLED"]);
  });
});

// Last of all: SIGKILL each index and restart it on its data. Crash recovery restores both chains.
describe("crash and restart with both chains", () => {
  const restarted = new Map<string, { log: string; rows: Record<string, Row[]>[] }>();
  const replays: Expected[] = [];

  beforeAll(async () => {
    const heads = Object.fromEntries(await Promise.all(worlds.map(async (w) => [w.name, await rpcOf(w).getBlockNumber({ cacheTime: 0 })] as const)));
    for (const w of worlds) w.head = heads[w.name]!;
    replays.push(...(await Promise.all(worlds.map(replay))));
    await Promise.all(
      enabled.map(async (backend) => {
        const victim = ponders.get(backend.name)!;
        const exited = new Promise<void>((resolve) => (victim.process.exitCode === null && victim.process.signalCode === null ? victim.process.once("exit", () => resolve()) : resolve()));
        victim.kill();
        await exited;
        // Waits for /ready, which includes the wait for the dead process's lock (up to ~25 s).
        const ponder = await startPonder({ networks, database: backend.database, schema: victim.schema, pgliteDir: victim.pgliteDir, readyTimeoutMs: 240_000, env: KEYS_ENV });
        ponders.set(backend.name, ponder);
        await waitForChains(ponder, heads, 120_000);
        // Not enough on its own: the chains are short (every block still unfinalized), so recovery
        // reverts to block 0 and re-indexes them live, while /status already shows the old heads.
        await waitForCounts(ponder, replays);
        restarted.set(backend.name, { log: readFileSync(ponder.logFile, "utf8"), rows: await Promise.all(worlds.map((w) => chainRows(ponder, w.deployment.chainId))) });
      }),
    );
  }, 600_000);

  describe.each(backends)("on $name", ({ name, enabled: on }) => {
    const run = on ? it : it.skip;
    run("recovers, and each chain's tables equal the replay of its logs (the write above included)", () => {
      const r = restarted.get(name)!;
      expect(r.log).toMatch(/crash recovery/i);
      worlds.forEach((w, i) => expect(r.rows[i], w.name).toEqual(canonicalTables(replays[i]!)));
      expect(replays[1]!.tables.booking!.length).toBeGreaterThan(worlds[1]!.expected.tables.booking!.length);
    });
  });
});
