// A store's actions for a chain id belong to one chain: real anvils (two ids, and a restarted chain
// with the same id and a new genesis) against a real store on PGlite and PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainIdentity } from "../../api/actions/chain-guard.js";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";
import { uniqueChainId } from "../helpers/chain.js";
import { dropPostgresSchema, uniqueSchema } from "../helpers/ponder.js";

// The drizzle tables take their schema from the environment when they load: set it first.
const SCHEMA = uniqueSchema("chain");
process.env.OFFCHAIN_SCHEMA = SCHEMA;
const { bindStoreToChain, chainIdentity } = await import("../../api/actions/chain-guard.js");
const { ApiError } = await import("../../api/http/errors.js");
const { openStore } = await import("../../api/store/db.js");
const { eventMetadata } = await import("../../api/store/tables/metadata.js");

const identityOf = (anvil: Anvil) => chainIdentity(createPublicClient({ transport: http(anvil.rpcUrl) }));

let first: ChainIdentity;
let otherId: ChainIdentity;
let restarted: ChainIdentity;
const cleanup: (() => void)[] = [];

beforeAll(async () => {
  const id = uniqueChainId();
  const a = await startAnvil({ chainId: id });
  first = await identityOf(a);
  await a.stop();
  await new Promise((r) => setTimeout(r, 1100)); // anvil's genesis carries its start second
  const b = await startAnvil({ chainId: id });
  restarted = await identityOf(b);
  await b.stop();
  const c = await startAnvil({ chainId: id + 1 });
  otherId = await identityOf(c);
  await c.stop();
});

afterAll(() => cleanup.forEach((f) => f()));

const backends = [
  {
    name: "pglite",
    enabled: true,
    env: () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "store-chain-"));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      return { OFFCHAIN_PGLITE_DIR: path.join(dir, "db"), OFFCHAIN_SCHEMA: SCHEMA };
    },
  },
  {
    name: "postgres",
    enabled: pgAvailable,
    env: () => {
      cleanup.push(() => dropPostgresSchema(PG_URL, SCHEMA));
      return { DATABASE_URL: PG_URL, OFFCHAIN_SCHEMA: SCHEMA };
    },
  },
];

describe.each(backends)("store bound to a chain on $name", ({ enabled, env }) => {
  (enabled ? it : it.skip)("keeps each chain id's first genesis, across reopenings: another id is bound beside it, a restarted chain refused", async () => {
    expect(restarted.chainId).toBe(first.chainId);
    expect(restarted.genesisHash).not.toBe(first.genesisHash); // the precondition of the second refusal
    const e = env();
    let store = await openStore(e);
    await bindStoreToChain(store, first);
    await bindStoreToChain(store, first);
    await store.close();
    store = await openStore(e);
    await bindStoreToChain(store, first);
    await bindStoreToChain(store, otherId);
    await bindStoreToChain(store, otherId);
    const err = await bindStoreToChain(store, restarted).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as InstanceType<typeof ApiError>;
    expect(apiError.status).toBe(503);
    expect(apiError.code).toBe("store_chain_mismatch");
    expect(apiError.message).toContain(restarted.genesisHash);
    expect(apiError.message).toContain("OFFCHAIN_");
    await store.close();
    store = await openStore(e);
    // The refusal changed nothing: both bindings hold, the restarted chain is still refused.
    await bindStoreToChain(store, first);
    await bindStoreToChain(store, otherId);
    await expect(bindStoreToChain(store, restarted)).rejects.toMatchObject({ code: "store_chain_mismatch" });

    // Metadata from a store before per-chain keys (chain 0) goes to the first network's chain when it
    // binds; where that chain has a version of its own since, that one is kept.
    const at = (name: string, chainId: number, eventId: string) => ({ chainId, eventId, name, updatedBy: "0x1", createdAt: new Date(), updatedAt: new Date() });
    await store.db.insert(eventMetadata).values([at("old 7", 0, "7"), at("old 8", 0, "8"), at("new 8", first.chainId, "8")]);
    await bindStoreToChain(store, first, true);
    const rows = await store.db.select({ chainId: eventMetadata.chainId, eventId: eventMetadata.eventId, name: eventMetadata.name }).from(eventMetadata);
    expect(rows.sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual([
      { chainId: first.chainId, eventId: "7", name: "old 7" },
      { chainId: first.chainId, eventId: "8", name: "new 8" },
    ]);
    await store.close();
  });
});
