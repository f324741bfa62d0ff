// Write actions with two API processes on one PostgreSQL (issue 4: "no action is sent twice"): a
// `ponder start` and a `ponder serve` replica on the same schema and offchain store, both running
// the action worker. Creations are posted to both at once, one Idempotency-Key 20 times at each;
// the stake of some events is a child action that both workers may try to record. Afterwards the
// owner key's nonce must have grown by exactly the number of actions: one transaction each.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { numberToHex, parseEther, type Hex } from "viem";
import { abis } from "../../devchain/artifacts.js";
import { ACTOR_BASE, devAccount, roleAccount } from "../../config/accounts.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";
import { bearer, signIn } from "../helpers/auth.js";
import { offchainStoreOf, startPonderServe, type PonderHandle } from "../helpers/ponder.js";
import { Harness, sleep, type ActionBody } from "./actions-harness.js";

const ENV = { ACTIONS_RATE_LIMIT_PER_MINUTE: "10000" };
const DISTINCT = 16;
const RETRIES_PER_REPLICA = 20;

type Full = ActionBody & { finalized: boolean; createdAt: string; updatedAt: string };
type Posted = { status: number; body: Full };

async function post(url: string, token: string, body: unknown, key: string): Promise<Posted> {
  const res = await fetch(`${url}/api/actions/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key, ...bearer(token) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Full };
}

async function get(url: string, token: string, id: string): Promise<Full> {
  const res = await fetch(`${url}/api/actions/${id}`, { headers: bearer(token) });
  if (res.status !== 200) throw new Error(`GET ${url}/api/actions/${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Full;
}

describe.skipIf(!pgAvailable)("write actions with two API replicas on one PostgreSQL", () => {
  const h = new Harness({ kind: "postgres", url: PG_URL });
  const admin = roleAccount("owner");
  const operator = roleAccount("operator");
  const organizer = devAccount(ACTOR_BASE + 30);
  let replica: PonderHandle;
  let store: pg.Client;
  let adminT: string;
  let operatorT: string;

  beforeAll(async () => {
    await h.start(ENV);
    replica = await startPonderServe(h.ponder, { deploymentFile: h.deploymentFile, database: h.database, env: ENV });
    store = new pg.Client({ connectionString: PG_URL });
    await store.connect();
    // A token from either process is good on the other: one secret, one nonce store.
    adminT = await signIn(h.ponder.url, admin);
    operatorT = await signIn(replica.url, operator);
  }, 180_000);

  afterAll(async () => {
    await store?.end().catch(() => {});
    await replica?.stop().catch(() => {});
    await h.stop();
  });

  it("sends each action exactly once, whichever replica took the request or worked it", { timeout: 120_000 }, async () => {
    const urls = [h.ponder.url, replica.url];
    const table = `"${offchainStoreOf(h.ponder.schema, undefined).OFFCHAIN_SCHEMA}".action`;
    const leaseOwners = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const r = await store.query<{ o: string }>(`SELECT DISTINCT lease_owner AS o FROM ${table} WHERE lease_owner IS NOT NULL`);
        for (const row of r.rows) leaseOwners.add(row.o);
        await sleep(20);
      }
    })();
    const pidsSeen = () => new Set([...leaseOwners].map((o) => Number(o.split("-")[0])));

    try {
      const before = await h.nonceOf(admin.address);
      const event = (i: number, stakeBps: number) => ({
        organizer: organizer.address,
        price: (parseEther("0.001") * BigInt(i + 1)).toString(),
        capacity: String(10 + i),
        stakeBps,
        metadata: { name: `Replica night ${i}` },
      });
      const distinct = Array.from({ length: DISTINCT }, (_, i) => ({ url: urls[i % 2]!, body: event(i, i % 4 === 0 ? 500 + i : 0), key: h.key(`replica-${i}`) }));
      const onceKey = h.key("replica-once");
      const once = event(DISTINCT, 0);
      const retries = Array.from({ length: 2 * RETRIES_PER_REPLICA }, (_, j) => ({ url: urls[j % 2]!, body: once, key: onceKey }));

      const replies = await Promise.all([...distinct, ...retries].map((r) => post(r.url, adminT, r.body, r.key)));
      const created = replies.slice(0, DISTINCT);
      const repeated = replies.slice(DISTINCT);

      expect(created.map((r) => r.status)).toEqual(distinct.map(() => 201));
      expect(new Set(created.map((r) => r.body.id)).size).toBe(DISTINCT);
      // One key, one action: the same id from both processes, created by exactly one request.
      expect(repeated.filter((r) => r.status === 201)).toHaveLength(1);
      expect(repeated.filter((r) => r.status === 200)).toHaveLength(2 * RETRIES_PER_REPLICA - 1);
      const fromPrimary = new Set(repeated.filter((_, j) => j % 2 === 0).map((r) => r.body.id));
      const fromReplica = new Set(repeated.filter((_, j) => j % 2 === 1).map((r) => r.body.id));
      expect([...fromPrimary]).toHaveLength(1);
      expect([...fromReplica]).toEqual([...fromPrimary]);
      const parents = [...created.map((r) => r.body), repeated[0]!.body];
      // Event ids are allocated under one lock shared by both processes: all distinct.
      const eventIds = parents.map((a) => a.subject.eventId!);
      expect(new Set(eventIds).size).toBe(parents.length);
      const rows = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE idempotency_key = $1`, [onceKey]);
      expect(rows.rows[0]!.n).toBe(1);

      // Status polled on alternating replicas; a parent is indexed only after its stake child is recorded.
      const waitIndexed = async (ids: string[]) => {
        const deadline = Date.now() + 60_000;
        let pending = ids;
        let turn = 0;
        while (pending.length && Date.now() < deadline) {
          const now = await Promise.all(pending.map((id) => get(urls[turn++ % 2]!, operatorT, id)));
          const wrong = now.find((a) => a.status === "failed");
          if (wrong) throw new Error(`action ${wrong.id} failed: ${JSON.stringify(wrong)}`);
          pending = now.filter((a) => a.status !== "indexed").map((a) => a.id);
          if (pending.length) await sleep(200);
        }
        if (pending.length) throw new Error(`not indexed: ${pending.join(", ")}\n${h.ponder.logTail(20)}\n${replica.logTail(20)}`);
      };
      await waitIndexed(parents.map((a) => a.id));

      // Both workers tried to record each stake child while its parent was mined: one child each.
      const kids = await store.query<{ id: string; parent_id: string }>(`SELECT id, parent_id FROM ${table} WHERE parent_id IS NOT NULL`);
      const staked = distinct.map((d, i) => ({ ...d, id: created[i]!.body.id })).filter((d) => d.body.stakeBps > 0);
      expect(kids.rows.map((k) => k.parent_id).sort()).toEqual(staked.map((s) => s.id).sort());
      await waitIndexed(kids.rows.map((k) => k.id));
      const ids = [...parents.map((a) => a.id), ...kids.rows.map((k) => k.id)];
      const total = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      expect(total.rows[0]!.n).toBe(ids.length);

      // Indexed actions are watched until final, so both workers keep leasing them: both must show up.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !(pidsSeen().has(h.ponder.pid) && pidsSeen().has(replica.pid))) await sleep(100);
      expect([...pidsSeen()].sort()).toEqual([h.ponder.pid, replica.pid].sort());

      // Bury the blocks so every action is finalized and stops changing, then compare both views.
      await h.rpc("anvil_mine", [numberToHex(40)]);
      const final = async () => {
        const until = Date.now() + 30_000;
        while (Date.now() < until) {
          const all = await Promise.all(ids.map((id) => get(urls[0]!, operatorT, id)));
          if (all.every((a) => a.finalized)) return all;
          await sleep(300);
        }
        throw new Error("actions were not finalized");
      };
      const done = await final();
      const onReplica = await Promise.all(ids.map((id) => get(urls[1]!, adminT, id)));
      expect(onReplica).toEqual(done);

      for (const a of done) {
        expect(a.status).toBe("indexed");
        expect(a.transitions.map((t) => t.status)).toEqual(["pending", "sent", "mined", "indexed"]);
        expect(a.previousTxHashes).toEqual([]);
        expect(a.sender).toEqual({ role: "owner", address: admin.address });
      }
      // One transaction per action: distinct hashes, the nonces before … before+n-1, nothing else.
      expect(new Set(done.map((a) => a.txHash)).size).toBe(ids.length);
      expect(done.map((a) => a.nonce!).sort((x, y) => x - y)).toEqual(Array.from({ length: ids.length }, (_, i) => before + i));
      expect(await h.chain.publicClient.getTransactionCount({ address: admin.address, blockTag: "latest" })).toBe(before + ids.length);
      expect(await h.nonceOf(admin.address)).toBe(before + ids.length);
      for (const a of done) {
        const tx = await h.chain.publicClient.getTransaction({ hash: a.txHash as Hex });
        expect([tx.nonce, tx.from.toLowerCase(), tx.blockHash]).toEqual([a.nonce, admin.address.toLowerCase(), a.block!.hash]);
      }

      // And the chain holds what was asked, once.
      for (const [i, d] of [...distinct, { body: once }].entries()) {
        const e = (await h.chain.publicClient.readContract({ address: h.c.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "getEvent", args: [BigInt(eventIds[i]!)] })) as {
          organizer: string;
          maxCapacity: bigint;
          price: bigint;
        };
        expect([e.organizer.toLowerCase(), e.maxCapacity.toString(), e.price.toString()]).toEqual([organizer.address.toLowerCase(), d.body.capacity, d.body.price]);
        const sales = (await h.chain.publicClient.readContract({ address: h.c.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "eventSales", args: [BigInt(eventIds[i]!)] })) as readonly bigint[];
        expect(sales[0]).toBe(BigInt(d.body.stakeBps));
      }
    } finally {
      sampling = false;
      await sampler.catch(() => {});
    }
  });
});
