// Raw JSON-RPC to anvil: the simulator sends thousands of transactions from unlocked dev
// accounts and mines them itself, so it skips viem's per-transaction preparation round trips.
import type { Address, Hex } from "viem";

export class Rpc {
  private id = 0;
  constructor(readonly url: string) {}

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string; data?: unknown } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }
}

export type RawReceipt = { transactionHash: Hex; status: Hex; blockNumber: Hex; logs: unknown[] };

export type Tx = { from: Address; to: Address; data: Hex; value?: bigint; gas: bigint };

const hex = (n: bigint) => `0x${n.toString(16)}`;

/**
 * Sends transactions in order and mines them in blocks of up to `blockSize` (anvil runs with
 * FIFO ordering, so a block keeps the order of sending). Every receipt is checked.
 */
export class TxQueue {
  private pending: { hash: Hex; label: string }[] = [];
  private pendingGas = 0n;
  readonly failures: { hash: Hex; label: string }[] = [];
  sent = 0;
  blocksMined = 0;

  constructor(
    private readonly rpc: Rpc,
    private readonly blockSize: number,
    private readonly blockGas = 900_000_000n,
  ) {}

  async send(tx: Tx, label: string): Promise<void> {
    if (this.pending.length >= this.blockSize || this.pendingGas + tx.gas > this.blockGas) await this.flush();
    const hash = await this.rpc.call<Hex>("eth_sendTransaction", [
      { from: tx.from, to: tx.to, data: tx.data, value: hex(tx.value ?? 0n), gas: hex(tx.gas) },
    ]);
    this.pending.push({ hash, label });
    this.pendingGas += tx.gas;
    this.sent++;
  }

  /** Mines everything pending and checks each receipt. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingGas = 0n;
    await this.rpc.call("evm_mine");
    this.blocksMined++;
    const byHash = new Map<Hex, RawReceipt>();
    const last = BigInt(await this.rpc.call<Hex>("eth_blockNumber"));
    // Usually one block; more when interval mining or the gas cap split the batch.
    for (let b = last; byHash.size < batch.length && b > 0n; b--) {
      const receipts = await this.rpc.call<RawReceipt[] | null>("eth_getBlockReceipts", [hex(b)]);
      if (!receipts || receipts.length === 0) break;
      for (const r of receipts) byHash.set(r.transactionHash, r);
    }
    for (const { hash, label } of batch) {
      const r = byHash.get(hash) ?? (await this.rpc.call<RawReceipt | null>("eth_getTransactionReceipt", [hash]));
      if (!r) throw new Error(`transaction ${hash} (${label}) was not mined`);
      if (r.status !== "0x1") this.failures.push({ hash, label });
    }
  }
}
