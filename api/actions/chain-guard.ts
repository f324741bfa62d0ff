// A store's signed transactions for a chain id belong to one chain. Pointed at another chain of the
// same id (a restarted local chain reuses it), the executor would re-broadcast old raw transactions
// there, so the first genesis seen for each chain id is recorded and any other refused. Another chain
// id is another row: one store holds the actions of every chain the API serves.
import { eq, sql } from "drizzle-orm";
import type { Hex, PublicClient } from "viem";
import { ApiError } from "../http/errors.js";
import type { Store } from "../store/db.js";
import { eventMetadata } from "../store/tables/metadata.js";
import { storeChain } from "../store/schema.js";

export type ChainIdentity = { chainId: number; genesisHash: Hex };

export async function chainIdentity(client: Pick<PublicClient, "getChainId" | "getBlock">): Promise<ChainIdentity> {
  const [chainId, genesis] = await Promise.all([client.getChainId(), client.getBlock({ blockNumber: 0n })]);
  if (!genesis.hash) throw new Error("the RPC returned no hash for block 0");
  return { chainId, genesisHash: genesis.hash };
}

export function sameChain(a: ChainIdentity, b: ChainIdentity): boolean {
  return a.chainId === b.chainId && a.genesisHash.toLowerCase() === b.genesisHash.toLowerCase();
}

/**
 * Records `identity` as the chain of its id on first use; throws 503 store_chain_mismatch for another
 * genesis under a recorded id. `claimUnchained`: the first served network's binding also takes the
 * event metadata a store from before per-chain keys held without a chain (chain 0, migration 0008).
 */
export async function bindStoreToChain(store: Store, identity: ChainIdentity, claimUnchained = false): Promise<void> {
  await store.locked("store-chain", async (tx) => {
    if (claimUnchained) {
      // A version written for the chain since (a PUT before this binding) is the newer one.
      await tx.execute(
        sql`DELETE FROM ${eventMetadata} WHERE ${eventMetadata.chainId} = 0 AND ${eventMetadata.eventId} IN (SELECT ${eventMetadata.eventId} FROM ${eventMetadata} WHERE ${eventMetadata.chainId} = ${identity.chainId})`,
      );
      await tx.update(eventMetadata).set({ chainId: identity.chainId }).where(eq(eventMetadata.chainId, 0));
    }
    const [row] = await tx.select().from(storeChain).where(eq(storeChain.chainId, identity.chainId));
    if (!row) {
      await tx.insert(storeChain).values({ chainId: identity.chainId, genesisHash: identity.genesisHash, createdAt: new Date() });
      return;
    }
    const recorded: ChainIdentity = { chainId: row.chainId, genesisHash: row.genesisHash as Hex };
    if (!sameChain(recorded, identity)) {
      throw new ApiError(
        503,
        "store_chain_mismatch",
        `the offchain store (${store.location.kind === "postgres" ? `schema ${store.location.schema}` : store.location.directory}) holds actions for chain ${recorded.chainId} with genesis ${recorded.genesisHash}, but the RPC serves chain ${identity.chainId} with genesis ${identity.genesisHash}: point OFFCHAIN_SCHEMA / OFFCHAIN_PGLITE_DIR at a store of this chain (or a new one); the other chains' actions go on`,
        { store: recorded, rpc: identity },
      );
    }
  });
}
