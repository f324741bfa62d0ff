// Reorgs: index a chain, orphan blocks holding every kind of event with evm_snapshot/evm_revert and a
// longer branch of different transactions, and check that the index then equals, row for row, a fresh
// index of the final canonical chain, and that nothing of the orphaned branch survives. On PGlite
// and PostgreSQL, with real `ponder start` processes following the chain live.
//
// Branch A (orphaned, 6 blocks) and branch B (canonical, 9 blocks, then 31 empty ones so the fresh
// index backfills everything while the reorged one saw it all live) fork after a common prefix of
// bookings, events with tickets and QR orders, and treat those entities differently (A completes
// booking P1 and event 1, B cancels them), besides creating entities of their own.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeAbiParameters,
  encodeFunctionData,
  keccak256,
  parseEther,
  parseUnits,
  stringToHex,
  toBytes,
  zeroAddress,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
} from "viem";
import { abis } from "../../devchain/artifacts.js";
import { roleAccount } from "../../config/accounts.js";
import { writeDeployment } from "../../config/deployment.js";
import { Rpc, TxQueue, type Tx } from "../../devchain/sim/rpc.js";
import { orderDataHash } from "../../domain/qr.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { dumpCounts, dumpDifference, dumpIndex, rowsMentioning, type DumpRow, type IndexDump } from "../helpers/dump.js";
import { escrowDomain, signBooking, signCancellation } from "../helpers/escrow.js";
import { dropSyncRows, startPonder, type PonderHandle } from "../helpers/ponder.js";

const enabled = backends.filter((b) => b.enabled);

/** Explicit gas: transactions that depend on others in the same block cannot be estimated. */
const GAS = 3_000_000n;
const EXPIRY = 4_102_444_800n;
const lc = (s: string) => s.toLowerCase();

/** Typed calldata for one contract: `(from, functionName, args, value?) → Tx`. */
function contract<const A extends Abi>(abi: A, to: Address) {
  return <F extends ContractFunctionName<A>>(from: Address, functionName: F, args: ContractFunctionArgs<A, "nonpayable" | "payable", F>, value?: bigint): Tx => ({
    from,
    to,
    // The signature above types the call; the encoder sees the ABI widened.
    data: encodeFunctionData({ abi: abi as Abi, functionName: functionName as string, args: args as readonly unknown[] }),
    value,
    gas: GAS,
  });
}

type World = Awaited<ReturnType<typeof setUp>>;

/** The common prefix: approvals, four paid bookings, two events with tickets, two QR orders. */
async function setUp(t: TestChain) {
  const c = t.deployment.contracts;
  const { USDC, USDT } = t.deployment.tokens;
  const roles = t.deployment.roles;
  const rpc = new Rpc(t.anvil.rpcUrl);
  await rpc.call("evm_setAutomine", [false]);
  const queue = new TxQueue(rpc, 10_000);
  const who = (n: number) => t.actor(n).address;
  const a = {
    c1: who(0), c2: who(1), p1: who(2), p2: who(3), inviter: who(4), o1: who(5), o2: who(6), o3: who(7), b1: who(8), b2: who(9),
    h1: who(10), h2: who(11), q1: who(12), q2: who(13), ben: who(14), ben2: who(15), x: who(16), x2: who(17), c3: who(18),
  };
  const to = {
    escrow: contract(abis.BookingEscrow, c.BookingEscrow.address),
    nft: contract(abis.EventTicketNFT, c.EventTicketNFT.address),
    pp: contract(abis.PaymentProcessor, c.PaymentProcessor.address),
    qr: contract(abis.QRPayment, c.QRPayment.address),
    oracle: contract(abis.OracleHub, c.OracleHub.address),
    usdc: contract(abis.TestToken, USDC),
    usdt: contract(abis.TestToken, USDT),
  };

  let labels: string[] = [];
  const send = async (label: string, tx: Tx) => {
    await queue.send(tx, label);
    labels.push(label);
  };
  /** Mines what was sent as one block; every transaction must succeed. */
  const block = async () => {
    const before = queue.failures.length;
    await queue.flush();
    const failed = queue.failures.slice(before);
    if (failed.length) throw new Error(`reverted: ${failed.map((f) => f.label).join(", ")}`);
    labels = [];
    return t.publicClient.getBlockNumber({ cacheTime: 0 });
  };

  const signerWallet = t.wallet(roleAccount("signer"));
  const domain = escrowDomain(t.chain.id, c.BookingEscrow.address);
  let nonce = 0n;
  const bookingId = (label: string) => keccak256(toBytes(`reorg-${label}`));
  const book = async (label: string, customer: Address, provider: Address, inviter: Address | null, amount: bigint, platformFeeRate: bigint, inviterFeeRate: bigint) => {
    const auth = { bookingId: bookingId(label), customer, provider, inviter: inviter ?? zeroAddress, amount, platformFeeRate, inviterFeeRate, expiry: EXPIRY, nonce: ++nonce };
    await send(`book ${label}`, to.escrow(customer, "createAndPayBooking", [auth, await signBooking(signerWallet, domain, auth)]));
    return auth.bookingId;
  };
  const cancel = async (id: Hex, by: Address, split: [bigint, bigint, bigint, bigint], reason: string) => {
    const auth = { bookingId: id, customerAmount: split[0], providerAmount: split[1], platformAmount: split[2], inviterAmount: split[3], reason, expiry: EXPIRY, nonce: ++nonce };
    await send("cancelBooking", to.escrow(by, "cancelBooking", [auth, await signCancellation(signerWallet, domain, auth)]));
  };
  let payments = 0n;
  const paymentId = (n: bigint) =>
    keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "uint256" }], [BigInt(t.chain.id), c.PaymentProcessor.address, n]));
  const events = new Map<bigint, { price: bigint; stakeBps: bigint }>();
  const purchase = async (buyer: Address, eventId: bigint, quantity: number) => {
    const e = events.get(eventId)!;
    const value = (e.price + (e.price * e.stakeBps) / 10_000n) * BigInt(quantity);
    const uris = Array.from({ length: quantity }, (_, i) => `ipfs://reorg/${eventId}/${buyer}/${i}`);
    await send("purchaseTickets", to.pp(buyer, "purchaseTickets", [eventId, BigInt(quantity), uris], value));
    return paymentId(++payments);
  };
  const createEvent = async (id: bigint, capacity: bigint, price: bigint, organizer: Address, stake?: { bps: bigint; by: Address }) => {
    await send("createEvent", to.nft(roles.owner, "createEvent", [id, capacity, price, organizer]));
    events.set(id, { price, stakeBps: stake?.bps ?? 0n });
    if (stake) await send("setEventStake", to.pp(stake.by, "setEventStake", [id, stake.bps]));
  };
  const quote = (token: Address, fiat: bigint) =>
    t.publicClient.readContract({ address: c.OracleHub.address, abi: abis.OracleHub, functionName: "quote", args: [token, fiat] });
  const gate = (name: string) => stringToHex(name, { size: 32 });
  const usdc = (n: string) => parseUnits(n, 6);
  const idr = (n: string) => parseUnits(n, 18);
  const validator = roles.validators[0]!;
  const bot = roles.bots[0]!;

  // ---------------------------------------------------------------- common prefix
  for (const customer of [a.c1, a.c2]) {
    await send("mint", to.usdc(customer, "mint", [customer, usdc("1000")]));
    await send("approve", to.usdc(customer, "approve", [c.BookingEscrow.address, usdc("1000000")]));
  }
  await send("mint", to.usdt(a.q1, "mint", [a.q1, usdc("10000")]));
  await send("mint", to.usdc(a.q1, "mint", [a.q1, usdc("10000")]));
  await send("approve", to.usdt(a.q1, "approve", [c.QRPayment.address, usdc("1000000")]));
  await send("approve", to.usdc(a.q1, "approve", [c.QRPayment.address, usdc("1000000")]));
  await block();
  const P1 = await book("P1", a.c1, a.p1, a.inviter, usdc("100.000007"), 500n, 500n);
  const P2 = await book("P2", a.c2, a.p2, null, usdc("50"), 1000n, 0n);
  const P3 = await book("P3", a.c1, a.p2, a.inviter, usdc("20"), 500n, 500n);
  const P4 = await book("P4", a.c2, a.p1, null, usdc("10"), 1000n, 0n);
  await block();
  await createEvent(1n, 100n, parseEther("0.1"), a.o1, { bps: 2000n, by: a.o1 });
  await createEvent(2n, 10n, parseEther("0.05"), a.o2, { bps: 1000n, by: roles.owner });
  const pay1 = await purchase(a.b1, 1n, 1); // token 1
  const pay2 = await purchase(a.b2, 1n, 3); // tokens 2, 3, 4
  const pay3 = await purchase(a.b1, 2n, 2); // tokens 5, 6
  await send("mintTickets", to.nft(roles.owner, "mintTickets", [1n, a.b2, ["ipfs://reorg/comp"]])); // token 7, complimentary
  await block();
  await send("checkIn", to.nft(validator, "checkIn", [1n, gate("gate-A")]));
  await send("payQR", to.qr(a.q1, "payQR", [USDT, idr("1000000"), "ORDER-1", "REF-1"]));
  await send("payQRNative", to.qr(a.q2, "payQRNative", ["ORDER-2", "REF-2", idr("520000")], await quote(zeroAddress, idr("520000"))));
  const forkBlock = await block();
  const O1 = orderDataHash("ORDER-1", "REF-1", USDT, a.q1);
  const O2 = orderDataHash("ORDER-2", "REF-2", zeroAddress, a.q2);
  const onChainPayment = await t.publicClient.readContract({ address: c.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "getPayment", args: [pay3] });
  if (lc(onChainPayment.buyer) !== lc(a.b1)) throw new Error("payment ids are not what the test computes");

  /** Branch A: to be orphaned. Every kind of event. */
  async function branchA() {
    await send("mint", to.usdc(a.c3, "mint", [a.c3, usdc("1000")]));
    await send("approve", to.usdc(a.c3, "approve", [c.BookingEscrow.address, usdc("1000000")]));
    const A1 = await book("A1", a.c3, a.p1, a.inviter, usdc("77"), 500n, 500n); // with an inviter
    const A2 = await book("A2", a.c2, a.p2, null, usdc("12.5"), 1000n, 0n); // without
    await send("completeService", to.escrow(a.c1, "completeService", [P1]));
    await cancel(P2, a.p2, [usdc("30"), usdc("15"), usdc("5"), 0n], "schedule conflict");
    await send("emergencyCancelBooking", to.escrow(roles.operator, "emergencyCancelBooking", [P3, "provider unavailable"]));
    await block();
    await createEvent(3n, 10n, parseEther("0.02"), a.o3, { bps: 3000n, by: a.o3 });
    const pay4 = await purchase(a.b1, 3n, 1); // token 8, single
    await purchase(a.b2, 3n, 2); // tokens 9, 10, batch
    await send("transferFrom", to.nft(a.b2, "transferFrom", [a.b2, a.h1, 2n]));
    await send("checkIn", to.nft(validator, "checkIn", [2n, gate("gate-B")]));
    await block();
    await send("completeEvent", to.nft(a.o1, "completeEvent", [1n])); // tokens 3 and 4 forfeit their stakes
    await send("claimStake", to.pp(a.b1, "claimStake", [1n]));
    await send("claimStake", to.pp(a.h1, "claimStake", [2n]));
    await send("withdrawEarnings", to.pp(a.o1, "withdrawEarnings", []));
    await send("withdrawPlatformFees", to.pp(roles.owner, "withdrawPlatformFees", []));
    await block();
    await send("cancelEvent", to.nft(a.o2, "cancelEvent", [2n]));
    await send("refund", to.pp(a.b1, "refund", [pay3]));
    await block();
    await send("payQR", to.qr(a.q1, "payQR", [USDT, idr("300000"), "ORDER-A3", "REF-A3"]));
    await send("payQRNative", to.qr(a.q2, "payQRNative", ["ORDER-A4", "REF-A4", idr("260000")], (await quote(zeroAddress, idr("260000"))) + 777n));
    await send("payQR top-up", to.qr(a.q1, "payQR", [USDT, idr("250000"), "ORDER-1", "REF-1"]));
    await send("settleQROrder", to.qr(bot, "settleQROrder", [a.ben, O1]));
    await send("settleQROrderNative", to.qr(bot, "settleQROrderNative", [a.ben, O2]));
    await block();
    await send("setRate", to.oracle(roles.owner, "setRate", [USDT, idr("16300")]));
    await send("changeBotStatus", to.qr(roles.owner, "changeBotStatus", [a.x, true]));
    await send("setOperator", to.escrow(roles.owner, "setOperator", [a.x, true]));
    await send("setValidator", to.nft(roles.owner, "setValidator", [a.x, true]));
    await send("pause", to.qr(roles.owner, "pause", []));
    await send("unpause", to.qr(roles.owner, "unpause", []));
    await send("pause", to.escrow(roles.owner, "pause", []));
    const head = await block();
    return {
      head,
      bookings: { A1, A2 },
      payment: pay4,
      orders: { A3: orderDataHash("ORDER-A3", "REF-A3", USDT, a.q1), A4: orderDataHash("ORDER-A4", "REF-A4", zeroAddress, a.q2) },
    };
  }

  /** Branch B: canonical, three blocks longer, different transactions on the same entities. */
  async function branchB() {
    payments = 3n;
    events.delete(3n);
    const B1 = await book("B1", a.c2, a.p1, a.inviter, usdc("55"), 800n, 200n);
    await cancel(P1, a.c1, [usdc("60"), usdc("30.000007"), usdc("6"), usdc("4")], "customer request");
    await send("completeService", to.escrow(a.c2, "completeService", [P2]));
    await send("emergencyCancelBooking", to.escrow(roles.owner, "emergencyCancelBooking", [P4, "emergency"]));
    await block();
    await createEvent(3n, 5n, parseEther("0.03"), a.o2);
    const pay4 = await purchase(a.b2, 3n, 2); // tokens 8, 9
    await send("transferFrom", to.nft(a.b1, "transferFrom", [a.b1, a.h2, 1n]));
    await send("checkIn", to.nft(validator, "checkIn", [5n, gate("gate-C")]));
    await block();
    await send("cancelEvent", to.nft(a.o1, "cancelEvent", [1n]));
    await send("refund", to.pp(a.b2, "refund", [pay2]));
    await block();
    await send("completeEvent", to.nft(a.o2, "completeEvent", [2n])); // token 6 forfeits its stake
    await send("claimStake", to.pp(a.b1, "claimStake", [5n]));
    await send("withdrawEarnings", to.pp(a.o2, "withdrawEarnings", []));
    await block();
    await send("payQR", to.qr(a.q1, "payQR", [USDC, idr("16000"), "ORDER-B5", "REF-B5"]));
    await send("payQRNative top-up", to.qr(a.q2, "payQRNative", ["ORDER-2", "REF-2", idr("52000")], await quote(zeroAddress, idr("52000"))));
    await send("settleQROrder", to.qr(bot, "settleQROrder", [a.ben2, O1]));
    await block();
    const [nativeRate] = await t.publicClient.readContract({ address: c.OracleHub.address, abi: abis.OracleHub, functionName: "rateOf", args: [zeroAddress] });
    await send("setRate", to.oracle(roles.owner, "setRate", [zeroAddress, (nativeRate * 101n) / 100n]));
    await send("changeBotStatus", to.qr(roles.owner, "changeBotStatus", [a.x2, true]));
    await send("pause", to.oracle(roles.owner, "pause", []));
    await block();
    await rpc.call("anvil_mine", ["0x3"]);
    return {
      head: await t.publicClient.getBlockNumber({ cacheTime: 0 }),
      bookings: { B1 },
      payment: pay4,
      order: orderDataHash("ORDER-B5", "REF-B5", USDC, a.q1),
    };
  }

  return { rpc, a, forkBlock, prefix: { P1, P2, P3, P4, pay1, pay2, pay3, O1, O2 }, branchA, branchB };
}

/** Transaction hashes of blocks `from`..`to` (inclusive). */
async function txHashes(t: TestChain, from: bigint, to: bigint): Promise<Hex[]> {
  const hashes: Hex[] = [];
  for (let n = from; n <= to; n++) hashes.push(...(await t.publicClient.getBlock({ blockNumber: n })).transactions);
  return hashes.map(lc) as Hex[];
}

const row = (dump: IndexDump, table: string, where: (r: DumpRow) => boolean) => dump.get(table)!.rows.find(where);
const rows = (dump: IndexDump, table: string, where: (r: DumpRow) => boolean) => dump.get(table)!.rows.filter(where);

let t: TestChain;
let world: World;
let A: Awaited<ReturnType<World["branchA"]>>;
let B: Awaited<ReturnType<World["branchB"]>>;
let orphanHashes: Hex[];
let tmpDir: string;
const live = new Map<string, PonderHandle>();
const fresh = new Map<string, PonderHandle>();
/** Per backend: the index with branch A, after the reorg, and a fresh index of the final chain. */
const dumps = new Map<string, { orphaned: IndexDump; reorged: IndexDump; fresh: IndexDump; reorgLog: string }>();

const withLog = (name: string, ponder: PonderHandle) => (err: Error) => {
  throw new Error(`${name}: ${err.message}; log ${ponder.logFile}:\n${ponder.logTail()}`);
};

beforeAll(async () => {
  t = await startTestChain({ chainId: uniqueChainId() });
  world = await setUp(t);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-reorg-"));
  const deploymentFile = writeDeployment(t.deployment, path.join(tmpDir, "deployment.json"));
  await Promise.all(
    enabled.map(async (b) => {
      const ponder = await startPonder({ deploymentFile, database: b.database });
      live.set(b.name, ponder);
      await ponder.waitForBlock(world.forkBlock).catch(withLog(b.name, ponder));
    }),
  );

  const snapshot = await world.rpc.call<Hex>("evm_snapshot");
  A = await world.branchA();
  orphanHashes = await txHashes(t, world.forkBlock + 1n, A.head);
  // A reorg of blocks Ponder is still fetching stalls it for about a minute: index them first.
  const orphaned = new Map<string, IndexDump>();
  await Promise.all(
    enabled.map(async (b) => {
      const ponder = live.get(b.name)!;
      await ponder.waitForBlock(A.head).catch(withLog(b.name, ponder));
      orphaned.set(b.name, await dumpIndex(ponder.url));
    }),
  );

  if (!(await world.rpc.call<boolean>("evm_revert", [snapshot]))) throw new Error("evm_revert failed");
  B = await world.branchB();
  // 31 more blocks: the fresh index backfills all of B (finalized) while the reorged one saw it live.
  await world.rpc.call("anvil_mine", ["0x1f"]);
  const head = await t.publicClient.getBlockNumber({ cacheTime: 0 });
  const reorged = new Map<string, IndexDump>();
  await Promise.all(
    enabled.map(async (b) => {
      const ponder = live.get(b.name)!;
      await ponder.waitForBlock(head, 120_000).catch(withLog(b.name, ponder));
      reorged.set(b.name, await dumpIndex(ponder.url));
    }),
  );
  await Promise.all(
    enabled.map(async (b) => {
      const ponder = await startPonder({ deploymentFile, database: b.database });
      fresh.set(b.name, ponder);
      await ponder.waitForBlock(head).catch(withLog(b.name, ponder));
      dumps.set(b.name, {
        orphaned: orphaned.get(b.name)!,
        reorged: reorged.get(b.name)!,
        fresh: await dumpIndex(ponder.url),
        reorgLog: readFileSync(live.get(b.name)!.logFile, "utf8"),
      });
    }),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all([...live.values(), ...fresh.values()].map((p) => p.stop()));
  await t?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable && t) dropSyncRows(PG_URL, t.chain.id);
});

describe.each(backends)("reorg on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const get = () => {
    const d = dumps.get(name);
    if (!d) throw new Error(`no dumps for ${name}`);
    return d;
  };

  run("indexed every kind of event of the branch before it was orphaned", () => {
    const { orphaned } = get();
    const { a, prefix } = world;
    expect(A.head - world.forkBlock).toBeLessThanOrEqual(30n); // deeper is final for Ponder on this chain
    const booking = (id: Hex) => row(orphaned, "booking", (r) => r.id === lc(id));
    expect(booking(A.bookings.A1)?.inviter).toBe(lc(a.inviter));
    expect(booking(A.bookings.A2)?.inviter).toBeNull();
    expect(booking(prefix.P1)?.status).toBe("COMPLETED");
    expect(booking(prefix.P2)).toMatchObject({ status: "CANCELLED", emergency: "false" });
    expect(booking(prefix.P3)).toMatchObject({ status: "CANCELLED", emergency: "true" });
    expect(row(orphaned, "ticketed_event", (r) => r.id === "3")).toMatchObject({ organizer: lc(a.o3), stakeBps: "3000" });
    expect(row(orphaned, "ticketed_event", (r) => r.id === "1")?.status).toBe("COMPLETED");
    expect(row(orphaned, "ticketed_event", (r) => r.id === "2")?.status).toBe("CANCELLED");
    expect(row(orphaned, "payment", (r) => r.id === lc(A.payment))?.quantity).toBe("1");
    expect(row(orphaned, "ticket", (r) => r.tokenId === "2")).toMatchObject({ owner: lc(a.h1), checkedIn: "true" });
    expect(rows(orphaned, "stake", (r) => r.status === "CLAIMED").map((r) => r.tokenId)).toEqual(["1", "2"]);
    expect(rows(orphaned, "refund", (r) => r.paymentId === lc(prefix.pay3))).toHaveLength(1);
    expect(BigInt(row(orphaned, "organizer_balance", (r) => r.organizer === lc(a.o1))!.withdrawn!)).toBeGreaterThan(0n);
    expect(BigInt(row(orphaned, "processor_state", () => true)!.platformFeesWithdrawn!)).toBeGreaterThan(0n);
    expect(row(orphaned, "qr_order", (r) => r.id === lc(A.orders.A3))?.token).toBe(lc(t.deployment.tokens.USDT));
    expect(row(orphaned, "qr_order", (r) => r.id === lc(A.orders.A4))?.native).toBe("true");
    expect(row(orphaned, "qr_order", (r) => r.id === lc(prefix.O1))).toMatchObject({ paymentCount: "2", settlementCount: "1" });
    expect(row(orphaned, "qr_order", (r) => r.id === lc(prefix.O2))?.status).toBe("SETTLED");
    expect(row(orphaned, "role_member", (r) => r.account === lc(a.x) && r.role === "BOT")?.active).toBe("true");
    expect(row(orphaned, "contract_info", (r) => r.name === "BookingEscrow")?.paused).toBe("true");
    // Every table the branch wrote to holds rows naming its transactions.
    const touched = new Set(rowsMentioning(orphaned, orphanHashes).map((r) => r.table));
    for (const table of [
      "booking", "booking_history", "fee_ledger", "ticketed_event", "ticketed_event_history", "ticket", "ticket_transfer", "check_in",
      "payment", "refund", "stake", "processor_ledger", "qr_payment", "qr_settlement", "oracle_rate_history", "role_member", "role_history",
    ]) {
      expect(touched, table).toContain(table);
    }
  });

  run("follows the reorg: Ponder detected it and reverted the orphaned rows", () => {
    const { reorgLog } = get();
    expect(reorgLog).toMatch(/Detected reorg|Reorged block/);
    expect(reorgLog).not.toMatch(/unrecoverable reorg/i);
  });

  run("after the reorg the index equals a fresh index of the canonical chain, row for row", () => {
    const { reorged, fresh } = get();
    expect(dumpDifference(reorged, fresh, ["reorged", "fresh"])).toBeUndefined();
    expect(dumpCounts(reorged)).toEqual(dumpCounts(fresh));
  });

  run("no row of the orphaned branch survives; the canonical branch's own rows are there", () => {
    const { reorged } = get();
    const { a, prefix } = world;
    expect(rowsMentioning(reorged, orphanHashes)).toEqual([]);
    const booking = (id: Hex) => row(reorged, "booking", (r) => r.id === lc(id));
    expect(booking(A.bookings.A1)).toBeUndefined();
    expect(booking(A.bookings.A2)).toBeUndefined();
    expect(booking(B.bookings.B1)?.status).toBe("PAID");
    expect(booking(prefix.P1)).toMatchObject({ status: "CANCELLED", emergency: "false" });
    expect(booking(prefix.P2)?.status).toBe("COMPLETED");
    expect(booking(prefix.P3)?.status).toBe("PAID");
    expect(booking(prefix.P4)).toMatchObject({ status: "CANCELLED", emergency: "true" });
    expect(row(reorged, "account", (r) => r.address === lc(a.c3))).toBeUndefined(); // took part in branch A only
    expect(row(reorged, "account", (r) => r.address === lc(a.o3))).toBeUndefined();
    expect(row(reorged, "account", (r) => r.address === lc(a.h1))).toBeUndefined();
    expect(row(reorged, "ticketed_event", (r) => r.id === "3")).toMatchObject({ organizer: lc(a.o2), stakeBps: "0", sold: "2" });
    expect(row(reorged, "ticketed_event", (r) => r.id === "1")?.status).toBe("CANCELLED");
    expect(row(reorged, "ticketed_event", (r) => r.id === "2")?.status).toBe("COMPLETED");
    expect(row(reorged, "payment", (r) => r.id === lc(B.payment))).toMatchObject({ quantity: "2", buyer: lc(a.b2) });
    expect(row(reorged, "ticket", (r) => r.tokenId === "10")).toBeUndefined();
    expect(row(reorged, "ticket", (r) => r.tokenId === "1")?.owner).toBe(lc(a.h2));
    expect(row(reorged, "ticket", (r) => r.tokenId === "2")).toMatchObject({ burned: "true", checkedIn: "false" });
    expect(rows(reorged, "stake", (r) => r.status === "CLAIMED").map((r) => r.tokenId)).toEqual(["5"]);
    expect(rows(reorged, "refund", () => true).map((r) => r.paymentId)).toEqual([lc(prefix.pay2)]);
    expect(row(reorged, "organizer_balance", (r) => r.organizer === lc(a.o1))?.withdrawn ?? "0").toBe("0");
    expect(row(reorged, "processor_state", () => true)?.platformFeesWithdrawn).toBe("0");
    expect(row(reorged, "qr_order", (r) => r.id === lc(A.orders.A3))).toBeUndefined();
    expect(row(reorged, "qr_order", (r) => r.id === lc(A.orders.A4))).toBeUndefined();
    expect(row(reorged, "qr_order", (r) => r.id === lc(B.order))?.status).toBe("PAID");
    expect(row(reorged, "qr_order", (r) => r.id === lc(prefix.O1))).toMatchObject({ paymentCount: "1", settlementCount: "1", lastBeneficiary: lc(a.ben2) });
    expect(row(reorged, "qr_order", (r) => r.id === lc(prefix.O2))).toMatchObject({ paymentCount: "2", status: "PAID" });
    expect(row(reorged, "role_member", (r) => r.account === lc(a.x))).toBeUndefined();
    expect(row(reorged, "role_member", (r) => r.account === lc(a.x2) && r.role === "BOT")?.active).toBe("true");
    expect(row(reorged, "contract_info", (r) => r.name === "BookingEscrow")?.paused).toBe("false");
    expect(row(reorged, "contract_info", (r) => r.name === "OracleHub")?.paused).toBe("true");
  });
});

describe("reorg across databases", () => {
  const both = enabled.length === backends.length;
  (both ? it : it.skip)("PGlite and PostgreSQL hold the same rows after the reorg", () => {
    const [x, y] = backends.map((b) => dumps.get(b.name)?.reorged);
    if (!x || !y) throw new Error("missing dumps");
    expect(dumpDifference(x, y, ["pglite", "postgres"])).toBeUndefined();
  });
});
