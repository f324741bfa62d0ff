// A store's signed transactions belong to one chain. Pointed at another one (a restarted local
// chain has the same id; a changed PONDER_NETWORK keeps the same OFFCHAIN_SCHEMA), the executor
// would re-broadcast old raw transactions there, so the first chain is recorded and any other refused.
import { eq } from "drizzle-orm";
import type { Hex, PublicClient } from "viem";
import { ApiError } from "../http/errors.js";
import type { Store } from "../store/db.js";
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

/** Records `identity` as the store's chain on first use; throws 503 store_chain_mismatch for another chain. */
export async function bindStoreToChain(store: Store, identity: ChainIdentity): Promise<void> {
  await store.locked("store-chain", async (tx) => {
    const [row] = await tx.select().from(storeChain).where(eq(storeChain.id, 1));
    if (!row) {
      await tx.insert(storeChain).values({ id: 1, chainId: identity.chainId, genesisHash: identity.genesisHash, createdAt: new Date() });
      return;
    }
    const recorded: ChainIdentity = { chainId: row.chainId, genesisHash: row.genesisHash as Hex };
    if (!sameChain(recorded, identity)) {
      throw new ApiError(
        503,
        "store_chain_mismatch",
        `the offchain store (${store.location.kind === "postgres" ? `schema ${store.location.schema}` : store.location.directory}) holds actions for chain ${recorded.chainId} with genesis ${recorded.genesisHash}, but the RPC serves chain ${identity.chainId} with genesis ${identity.genesisHash}: point OFFCHAIN_SCHEMA / OFFCHAIN_PGLITE_DIR at a store of this chain (or a new one)`,
        { store: recorded, rpc: identity },
      );
    }
  });
}
