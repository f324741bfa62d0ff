// "Now" for authorizations, in unix seconds: the later of the wall clock and the chain's latest
// block. The contract compares expiry with block.timestamp, and cancellation windows start at a
// block timestamp, so chain time is what counts; the wall clock covers a chain that lags or an RPC
// that does not answer (then expiry may only be later than needed, never earlier).
import type { PublicClient } from "viem";

export type Clock = () => Promise<bigint>;

export function laterOf(wallMs: number, blockTimestamp: bigint | null): bigint {
  const wall = BigInt(Math.floor(wallMs / 1000));
  return blockTimestamp !== null && blockTimestamp > wall ? blockTimestamp : wall;
}

export function chainClock(client: PublicClient | null, wall: () => number = Date.now): Clock {
  return async () => {
    let head: bigint | null = null;
    if (client) {
      try {
        head = (await client.getBlock({ blockTag: "latest" })).timestamp;
      } catch {
        head = null;
      }
    }
    return laterOf(wall(), head);
  };
}
