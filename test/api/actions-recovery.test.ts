// Write actions surviving a crash and a reorg, against a real anvil and a real `ponder start`, on
// PGlite and PostgreSQL:
// - crash: the process is SIGKILLed after the action is `sent` and before its receipt (automine
//   off, the block is mined while it is down); restarted on the same data, it finds the receipt
//   and finishes the action with the same transaction;
// - reorg: the block holding the action's transaction is orphaned (evm_snapshot / evm_revert and a
//   longer branch); the action goes back to `sent`, its stored raw transaction is rebroadcast and
//   it ends `indexed` again, in a block of the new branch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { abis } from "../../devchain/artifacts.js";
import { ACTOR_BASE, devAccount, roleAccount } from "../../config/accounts.js";
import { backends } from "../helpers/backends.js";
import { startPonder } from "../helpers/ponder.js";
import { Harness, sleep } from "./actions-harness.js";

const ENV = { ACTIONS_RATE_LIMIT_PER_MINUTE: "10000" };

describe.each(backends)("write actions recover on $name", ({ database, enabled }) => {
  const h = new Harness(database);
  const operator = roleAccount("operator");
  const bot = roleAccount("bot");
  const merchant = devAccount(ACTOR_BASE + 1);
  let token: string;

  beforeAll(async () => {
    if (!enabled) return;
    await h.start(ENV);
    token = await h.token(operator);
  });
  afterAll(async () => {
    if (enabled) await h.stop();
  });
  const run = enabled ? it : it.skip;

  run("finishes an action sent just before a crash, with the same transaction", { timeout: 240_000 }, async () => {
    const order = await h.tokenOrder(merchant, `crash-${Date.now()}`);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const before = await h.nonceOf(bot.address);
    await h.rpc("evm_setAutomine", [false]);
    let sent;
    try {
      const r = await h.post("/api/actions/qr-settlements", token, { orderHash: order, beneficiary: merchant.address });
      expect(r.status).toBe(201);
      sent = await h.waitFor(r.body.id, token, ["sent"]);
      // Crash before the receipt: the transaction is only in the mempool.
      const exited = new Promise<void>((resolve) => h.ponder.process.once("exit", () => resolve()));
      h.ponder.kill();
      await exited;
      await h.rpc("evm_mine");
    } finally {
      await h.rpc("evm_setAutomine", [true]);
    }
    const receipt = await h.chain.publicClient.getTransactionReceipt({ hash: sent.txHash as Hex });
    expect(receipt.status).toBe("success");
    // Restart the same build on the same data (its offchain store included).
    const old = h.ponder;
    h.ponder = await startPonder({ deploymentFile: h.deploymentFile, database, schema: old.schema, pgliteDir: old.pgliteDir, env: ENV, readyTimeoutMs: 120_000 });
    const done = await h.waitFor(sent.id, token, ["indexed"], 90_000);
    expect(done.txHash).toBe(sent.txHash);
    expect(done.nonce).toBe(before);
    expect(done.previousTxHashes).toEqual([]);
    expect(done.block).toEqual({ number: receipt.blockNumber.toString(), hash: receipt.blockHash });
    expect(done.transitions.map((t) => t.status)).toEqual(["pending", "sent", "mined", "indexed"]);
    expect(await h.nonceOf(bot.address)).toBe(before + 1);
  });

  run("takes an action whose block was orphaned back to sent and lands it again", { timeout: 180_000 }, async () => {
    const order = await h.tokenOrder(merchant, `reorg-${Date.now()}`);
    const head = await h.chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await h.ponder.waitForBlock(head);
    const snapshot = await h.rpc("evm_snapshot");
    const r = await h.post("/api/actions/qr-settlements", token, { orderHash: order, beneficiary: merchant.address });
    const first = await h.waitFor(r.body.id, token, ["indexed"]);
    await h.ponder.waitForBlock(BigInt(first.block!.number));
    // Orphan the block, then build a longer branch so Ponder sees the reorg.
    await h.rpc("evm_revert", [snapshot]);
    for (let i = 0; i < 4; i++) await h.rpc("evm_mine");
    const again = await h.waitFor(r.body.id, token, ["indexed"], 90_000, (a) => a.transitions.filter((t) => t.status === "mined").length >= 2);
    const statuses = again.transitions.map((t) => t.status);
    expect(statuses.slice(0, 4)).toEqual(["pending", "sent", "mined", "indexed"]);
    expect(statuses.slice(4)).toContain("sent");
    expect(statuses.at(-1)).toBe("indexed");
    // The stored raw transaction was rebroadcast: same hash, new block.
    expect(again.txHash).toBe(first.txHash);
    expect(again.block!.hash).not.toBe(first.block!.hash);
    const receipt = await h.chain.publicClient.getTransactionReceipt({ hash: again.txHash as Hex });
    expect(receipt.blockHash).toBe(again.block!.hash);
    expect(await h.chain.publicClient.readContract({ address: h.c.QRPayment.address, abi: abis.QRPayment, functionName: "unsettledAmount", args: [order] })).toBe(0n);
    // The index follows: exactly one settlement, the action's transaction, in the new block.
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    let settlements: { txHash: string; block: string }[] = [];
    for (let i = 0; i < 50; i++) {
      settlements = (await h.request<{ settlements: { txHash: string; block: string }[] }>("GET", `/api/qr-orders/${order}`)).body.settlements;
      if (settlements.length === 1 && settlements[0]!.block === again.block!.number) break;
      await sleep(200);
    }
    expect(settlements).toEqual([expect.objectContaining({ txHash: again.txHash, block: again.block!.number })]);
  });
});
