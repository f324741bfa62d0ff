// A benchmark chain: anvil, every contract deployed, and the simulator's `bench` traffic until the
// indexed contracts have emitted at least the requested number of events Ponder indexes.
import type { Hex } from "viem";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import type { Deployment } from "../../config/deployment.js";
import { deployLocal } from "../../devchain/local.js";
import { Rpc } from "../../devchain/sim/rpc.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { handledSelectors, type IndexedContract } from "./handlers.js";

/** Ponder finalizes blocks 30 deep on 31337 and on unknown chains; blocks above that are indexed by the realtime path, not the backfill. */
const FINALITY_BLOCKS = 30;
/** The bench profile averages ~10 indexed events an operation; this floor only bounds a runaway simulation. */
const MIN_EVENTS_PER_OP = 4;
/** A block of 200 batch purchases holds ~2,600 logs: 100 blocks stay well inside anvil's response limits. */
const LOG_CHUNK_BLOCKS = 100n;

export type BenchChain = {
  anvil: Anvil;
  deployment: Deployment;
  /** Logs of the five indexed contracts, from their start blocks to `lastEventBlock`. */
  logs: number;
  /** Those of `logs` that have an indexing handler: what Ponder indexes. */
  events: number;
  ops: number;
  transactions: number;
  lastEventBlock: bigint;
  /** Head of the chain, `FINALITY_BLOCKS` + 1 empty blocks after `lastEventBlock`. */
  head: bigint;
  simulateSeconds: number;
};

const hex = (n: bigint) => `0x${n.toString(16)}`;

/**
 * Counts, from each contract's start block, every log of the indexed contracts (`logs`) and those
 * Ponder indexes, i.e. with a handler (`events`).
 */
export class LogCounter {
  private readonly contracts: Map<string, { startBlock: bigint; handled: Set<Hex> }>;
  private countedTo: bigint;
  logs = 0;
  events = 0;

  constructor(
    private readonly rpc: Rpc,
    deployment: Deployment,
    selectors: Record<IndexedContract, Set<Hex>>,
  ) {
    this.contracts = new Map(
      Object.entries(deployment.contracts).map(([name, c]) => [
        c.address.toLowerCase(),
        { startBlock: BigInt(c.startBlock), handled: selectors[name as IndexedContract] },
      ]),
    );
    this.countedTo = [...this.contracts.values()].map((c) => c.startBlock).reduce((a, b) => (b < a ? b : a)) - 1n;
  }

  /** Adds the blocks not counted yet, up to `to`; returns the handled events so far. */
  async advance(to: bigint): Promise<number> {
    for (let from = this.countedTo + 1n; from <= to; from += LOG_CHUNK_BLOCKS) {
      const end = from + LOG_CHUNK_BLOCKS - 1n < to ? from + LOG_CHUNK_BLOCKS - 1n : to;
      const logs = await this.rpc.call<{ address: string; blockNumber: Hex; topics: Hex[] }[]>("eth_getLogs", [
        { address: [...this.contracts.keys()], fromBlock: hex(from), toBlock: hex(end) },
      ]);
      for (const log of logs) {
        const contract = this.contracts.get(log.address.toLowerCase());
        if (!contract || BigInt(log.blockNumber) < contract.startBlock) continue;
        this.logs++;
        if (log.topics[0] && contract.handled.has(log.topics[0])) this.events++;
      }
      this.countedTo = end;
    }
    return this.events;
  }
}

export async function prepareChain(options: {
  events: number;
  seed: number;
  chainId: number;
  /** Directory of the indexing handlers (src/). */
  srcDir: string;
  onProgress?: (events: number) => void;
}): Promise<BenchChain> {
  const anvil = await startAnvil({ accounts: 60, chainId: options.chainId });
  try {
    const deployment = await deployLocal(anvil.rpcUrl, "local", options.chainId);
    const rpc = new Rpc(anvil.rpcUrl);
    const counter = new LogCounter(rpc, deployment, handledSelectors(options.srcDir));
    const blockNumber = async () => BigInt(await rpc.call<string>("eth_blockNumber"));

    // The simulator reports every 1,000 operations; each report counts the blocks mined since the
    // last one and stops the run (after the operation under way) once there are enough events.
    const enough = new AbortController();
    let counting: Promise<void> = Promise.resolve();
    let countError: unknown;
    let busy = false;
    const check = () => {
      if (busy || enough.signal.aborted) return;
      busy = true;
      counting = blockNumber()
        .then((head) => counter.advance(head))
        .then((events) => {
          options.onProgress?.(events);
          if (events >= options.events) enough.abort();
        })
        .catch((err: unknown) => {
          // Kept for after the simulation: a rejection nobody awaits yet would end the process with anvil still running.
          countError = err;
          enough.abort();
        })
        .finally(() => {
          busy = false;
        });
    };

    const started = performance.now();
    const result = await simulate({
      rpcUrl: anvil.rpcUrl,
      deployment,
      seed: options.seed,
      ops: Math.ceil(options.events / MIN_EVENTS_PER_OP) + 1000,
      profile: "bench",
      signal: enough.signal,
      onProgress: check,
    });
    await counting;
    if (countError !== undefined) throw countError;
    const simulateSeconds = (performance.now() - started) / 1000;
    if (result.failures.length > 0) throw new Error(`${result.failures.length} simulated transactions reverted, first ${result.failures[0]!.label} ${result.failures[0]!.hash}`);
    const events = await counter.advance(result.toBlock);
    if (events < options.events) throw new Error(`the simulation produced only ${events} indexed events, fewer than --events ${options.events}`);

    // Bury the last event block below Ponder's finality depth so the whole chain is backfilled.
    await rpc.call("anvil_mine", [hex(BigInt(FINALITY_BLOCKS + 1))]);
    return {
      anvil,
      deployment,
      logs: counter.logs,
      events,
      ops: Object.values(result.opsDone).reduce((a, b) => a + b, 0),
      transactions: result.transactions,
      lastEventBlock: result.toBlock,
      head: await blockNumber(),
      simulateSeconds,
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}
