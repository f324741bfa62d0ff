// The index equals what the chain says: drive every kind of transaction against a fresh chain,
// index it with Ponder (PGlite, and PostgreSQL when one is reachable), and compare the indexed
// rows, read over GraphQL, with the contracts' views to the last unit.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  keccak256,
  maxUint256,
  parseEther,
  parseEventLogs,
  parseUnits,
  stringToHex,
  toBytes,
  zeroAddress,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { roleAccount } from "../../config/accounts.js";
import { abis } from "../../devchain/artifacts.js";
import { writeDeployment } from "../../config/deployment.js";
import { orderDataHash } from "../../domain/qr.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { escrowDomain, signBooking, signCancellation } from "../helpers/escrow.js";
import { dropSyncRows, startPonder, type PonderHandle } from "../helpers/ponder.js";

const lc = (a: string) => a.toLowerCase();
const big = (v: unknown) => BigInt(v as string);
const DAY = 86_400n;

type Account7 = [Account, Account, Account, Account, Account, Account, Account];
type Account8 = [...Account7, Account];

type Scenario = {
  bookingIds: Hex[];
  accounts: Address[];
  organizers: Address[];
  eventIds: bigint[];
  lastTokenId: bigint;
  orders: { hash: Hex; token: Address; expected: "PAID" | "PARTIALLY_SETTLED" | "SETTLED" }[];
  tokens: Address[];
  roleChecks: { contract: "BookingEscrow" | "EventTicketNFT" | "QRPayment"; role: "OPERATOR" | "VALIDATOR" | "BOT"; account: Address }[];
  firstDay: bigint;
  lastDay: bigint;
};

/** Strings with NUL bytes sent to the contracts (anyone can): the index keeps them without the NULs. */
const NUL_REASON = "provider\u0000 unavailable";
const NUL_ORDER = { orderId: "ORDER-\u00004", referenceString: "REF-4\u0000" };

/** Sends a few transactions of every kind; returns what the assertions walk over. */
async function runScenario(t: TestChain): Promise<Scenario> {
  const c = t.deployment.contracts;
  const { USDC, USDT } = t.deployment.tokens;
  const owner = t.role("owner");
  const signer = roleAccount("signer");
  const operator = t.role("operator");
  const validator = t.role("validator");
  const bot = t.role("bot");
  const [customer, provider, inviter, customer2, provider2, organizer1, buyer1, buyer2] = [0, 1, 2, 3, 4, 5, 6, 7].map(t.actor) as Account8;
  const [holder, organizer2, payer1, beneficiary, payer2, extra, newOwner] = [8, 9, 10, 11, 12, 13, 14].map(t.actor) as Account7;
  const send = async (account: Account, req: { address: Address; abi: unknown; functionName: string; args?: readonly unknown[]; value?: bigint }) =>
    t.mined(await t.wallet(account).writeContract(req as never));
  const now = async () => (await t.publicClient.getBlock()).timestamp;
  const firstDay = (await now()) / DAY;

  // ---------------------------------------------------------------- bookings (USDC)
  let nonce = 0n;
  const domain = escrowDomain(t.chain.id, c.BookingEscrow.address);
  async function book(label: string, who: Account, prov: Account, inv: Account | null, amount: bigint, platformFeeRate: bigint, inviterFeeRate: bigint) {
    const auth = {
      bookingId: keccak256(toBytes(`basic-${label}`)),
      customer: who.address,
      provider: prov.address,
      inviter: inv?.address ?? zeroAddress,
      amount,
      platformFeeRate,
      inviterFeeRate,
      expiry: (await now()) + 3600n,
      nonce: ++nonce,
    };
    const signature = await signBooking(signer, domain, auth);
    await send(who, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [auth, signature] });
    return auth.bookingId;
  }
  async function cancellation(bookingId: Hex, split: [bigint, bigint, bigint, bigint], reason: string) {
    const auth = {
      bookingId,
      customerAmount: split[0],
      providerAmount: split[1],
      platformAmount: split[2],
      inviterAmount: split[3],
      reason,
      expiry: (await now()) + 3600n,
      nonce: ++nonce,
    };
    const signature = await signCancellation(signer, domain, auth);
    return { auth, signature };
  }
  for (const who of [customer, customer2]) {
    await send(owner, { address: USDC, abi: abis.TestToken, functionName: "mint", args: [who.address, parseUnits("1000", 6)] });
    await send(who, { address: USDC, abi: abis.TestToken, functionName: "approve", args: [c.BookingEscrow.address, maxUint256] });
  }
  const usdc = (n: string) => parseUnits(n, 6);
  // A: paid with an inviter (5% + 5%), completed by the customer; the odd amount exercises rounding.
  const a = await book("A", customer, provider, inviter, usdc("100.000007"), 500n, 500n);
  await send(customer, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "completeService", args: [a] });
  // B: no inviter (10%), cancelled by the provider with a signed split.
  const b = await book("B", customer2, provider, null, usdc("50"), 1000n, 0n);
  const cb = await cancellation(b, [usdc("30"), usdc("15"), usdc("5"), 0n], "schedule conflict");
  await send(provider, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "cancelBooking", args: [cb.auth, cb.signature] });
  // C: with an inviter, emergency-cancelled by the operator (full refund).
  const cc = await book("C", customer, provider2, inviter, usdc("20"), 500n, 500n);
  await send(operator, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "emergencyCancelBooking", args: [cc, NUL_REASON] });
  // D: stays paid (in escrow).
  const d = await book("D", customer2, provider2, null, usdc("10"), 1000n, 0n);
  // E: with an inviter; a cancellation that pays the inviter too.
  const e = await book("E", customer, provider, inviter, usdc("40"), 500n, 500n);
  const ce = await cancellation(e, [usdc("20"), usdc("10"), usdc("6"), usdc("4")], "late");
  await send(customer, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "cancelBooking", args: [ce.auth, ce.signature] });
  // F: completed by the operator after the auto-complete delay; two days pass (daily buckets).
  const f = await book("F", customer2, provider2, null, usdc("33.333333"), 1500n, 0n);
  await t.testClient.increaseTime({ seconds: 2 * 86_400 });
  await t.testClient.mine({ blocks: 1 });
  await send(operator, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "completeService", args: [f] });

  // ---------------------------------------------------------------- ticketed events (ETH)
  const nft = { address: c.EventTicketNFT.address, abi: abis.EventTicketNFT };
  const pp = { address: c.PaymentProcessor.address, abi: abis.PaymentProcessor };
  const uris = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `ipfs://${tag}/${i}`);
  async function purchase(buyer: Account, eventId: bigint, quantity: number, value: bigint): Promise<Hex> {
    const receipt: TransactionReceipt = await send(buyer, { ...pp, functionName: "purchaseTickets", args: [eventId, BigInt(quantity), uris(quantity, `e${eventId}`)], value });
    const [received] = parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "PaymentReceived" });
    return received!.args.paymentId;
  }
  // Event 1: 20% stake; single and batch purchases, a comp ticket, a transfer, check-ins, completion.
  await send(owner, { ...nft, functionName: "createEvent", args: [1n, 100n, parseEther("0.1"), organizer1.address] });
  await send(organizer1, { ...pp, functionName: "setEventStake", args: [1n, 2000n] });
  await purchase(buyer1, 1n, 1, parseEther("0.12")); // token 1
  await purchase(buyer2, 1n, 3, parseEther("0.36")); // tokens 2, 3, 4
  await send(owner, { ...nft, functionName: "mintTickets", args: [1n, buyer2.address, ["ipfs://comp/0"]] }); // token 5, complimentary
  await send(buyer2, { ...nft, functionName: "transferFrom", args: [buyer2.address, holder.address, 3n] });
  const gate = (name: string) => stringToHex(name, { size: 32 });
  await send(validator, { ...nft, functionName: "checkIn", args: [1n, gate("gate-A")] });
  await send(validator, { ...nft, functionName: "checkIn", args: [2n, gate("gate-B")] });
  await send(validator, { ...nft, functionName: "checkIn", args: [5n, gate("gate-A")] });
  await send(organizer1, { ...nft, functionName: "completeEvent", args: [1n] }); // tokens 3 and 4 are no-shows
  await send(buyer1, { ...pp, functionName: "claimStake", args: [1n] });
  await send(organizer1, { ...pp, functionName: "withdrawEarnings" });
  await send(owner, { ...pp, functionName: "withdrawPlatformFees" });
  // Event 2: 10% stake, cancelled, refunded (tickets burned).
  await send(owner, { ...nft, functionName: "createEvent", args: [2n, 10n, parseEther("0.05"), organizer2.address] });
  await send(owner, { ...pp, functionName: "setEventStake", args: [2n, 1000n] });
  const refunded = await purchase(buyer1, 2n, 2, parseEther("0.11")); // tokens 6, 7
  await send(owner, { ...nft, functionName: "cancelEvent", args: [2n] });
  await send(buyer1, { ...pp, functionName: "refund", args: [refunded] });
  // Event 3: no stake, completed, earnings left unwithdrawn.
  await send(owner, { ...nft, functionName: "createEvent", args: [3n, 5n, parseEther("0.2"), organizer2.address] });
  await purchase(buyer2, 3n, 1, parseEther("0.2")); // token 8
  await send(organizer2, { ...nft, functionName: "completeEvent", args: [3n] });
  // Event 4: 50% stake, still on sale.
  await send(owner, { ...nft, functionName: "createEvent", args: [4n, 50n, parseEther("0.01"), organizer1.address] });
  await send(organizer1, { ...pp, functionName: "setEventStake", args: [4n, 5000n] });
  await purchase(buyer1, 4n, 2, parseEther("0.03")); // tokens 9, 10
  await send(owner, { ...nft, functionName: "setValidator", args: [extra.address, true] });

  // ---------------------------------------------------------------- QR orders and rates
  const qr = { address: c.QRPayment.address, abi: abis.QRPayment };
  const oracle = { address: c.OracleHub.address, abi: abis.OracleHub };
  const idr = (n: string) => parseUnits(n, 18);
  await send(owner, { address: USDT, abi: abis.TestToken, functionName: "mint", args: [payer1.address, parseUnits("1000", 6)] });
  await send(owner, { address: USDC, abi: abis.TestToken, functionName: "mint", args: [payer1.address, parseUnits("1000", 6)] });
  await send(payer1, { address: USDT, abi: abis.TestToken, functionName: "approve", args: [c.QRPayment.address, maxUint256] });
  await send(payer1, { address: USDC, abi: abis.TestToken, functionName: "approve", args: [c.QRPayment.address, maxUint256] });
  // Order 1 (USDT): paid, topped up, settled, topped up again → partially settled.
  await send(payer1, { ...qr, functionName: "payQR", args: [USDT, idr("1000000"), "ORDER-1", "REF-1"] });
  await send(payer1, { ...qr, functionName: "payQR", args: [USDT, idr("250000"), "ORDER-1", "REF-1"] });
  const order1 = orderDataHash("ORDER-1", "REF-1", USDT, payer1.address);
  await send(bot, { ...qr, functionName: "settleQROrder", args: [beneficiary.address, order1] });
  await send(owner, { ...oracle, functionName: "setRate", args: [USDT, idr("16300")] });
  await send(payer1, { ...qr, functionName: "payQR", args: [USDT, idr("100000"), "ORDER-1", "REF-1"] });
  // Order 2 (native): paid with excess (returned), topped up, settled.
  const quote = (fiat: bigint) => t.publicClient.readContract({ ...oracle, functionName: "quote", args: [zeroAddress, fiat] });
  await send(payer2, { ...qr, functionName: "payQRNative", args: ["ORDER-2", "REF-2", idr("520000")], value: (await quote(idr("520000"))) + 12_345n });
  await send(payer2, { ...qr, functionName: "payQRNative", args: ["ORDER-2", "REF-2", idr("52000")], value: await quote(idr("52000")) });
  const order2 = orderDataHash("ORDER-2", "REF-2", zeroAddress, payer2.address);
  await send(bot, { ...qr, functionName: "settleQROrderNative", args: [beneficiary.address, order2] });
  // Order 3 (USDC): paid, not settled.
  await send(payer1, { ...qr, functionName: "payQR", args: [USDC, idr("16000"), "ORDER-3", "REF-3"] });
  const order3 = orderDataHash("ORDER-3", "REF-3", USDC, payer1.address);
  // Order 4 (USDC): a payer's strings with NUL bytes, which PostgreSQL text cannot hold.
  await send(payer1, { ...qr, functionName: "payQR", args: [USDC, idr("1000"), NUL_ORDER.orderId, NUL_ORDER.referenceString] });
  const order4 = orderDataHash(NUL_ORDER.orderId, NUL_ORDER.referenceString, USDC, payer1.address);

  // ---------------------------------------------------------------- roles, pauses, ownership
  await send(owner, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "setOperator", args: [extra.address, true] });
  await send(owner, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "setOperator", args: [extra.address, false] });
  await send(owner, { ...qr, functionName: "changeBotStatus", args: [extra.address, true] });
  await send(owner, { ...qr, functionName: "pause" });
  await send(owner, { ...qr, functionName: "unpause" });
  await send(owner, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "pause" });
  await send(owner, { ...pp, functionName: "transferOwnership", args: [newOwner.address] });
  await send(owner, { ...oracle, functionName: "transferOwnership", args: [newOwner.address] });
  await send(newOwner, { ...oracle, functionName: "acceptOwnership" });

  return {
    bookingIds: [a, b, cc, d, e, f],
    accounts: [customer, provider, inviter, customer2, provider2, organizer1, buyer1, buyer2, holder, organizer2, payer1, beneficiary, payer2, extra, newOwner, owner, signer, operator, validator, bot, t.role("platformWallet")].map(
      (x) => x.address,
    ),
    organizers: [organizer1.address, organizer2.address],
    eventIds: [1n, 2n, 3n, 4n],
    lastTokenId: 10n,
    orders: [
      { hash: order1, token: USDT, expected: "PARTIALLY_SETTLED" },
      { hash: order2, token: zeroAddress, expected: "SETTLED" },
      { hash: order3, token: USDC, expected: "PAID" },
      { hash: order4, token: USDC, expected: "PAID" },
    ],
    tokens: [USDT, USDC, zeroAddress],
    roleChecks: [
      { contract: "BookingEscrow", role: "OPERATOR", account: operator.address },
      { contract: "BookingEscrow", role: "OPERATOR", account: extra.address },
      { contract: "EventTicketNFT", role: "VALIDATOR", account: validator.address },
      { contract: "EventTicketNFT", role: "VALIDATOR", account: extra.address },
      { contract: "QRPayment", role: "BOT", account: bot.address },
      { contract: "QRPayment", role: "BOT", account: extra.address },
    ],
    firstDay,
    lastDay: (await now()) / DAY,
  };
}

let t: TestChain;
let scenario: Scenario;
let tmpDir: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  t = await startTestChain({ chainId: uniqueChainId() });
  scenario = await runScenario(t);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "index-basic-"));
  const deploymentFile = writeDeployment(t.deployment, path.join(tmpDir, "deployment.json"));
  const head = await t.publicClient.getBlockNumber({ cacheTime: 0 }); // viem caches the block number for its polling interval
  await Promise.all(
    backends
      .filter((b) => b.enabled)
      .map(async (b) => {
        const ponder = await startPonder({ deploymentFile, database: b.database });
        ponders.set(b.name, ponder);
        await ponder.waitForBlock(head, 120_000).catch((err: Error) => {
          throw new Error(`${b.name}: ${err.message}; log ${ponder.logFile}:\n${ponder.logTail()}`);
        });
      }),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await t?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable && t) dropSyncRows(PG_URL, t.chain.id);
});

describe.each(backends)("index on $name", ({ name, enabled }) => {
  const q = async <T = any>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const ponder = ponders.get(name);
    if (!ponder) throw new Error(`ponder (${name}) did not start`);
    return ponder.graphql<T>(query, variables);
  };
  const read = <T = any>(address: Address, abi: unknown, functionName: string, args: readonly unknown[] = []): Promise<T> =>
    t.publicClient.readContract({ address, abi: abi as never, functionName, args } as never) as Promise<T>;
  const run = enabled ? it : it.skip;

  run("bookings: status, parties, amounts and history", async () => {
    const c = t.deployment.contracts.BookingEscrow;
    const { bookings } = await q(`{ bookings(limit: 1000) { items { id status customer provider inviter amount platformFeeRate inviterFeeRate
      customerRefund providerAmount platformAmount inviterAmount emergency history(orderBy: "blockNumber", limit: 20) { items { status } } } } }`);
    expect(bookings.items).toHaveLength(scenario.bookingIds.length);
    const statusName = ["NONE", "PAID", "COMPLETED", "CANCELLED"];
    for (const id of scenario.bookingIds) {
      const onChain = await read<any>(c.address, abis.BookingEscrow, "getBooking", [id]);
      const row = bookings.items.find((r: any) => r.id === lc(id));
      expect(row, id).toBeDefined();
      expect(row.status).toBe(statusName[onChain.status]);
      expect(row.customer).toBe(lc(onChain.customer));
      expect(row.provider).toBe(lc(onChain.provider));
      expect(row.inviter).toBe(onChain.inviter === zeroAddress ? null : lc(onChain.inviter));
      expect(big(row.amount)).toBe(onChain.amount);
      expect(BigInt(row.platformFeeRate)).toBe(onChain.platformFeeRate);
      expect(BigInt(row.inviterFeeRate)).toBe(onChain.inviterFeeRate);
      expect(big(row.customerRefund) + big(row.providerAmount) + big(row.platformAmount) + big(row.inviterAmount)).toBe(
        row.status === "PAID" ? 0n : onChain.amount,
      );
      expect(row.history.items.map((h: any) => h.status)).toEqual(row.status === "PAID" ? ["PAID"] : ["PAID", row.status]);
    }
    expect(bookings.items.filter((r: any) => r.emergency)).toHaveLength(1);
  });

  run("earnings per account equal BookingEscrow.earnings, and the fee ledger adds up", async () => {
    const c = t.deployment.contracts.BookingEscrow;
    const { accountEarnings, feeLedgers } = await q(`{
      accountEarnings(limit: 1000) { items { account total asProvider asInviter asPlatform } }
      feeLedgers(limit: 1000) { items { account role amount } } }`);
    const indexed = new Map<string, any>(accountEarnings.items.map((r: any) => [r.account, r]));
    let nonZero = 0;
    for (const account of scenario.accounts) {
      const onChain = await read<bigint>(c.address, abis.BookingEscrow, "earnings", [account]);
      const row = indexed.get(lc(account));
      expect(row ? big(row.total) : 0n, account).toBe(onChain);
      if (onChain > 0n) nonZero++;
      if (row) {
        expect(big(row.asProvider) + big(row.asInviter) + big(row.asPlatform)).toBe(onChain);
        const ledger = feeLedgers.items.filter((l: any) => l.account === lc(account)).reduce((s: bigint, l: any) => s + big(l.amount), 0n);
        expect(ledger).toBe(onChain);
      }
    }
    expect(nonZero).toBe(4); // provider, provider2, inviter, platform wallet
    for (const row of accountEarnings.items) expect(scenario.accounts.map(lc)).toContain(row.account);
    const roles = new Set(feeLedgers.items.map((l: any) => l.role));
    expect([...roles].sort()).toEqual(["INVITER", "PLATFORM", "PROVIDER"]);
  });

  run("escrow total, token balance and daily statistics agree", async () => {
    const c = t.deployment.contracts.BookingEscrow;
    const { escrowStates, dailyStats } = await q(`{
      escrowStates { items { totalEscrowed paymentToken bookingsCreated } }
      dailyStats(where: { contract: BookingEscrow }, limit: 1000) { items { day token inflow outflow bookingsCreated } } }`);
    const totalEscrowed = await read<bigint>(c.address, abis.BookingEscrow, "totalEscrowed");
    expect(totalEscrowed).toBeGreaterThan(0n);
    expect(big(escrowStates.items[0].totalEscrowed)).toBe(totalEscrowed);
    expect(escrowStates.items[0].paymentToken).toBe(lc(t.deployment.tokens.USDC));
    const balance = await read<bigint>(t.deployment.tokens.USDC, abis.TestToken, "balanceOf", [c.address]);
    expect(balance).toBe(totalEscrowed);
    const net = dailyStats.items.reduce((s: bigint, r: any) => s + big(r.inflow) - big(r.outflow), 0n);
    expect(net).toBe(totalEscrowed);
    expect(dailyStats.items.reduce((s: number, r: any) => s + r.bookingsCreated, 0)).toBe(scenario.bookingIds.length);
    // Two days passed in the scenario: at least two buckets, each floor(timestamp / 86400).
    const days = dailyStats.items.map((r: any) => BigInt(r.day));
    expect(days.length).toBeGreaterThanOrEqual(2);
    for (const day of days) expect(day >= scenario.firstDay && day <= scenario.lastDay).toBe(true);
  });

  run("ticketed events match getEvent and eventSales", async () => {
    const nft = t.deployment.contracts.EventTicketNFT.address;
    const pp = t.deployment.contracts.PaymentProcessor.address;
    const statusName = ["NONE", "ACTIVE", "CANCELLED", "COMPLETED"];
    const { ticketedEvents } = await q(`{ ticketedEvents { items { id organizer maxCapacity price status sold checkedIn paidCheckedIn
      stakeBps paidTickets escrowed settled } } }`);
    expect(ticketedEvents.items).toHaveLength(scenario.eventIds.length);
    for (const id of scenario.eventIds) {
      const e = await read<any>(nft, abis.EventTicketNFT, "getEvent", [id]);
      const [stakeBps, escrowed, paidTickets, settled] = await read<any>(pp, abis.PaymentProcessor, "eventSales", [id]);
      const row = ticketedEvents.items.find((r: any) => big(r.id) === id);
      expect(row.organizer).toBe(lc(e.organizer));
      expect(big(row.maxCapacity)).toBe(e.maxCapacity);
      expect(big(row.price)).toBe(e.price);
      expect(row.status).toBe(statusName[e.status]);
      expect(big(row.sold)).toBe(e.sold);
      expect(big(row.checkedIn)).toBe(e.checkedIn);
      expect(big(row.paidCheckedIn)).toBe(e.paidCheckedIn);
      expect(BigInt(row.stakeBps)).toBe(stakeBps);
      expect(big(row.escrowed)).toBe(escrowed);
      expect(big(row.paidTickets)).toBe(paidTickets);
      expect(row.settled).toBe(settled);
    }
  });

  run("tickets: owners, check-ins, gates, burns; stakes claimable", async () => {
    const nft = t.deployment.contracts.EventTicketNFT.address;
    const pp = t.deployment.contracts.PaymentProcessor.address;
    const { tickets } = await q(`{ tickets(limit: 1000) { items { tokenId eventId owner complimentary checkedIn gateId burned paymentId
      stake { amount status claimable } } } }`);
    expect(tickets.items).toHaveLength(Number(scenario.lastTokenId));
    for (let tokenId = 1n; tokenId <= scenario.lastTokenId; tokenId++) {
      const row = tickets.items.find((r: any) => big(r.tokenId) === tokenId);
      expect(row, `ticket ${tokenId}`).toBeDefined();
      expect(big(row.eventId)).toBe(await read<bigint>(nft, abis.EventTicketNFT, "ticketEvent", [tokenId]));
      if (row.burned) {
        await expect(read(nft, abis.EventTicketNFT, "ownerOf", [tokenId])).rejects.toThrow();
        expect(row.owner).toBe(zeroAddress);
      } else {
        expect(row.owner).toBe(lc(await read<Address>(nft, abis.EventTicketNFT, "ownerOf", [tokenId])));
      }
      expect(row.complimentary).toBe(await read<boolean>(nft, abis.EventTicketNFT, "isComplimentary", [tokenId]));
      expect(row.complimentary).toBe(row.paymentId === null);
      expect(row.checkedIn).toBe(await read<boolean>(nft, abis.EventTicketNFT, "checkedIn", [tokenId]));
      const gate = await read<Hex>(nft, abis.EventTicketNFT, "checkInGate", [tokenId]);
      expect(row.gateId ?? `0x${"0".repeat(64)}`).toBe(lc(gate));
      const claimable = await read<bigint>(pp, abis.PaymentProcessor, "claimableStake", [tokenId]);
      const ticketStake = await read<bigint>(pp, abis.PaymentProcessor, "ticketStake", [tokenId]);
      expect(row.stake ? big(row.stake.claimable) : 0n).toBe(claimable);
      // ticketStake is zeroed on claim and refund; forfeited stakes keep their figure on chain.
      const held = row.stake && ["HELD", "CLAIMABLE", "FORFEITED"].includes(row.stake.status) ? big(row.stake.amount) : 0n;
      expect(held).toBe(ticketStake);
    }
    const statuses = tickets.items.filter((r: any) => r.stake).map((r: any) => r.stake.status);
    for (const s of ["HELD", "CLAIMED", "FORFEITED", "REFUNDED"]) expect(statuses).toContain(s);
    expect(tickets.items.filter((r: any) => r.burned)).toHaveLength(2);
  });

  run("payments, refunds, organizer balances and platform fees match the processor", async () => {
    const pp = t.deployment.contracts.PaymentProcessor.address;
    const { payments, refunds, organizerBalances, processorStates, dailyStats } = await q(`{
      payments(limit: 1000) { items { id eventId buyer amount quantity tokenIds status } }
      refunds { items { paymentId amount } }
      organizerBalances { items { organizer balance withdrawn } }
      processorStates { items { paymentCount platformFees unclaimedStakes platformFeesWithdrawn } }
      dailyStats(where: { contract: PaymentProcessor }, limit: 1000) { items { inflow outflow } } }`);
    expect(payments.items).toHaveLength(Number(await read<bigint>(pp, abis.PaymentProcessor, "paymentCount")));
    expect(processorStates.items[0].paymentCount).toBe(payments.items.length);
    for (const row of payments.items) {
      const p = await read<any>(pp, abis.PaymentProcessor, "getPayment", [row.id]);
      expect(row.status).toBe(["NONE", "CONFIRMED", "REFUNDED"][p.status]);
      expect(row.buyer).toBe(lc(p.buyer));
      expect(big(row.eventId)).toBe(p.eventId);
      expect(big(row.amount)).toBe(p.amount);
      expect(row.tokenIds.map(big)).toEqual([...p.tokenIds]);
      expect(row.quantity).toBe(p.tokenIds.length);
    }
    expect(refunds.items).toHaveLength(1);
    expect(payments.items.find((p: any) => p.id === refunds.items[0].paymentId).status).toBe("REFUNDED");
    let nonZero = 0;
    for (const organizer of scenario.organizers) {
      const onChain = await read<bigint>(pp, abis.PaymentProcessor, "organizerBalance", [organizer]);
      const row = organizerBalances.items.find((r: any) => r.organizer === lc(organizer));
      expect(row ? big(row.balance) : 0n).toBe(onChain);
      if (onChain > 0n) nonZero++;
    }
    expect(nonZero).toBe(1); // organizer1 withdrew, organizer2 did not
    expect(organizerBalances.items.some((r: any) => big(r.withdrawn) > 0n)).toBe(true);
    const state = processorStates.items[0];
    expect(big(state.platformFees)).toBe(await read<bigint>(pp, abis.PaymentProcessor, "platformFees"));
    expect(big(state.platformFees)).toBeGreaterThan(0n);
    expect(big(state.platformFeesWithdrawn)).toBeGreaterThan(0n);
    expect(big(state.unclaimedStakes)).toBe(await read<bigint>(pp, abis.PaymentProcessor, "unclaimedStakes"));
    const balance = await t.publicClient.getBalance({ address: pp });
    expect(dailyStats.items.reduce((s: bigint, r: any) => s + big(r.inflow) - big(r.outflow), 0n)).toBe(balance);
  });

  run("QR orders, settlements and per-token totals match QRPayment", async () => {
    const qr = t.deployment.contracts.QRPayment.address;
    const { qrOrders, qrTokenTotals } = await q(`{
      qrOrders { items { id token paidAmount paidFiat settledAmount settledFiat unsettledAmount status paymentCount settlementCount
        settlements { totalCount items { beneficiary tokenAmount } } } }
      qrTokenTotals { items { token unsettled } } }`);
    expect(qrOrders.items).toHaveLength(scenario.orders.length);
    for (const o of scenario.orders) {
      const row = qrOrders.items.find((r: any) => r.id === lc(o.hash));
      const onChain = await read<any>(qr, abis.QRPayment, "getOrder", [o.hash]);
      expect(row.token).toBe(lc(o.token));
      expect(big(row.paidAmount)).toBe(onChain.paidAmount);
      expect(big(row.paidFiat)).toBe(onChain.paidFiat);
      expect(big(row.settledAmount)).toBe(onChain.settledAmount);
      expect(big(row.settledFiat)).toBe(onChain.settledFiat);
      expect(big(row.unsettledAmount)).toBe(await read<bigint>(qr, abis.QRPayment, "unsettledAmount", [o.hash]));
      expect(row.status).toBe(o.expected);
      expect(row.settlements.totalCount).toBe(o.expected === "PAID" ? 0 : 1);
      expect(row.settlementCount).toBe(row.settlements.totalCount);
    }
    for (const token of scenario.tokens) {
      const onChain = await read<bigint>(qr, abis.QRPayment, "totalUnsettled", [token]);
      const row = qrTokenTotals.items.find((r: any) => r.token === lc(token));
      expect(row ? big(row.unsettled) : 0n, token).toBe(onChain);
      const held = token === zeroAddress ? await t.publicClient.getBalance({ address: qr }) : await read<bigint>(token, abis.TestToken, "balanceOf", [qr]);
      expect(held).toBe(onChain);
    }
    const { dailyStats } = await q(`{ dailyStats(where: { contract: QRPayment }, limit: 1000) { items { token inflow outflow qrPayments } } }`);
    for (const token of scenario.tokens) {
      const net = dailyStats.items.filter((r: any) => r.token === lc(token)).reduce((s: bigint, r: any) => s + big(r.inflow) - big(r.outflow), 0n);
      expect(net).toBe(await read<bigint>(qr, abis.QRPayment, "totalUnsettled", [token]));
    }
    expect(dailyStats.items.reduce((s: number, r: any) => s + r.qrPayments, 0)).toBe(7);
  });

  run("text from the chain is stored without its NUL bytes, and indexing goes on", async () => {
    const bookingC = scenario.bookingIds[2]!;
    const { booking, qrOrder } = await q(
      `query($c: Float!, $b: String!, $o: String!) { booking(chainId: $c, id: $b) { cancelReason history { items { status reason } } } qrOrder(chainId: $c, id: $o) { orderId referenceString } }`,
      { c: t.deployment.chainId, b: lc(bookingC), o: lc(scenario.orders[3]!.hash) },
    );
    expect(booking.cancelReason).toBe("provider unavailable");
    expect(booking.history.items.find((h: any) => h.status === "CANCELLED").reason).toBe("provider unavailable");
    expect(qrOrder).toEqual({ orderId: "ORDER-4", referenceString: "REF-4" });
  });

  run("oracle rates match rateOf, with history", async () => {
    const oracle = t.deployment.contracts.OracleHub.address;
    const { oracleRates } = await q(`{ oracleRates { items { token rate decimals history { totalCount } } } }`);
    for (const token of scenario.tokens) {
      const [rate, decimals] = await read<[bigint, number]>(oracle, abis.OracleHub, "rateOf", [token]);
      const row = oracleRates.items.find((r: any) => r.token === lc(token));
      expect(big(row.rate)).toBe(rate);
      expect(row.decimals).toBe(decimals);
      expect(row.history.totalCount).toBe(token === scenario.tokens[0] ? 2 : 1);
    }
  });

  run("roles, pause state and ownership match the contracts", async () => {
    const c = t.deployment.contracts;
    const { roleMembers, contractInfos } = await q(`{
      roleMembers(limit: 1000) { items { contract role account active } }
      contractInfos { items { name address owner pendingOwner paused } } }`);
    const active = (contract: string, role: string, account: string) =>
      roleMembers.items.some((r: any) => r.contract === contract && r.role === role && r.account === lc(account) && r.active);
    const views = { BookingEscrow: ["operators", abis.BookingEscrow], EventTicketNFT: ["validators", abis.EventTicketNFT], QRPayment: ["bots", abis.QRPayment] } as const;
    for (const check of scenario.roleChecks) {
      const [fn, abi] = views[check.contract];
      expect(active(check.contract, check.role, check.account), `${check.contract} ${check.role} ${check.account}`).toBe(
        await read<boolean>(c[check.contract].address, abi, fn, [check.account]),
      );
    }
    expect(active("BookingEscrow", "SIGNER", await read<Address>(c.BookingEscrow.address, abis.BookingEscrow, "signer"))).toBe(true);
    expect(roleMembers.items.filter((r: any) => r.role === "SIGNER" && r.active)).toHaveLength(1);
    expect(active("EventTicketNFT", "MINTER", c.PaymentProcessor.address)).toBe(true);
    const allAbis = { BookingEscrow: abis.BookingEscrow, EventTicketNFT: abis.EventTicketNFT, PaymentProcessor: abis.PaymentProcessor, QRPayment: abis.QRPayment, OracleHub: abis.OracleHub };
    expect(contractInfos.items).toHaveLength(5);
    for (const [name, abi] of Object.entries(allAbis)) {
      const address = c[name as keyof typeof c].address;
      const row = contractInfos.items.find((r: any) => r.name === name);
      expect(row.address).toBe(lc(address));
      expect(row.paused).toBe(await read<boolean>(address, abi, "paused"));
      expect(row.owner).toBe(lc(await read<Address>(address, abi, "owner")));
      const pending = await read<Address>(address, abi, "pendingOwner");
      expect(row.pendingOwner).toBe(pending === zeroAddress ? null : lc(pending));
    }
  });

  run("GraphQL walks: event → tickets → check-ins, booking → history, order → settlements, account → everything", async () => {
    const { ticketedEvent } = await q(`{ ticketedEvent(chainId: ${t.deployment.chainId}, id: "1") { tickets(orderBy: "tokenId") { items { tokenId checkIns { items { gateId validator holder } } } } } }`);
    const checkIns = ticketedEvent.tickets.items.flatMap((t: any) => t.checkIns.items);
    expect(ticketedEvent.tickets.items).toHaveLength(5);
    expect(checkIns).toHaveLength(3);
    expect(checkIns.every((ci: any) => ci.validator === lc(t.role("validator").address))).toBe(true);

    const customer = lc(t.actor(0).address);
    const { account } = await q(
      `query($c: Float!, $a: String!) { account(chainId: $c, address: $a) { bookingsAsCustomer { totalCount items { history { items { status } } } } } }`,
      { c: t.deployment.chainId, a: customer },
    );
    expect(account.bookingsAsCustomer.totalCount).toBe(3);

    const provider = lc(t.actor(1).address);
    const { account: p } = await q(
      `query($c: Float!, $a: String!) { account(chainId: $c, address: $a) { earnings { total asProvider } feeLedger { totalCount } bookingsAsProvider { totalCount } } }`,
      { c: t.deployment.chainId, a: provider },
    );
    expect(big(p.earnings.total)).toBe(await t.publicClient.readContract({ address: t.deployment.contracts.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "earnings", args: [provider as Address] }));
    expect(p.bookingsAsProvider.totalCount).toBe(3);

    const buyer1 = lc(t.actor(6).address);
    const { account: b1 } = await q(`query($c: Float!, $a: String!) { account(chainId: $c, address: $a) { tickets { totalCount } payments { totalCount items { tickets { totalCount } } } } }`, { c: t.deployment.chainId, a: buyer1 });
    expect(b1.payments.totalCount).toBe(3);
    expect(b1.tickets.totalCount).toBe(3); // token 1 and event 4's two; the refunded two were burned

    const { qrOrder } = await q(`query($c: Float!, $id: String!) { qrOrder(chainId: $c, id: $id) { payments { totalCount } settlements { items { beneficiary order { id } } } } }`, {
      c: t.deployment.chainId,
      id: lc(scenario.orders[0]!.hash),
    });
    expect(qrOrder.payments.totalCount).toBe(3);
    expect(qrOrder.settlements.items[0].beneficiary).toBe(lc(t.actor(11).address));
  });
});

describe("live indexing after startup", () => {
  it("indexes a new QR top-up on every backend, and serves GraphQL at / and SQL at /sql/db", async () => {
    const running = [...ponders.entries()];
    expect(running.length).toBe(backends.filter((b) => b.enabled).length);
    const { QRPayment } = t.deployment.contracts;
    const order = scenario.orders[2]!; // ORDER-3, USDC, unsettled
    const payer = t.actor(10);
    const receipt = await t.mined(
      await t.wallet(payer).writeContract({
        address: QRPayment.address,
        abi: abis.QRPayment,
        functionName: "payQR",
        args: [order.token, parseUnits("32000", 18), "ORDER-3", "REF-3"],
      }),
    );
    const onChain = await t.publicClient.readContract({ address: QRPayment.address, abi: abis.QRPayment, functionName: "getOrder", args: [order.hash] });
    for (const [name, ponder] of running) {
      await ponder.waitForBlock(receipt.blockNumber, 30_000);
      const viaRoot = await fetch(`${ponder.url}/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `query($c: Float!, $id: String!) { qrOrder(chainId: $c, id: $id) { paidAmount paidFiat paymentCount status } }`, variables: { c: t.deployment.chainId, id: lc(order.hash) } }),
      });
      const { data } = (await viaRoot.json()) as any;
      expect(big(data.qrOrder.paidAmount), name).toBe(onChain.paidAmount);
      expect(big(data.qrOrder.paidFiat), name).toBe(onChain.paidFiat);
      expect(data.qrOrder.paymentCount, name).toBe(2);
      expect(data.qrOrder.status, name).toBe("PAID");

      // SQL over HTTP (what @ponder/client sends): aggregates GraphQL does not offer.
      const query = { json: { sql: "select count(*)::int as n, sum(total)::text as total from account_earnings", params: [] } };
      const res = await fetch(`${ponder.url}/sql/db?sql=${encodeURIComponent(JSON.stringify(query))}`);
      expect(res.status, name).toBe(200);
      const body = (await res.json()) as { rows: { n: number; total: string }[] };
      let expected = 0n;
      for (const a of scenario.accounts) {
        expected += await t.publicClient.readContract({
          address: t.deployment.contracts.BookingEscrow.address,
          abi: abis.BookingEscrow,
          functionName: "earnings",
          args: [a],
        });
      }
      expect(body.rows, name).toEqual([{ n: 4, total: expected.toString() }]); // provider, provider2, inviter, platform wallet
    }
  });
});
