// Every log of a deployment's contracts, straight from the node (eth_getLogs) and decoded with the
// contracts' ABIs, with its block's timestamp and its transaction's sender. Tests compute what the
// index must hold from these, without the indexing handlers.
import {
  concat,
  decodeEventLog,
  getAddress,
  keccak256,
  type Address,
  type DecodeEventLogReturnType,
  type Hex,
} from "viem";
import { abis } from "../../devchain/artifacts.js";
import type { Deployment } from "../../config/deployment.js";
import { Rpc } from "../../devchain/sim/rpc.js";

type Contracts = Deployment["contracts"];
export type IndexedContract = keyof Contracts;

/** A decoded log, typed by its contract's ABI. */
export type ChainLog = {
  [C in IndexedContract]: { contract: C; event: DecodeEventLogReturnType<(typeof abis)[C]> } & LogMeta;
}[IndexedContract];

export type LogMeta = {
  address: Address;
  blockNumber: bigint;
  timestamp: bigint;
  txHash: Hex;
  txIndex: number;
  logIndex: number;
  /** The transaction's sender. */
  from: Address;
  /** Raw form, for the digest the simulator's summary keeps. */
  raw: { topics: Hex[]; data: Hex };
};

type RawLog = { address: Address; topics: Hex[]; data: Hex; blockNumber: Hex; transactionHash: Hex; transactionIndex: Hex; logIndex: Hex };
type RawBlock = { timestamp: Hex; transactions: { hash: Hex; from: Address }[] };

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** Logs from each contract's start block to `toBlock`, in chain order. */
export async function chainLogs(rpcUrl: string, deployment: Deployment, toBlock: bigint): Promise<ChainLog[]> {
  const rpc = new Rpc(rpcUrl);
  const byAddress = new Map<string, IndexedContract>(
    (Object.keys(deployment.contracts) as IndexedContract[]).map((name) => [deployment.contracts[name].address.toLowerCase(), name]),
  );
  const fromBlock = BigInt(Math.min(...Object.values(deployment.contracts).map((c) => c.startBlock)));
  const raw: RawLog[] = [];
  // Raw JSON-RPC in small ranges: a block of batch purchases holds thousands of logs.
  for (let from = fromBlock; from <= toBlock; from += 50n) {
    const to = from + 49n < toBlock ? from + 49n : toBlock;
    raw.push(
      ...(await rpc.call<RawLog[]>("eth_getLogs", [
        { address: [...byAddress.keys()], fromBlock: hex(from), toBlock: hex(to) },
      ])),
    );
  }
  const blocks = new Map<bigint, { timestamp: bigint; from: Map<string, Address> }>();
  for (const n of new Set(raw.map((l) => BigInt(l.blockNumber)))) {
    const block = await rpc.call<RawBlock>("eth_getBlockByNumber", [hex(n), true]);
    blocks.set(n, { timestamp: BigInt(block.timestamp), from: new Map(block.transactions.map((t) => [t.hash.toLowerCase(), getAddress(t.from)])) });
  }
  const logs: ChainLog[] = [];
  for (const l of raw) {
    const contract = byAddress.get(l.address.toLowerCase())!;
    const blockNumber = BigInt(l.blockNumber);
    const block = blocks.get(blockNumber)!;
    if (blockNumber < BigInt(deployment.contracts[contract].startBlock)) continue;
    const event = decodeEventLog({ abi: abis[contract], data: l.data, topics: l.topics as [Hex, ...Hex[]], strict: true });
    logs.push({
      contract,
      event,
      address: getAddress(l.address),
      blockNumber,
      timestamp: block.timestamp,
      txHash: l.transactionHash.toLowerCase() as Hex,
      txIndex: Number(BigInt(l.transactionIndex)),
      logIndex: Number(BigInt(l.logIndex)),
      from: block.from.get(l.transactionHash.toLowerCase())!,
      raw: { topics: l.topics, data: l.data },
    } as ChainLog);
  }
  logs.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  return logs;
}

/** The simulator summary's digest over the logs of blocks `from`..`to` (devchain/sim/summary.ts). */
export function logDigest(logs: readonly ChainLog[], from: bigint, to: bigint): { count: number; digest: Hex } {
  let digest: Hex = keccak256("0x");
  let count = 0;
  for (const log of logs) {
    if (log.blockNumber < from || log.blockNumber > to) continue;
    digest = keccak256(concat([digest, getAddress(log.address), ...log.raw.topics, log.raw.data]));
    count++;
  }
  return { count, digest };
}
