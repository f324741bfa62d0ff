// Ponder's checkpoint string (ponder/src/utils/checkpoint.ts, 0.16): 75 digits =
// block timestamp (10) | chain id (16) | block number (16) | transaction index (16) | event type (1) | event index (16).
// A block that is fully indexed is recorded with the maximal transaction index ("rounded up").

const TIMESTAMP = 10;
const CHAIN_ID = 16;
const BLOCK = 16;
const TX_INDEX = 16;
const LENGTH = 75;
const FULL_BLOCK = "9".repeat(TX_INDEX);

/** The last block whose every event is indexed, from a Ponder checkpoint. */
export function indexedBlock(checkpoint: string): bigint {
  if (checkpoint.length !== LENGTH || !/^\d+$/.test(checkpoint)) throw new Error(`not a Ponder checkpoint: "${checkpoint}"`);
  const start = TIMESTAMP + CHAIN_ID;
  const block = BigInt(checkpoint.slice(start, start + BLOCK));
  const txIndex = checkpoint.slice(start + BLOCK, start + BLOCK + TX_INDEX);
  // A checkpoint inside a block (a batch boundary) means only the blocks before it are complete.
  return txIndex === FULL_BLOCK || block === 0n ? block : block - 1n;
}
