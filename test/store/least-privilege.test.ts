// The README's production roles on a real PostgreSQL: the indexer (`ponder start`) keeps its own
// role; an API replica (`ponder serve`) runs as a role that may read the index's schema and read
// and write the offchain store's rows, nothing else. Every kind of route works on the replica, and
// the role's own writes to the index are refused by PostgreSQL itself.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTOR_BASE, devAccount, roleAccount } from "../../config/accounts.js";
import { Harness } from "../api/actions-harness.js";
import { signIn } from "../helpers/auth.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";
import { offchainStoreOf, startPonderServe, type PonderHandle } from "../helpers/ponder.js";

/** The grants the README gives the API's role, for an index schema and its offchain store's. */
export function apiRoleGrants(role: string, schema: string, offchain: string): string[] {
  return [
    `GRANT USAGE ON SCHEMA "${schema}" TO ${role}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`,
    `GRANT USAGE ON SCHEMA "${offchain}" TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${offchain}" TO ${role}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${offchain}" TO ${role}`,
  ];
}

const role = `api_${randomBytes(4).toString("hex")}`;
const h = new Harness({ kind: "postgres", url: PG_URL });
let replica: PonderHandle;
let admin: pg.Client;

beforeAll(async () => {
  if (!pgAvailable) return;
  await h.start();
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const { OFFCHAIN_SCHEMA } = offchainStoreOf(h.ponder.schema, undefined);
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  for (const statement of apiRoleGrants(role, h.ponder.schema, OFFCHAIN_SCHEMA)) await admin.query(statement);
  const url = new URL(PG_URL);
  url.username = role;
  replica = await startPonderServe(h.ponder, { deploymentFile: h.deploymentFile, database: { kind: "postgres", url: url.toString() }, env: { ACTIONS_RATE_LIMIT_PER_MINUTE: "10000" } });
}, 300_000);

afterAll(async () => {
  await replica?.stop();
  await h.stop();
  if (admin) {
    await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  }
});

describe("an API replica with a least-privilege role (PostgreSQL)", () => {
  (pgAvailable ? it : it.skip)("serves reads, sign-in and write actions, and its role cannot write the index", async () => {
    const merchant = devAccount(ACTOR_BASE + 1);
    const operator = roleAccount("operator");
    const order = await h.tokenOrder(merchant, `least-${Date.now()}`);
    await replica.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));

    const ready = await fetch(`${replica.url}/api/ready`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    const { qrOrders } = await replica.graphql<{ qrOrders: { items: { id: string }[] } }>("{ qrOrders(limit: 5) { items { id } } }");
    expect(qrOrders.items.map((o) => o.id.toLowerCase())).toContain(order.toLowerCase());
    const rest = await fetch(`${replica.url}/api/qr-orders/${order}`);
    expect(rest.status, await rest.clone().text()).toBe(200);
    const sql = await fetch(`${replica.url}/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql: "select count(*)::int as n from qr_order", params: [] } }))}`);
    expect(sql.status, await sql.clone().text()).toBe(200);
    expect(((await sql.json()) as { rows: { n: number }[] }).rows[0]!.n).toBeGreaterThan(0);

    // Sign-in writes a nonce and reads it back, a write action is recorded, sent and indexed: the store's rows.
    const token = await signIn(replica.url, operator as never);
    const action = await fetch(`${replica.url}/api/actions/qr-settlements`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": h.key("least") },
      body: JSON.stringify({ orderHash: order, beneficiary: merchant.address }),
    });
    const created = (await action.json()) as { id: string };
    expect(action.status, JSON.stringify(created)).toBe(201);
    const done = await h.waitFor(created.id, await h.token(operator), ["indexed"], 90_000);
    expect(done.status).toBe("indexed");

    // As the role itself: the index is read-only to it, the store's rows are not, DDL is refused.
    const url = new URL(PG_URL);
    url.username = role;
    const asRole = new pg.Client({ connectionString: url.toString() });
    await asRole.connect();
    try {
      const schema = h.ponder.schema;
      const { OFFCHAIN_SCHEMA } = offchainStoreOf(schema, undefined);
      await expect(asRole.query(`UPDATE "${schema}".qr_order SET paid_amount = 0`)).rejects.toThrow(/permission denied/);
      await expect(asRole.query(`DELETE FROM "${schema}"._ponder_checkpoint`)).rejects.toThrow(/permission denied/);
      await expect(asRole.query(`CREATE TABLE "${schema}".intruder (id int)`)).rejects.toThrow(/permission denied/);
      await expect(asRole.query(`CREATE TABLE "${OFFCHAIN_SCHEMA}".intruder (id int)`)).rejects.toThrow(/permission denied/);
      expect((await asRole.query(`SELECT count(*)::int AS n FROM "${OFFCHAIN_SCHEMA}".action`)).rows[0].n).toBeGreaterThan(0);
    } finally {
      await asRole.end();
    }
  }, 240_000);
});
