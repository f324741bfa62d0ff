// EventTicketNFT + PaymentProcessor against a real anvil (SPEC 1.2, 1.3): every revert path,
// every money path to the wei, the events the indexer reads, and a ledger that proves the
// processor never holds more or less ETH than its views say it owes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  parseEther,
  parseEventLogs,
  toHex,
  zeroAddress,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { expectRevert, gasCost, startTestChain, type TestChain } from "../helpers/chain.js";
import { abis } from "../../devchain/artifacts.js";
import { ROLE_INDEX, type Role } from "../../config/accounts.js";

// ---------------------------------------------------------------- constants from the spec

const FEE_BPS = 500n; // PLATFORM_FEE_BPS and ROYALTY_BPS
const BPS = 10_000n;
const PRICE = parseEther("0.1");
/** An awkward price so that fee and stake rounding would show if anyone got it wrong. */
const ODD_PRICE = 123_456_789_012_345_679n;

const EventStatus = { None: 0, Active: 1, Cancelled: 2, Completed: 3 } as const;
const PaymentStatus = { None: 0, Confirmed: 1, Refunded: 2 } as const;

const IFACE = {
  erc165: "0x01ffc9a7",
  erc721: "0x80ac58cd",
  erc721Metadata: "0x5b5e139f",
  erc2981: "0x2a55205a",
  none: "0xffffffff",
} as const;

/**
 * The processor's ABI plus the ticket contract's custom errors: some processor calls revert
 * inside the ticket contract (capacity, nonexistent token) and viem can only name an error
 * it finds in the ABI it was given.
 */
const ticketErrors = abis.EventTicketNFT.filter(
  (item): item is Extract<(typeof abis.EventTicketNFT)[number], { type: "error" }> => item.type === "error",
);
const processorAbi = [...abis.PaymentProcessor, ...ticketErrors];

// ---------------------------------------------------------------- chain and ledger

let t: TestChain;
let NFT: Address;
let PP: Address;
let owner: Account;
let validator: Account;

/** Everything the file ever created, so the solvency check can sum what the processor owes. */
const ledger = {
  events: new Set<bigint>(),
  organizers: new Set<Address>(),
  payments: new Map<Hex, { buyer: Account; eventId: bigint }>(),
};

beforeAll(async () => {
  t = await startTestChain();
  NFT = t.deployment.contracts.EventTicketNFT.address;
  PP = t.deployment.contracts.PaymentProcessor.address;
  owner = t.role("owner");
  validator = t.role("validator");
});
afterAll(async () => t?.stop());

// After every test the processor must hold exactly what it owes, not a wei more or less.
afterEach(async () => {
  expect(await ethBalance(PP)).toBe(await outstanding());
});

// ---------------------------------------------------------------- helpers

/** Actors are derived from the mnemonic (slow: PBKDF2), so derive each one once. */
const actors = new Map<number, Account>();
function actor(n: number): Account {
  let account = actors.get(n);
  if (!account) {
    account = t.actor(n);
    actors.set(n, account);
  }
  return account;
}
const gate = (name: string): Hex => toHex(name, { size: 32 });
const uris = (n: number, tag = "t"): string[] => Array.from({ length: n }, (_, i) => `ipfs://${tag}/${i}`);

function one<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

/**
 * `t.mined` with a short polling interval: with the client's default (4 s), a receipt lookup
 * that races the block now and then waits the full 4 s, which added 5-15 s to this file.
 */
async function mined(hash: Hex): Promise<TransactionReceipt> {
  const receipt = await t.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

async function send(hash: Promise<Hex>): Promise<TransactionReceipt> {
  return mined(await hash);
}

const ethBalance = (address: Address) => t.publicClient.getBalance({ address });

const getEvent = (eventId: bigint) =>
  t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "getEvent", args: [eventId] });

async function sales(eventId: bigint) {
  const [stakeBps, escrowed, paidTickets, settled] = await t.publicClient.readContract({
    address: PP,
    abi: abis.PaymentProcessor,
    functionName: "eventSales",
    args: [eventId],
  });
  return { stakeBps, escrowed, paidTickets, settled };
}

const getPayment = (paymentId: Hex) =>
  t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "getPayment", args: [paymentId] });

const orgBalance = (organizer: Address) =>
  t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "organizerBalance", args: [organizer] });

const platformFees = () => t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "platformFees" });

const unclaimedStakes = () =>
  t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "unclaimedStakes" });

const ticketStake = (tokenId: bigint) =>
  t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "ticketStake", args: [tokenId] });

const claimableStake = (tokenId: bigint) =>
  t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "claimableStake", args: [tokenId] });

const ownerOf = (tokenId: bigint) =>
  t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "ownerOf", args: [tokenId] });

const nftBalance = (holder: Address) =>
  t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "balanceOf", args: [holder] });

/** organizerBalance + platformFees + unclaimedStakes + escrow of unsettled events (settled ones read 0). */
async function outstanding(): Promise<bigint> {
  const parts = await Promise.all([
    platformFees(),
    unclaimedStakes(),
    ...[...ledger.organizers].map(orgBalance),
    ...[...ledger.events].map(async (eventId) => (await sales(eventId)).escrowed),
  ]);
  return parts.reduce((a, b) => a + b, 0n);
}

let eventCounter = 1000n;
function nextEventId(): bigint {
  eventCounter += 1n;
  return eventCounter;
}

function track(eventId: bigint, organizer: Address): void {
  ledger.events.add(eventId);
  ledger.organizers.add(organizer);
}

async function newEvent(opts: {
  organizer: Account;
  capacity?: bigint;
  price?: bigint;
  stakeBps?: bigint;
}): Promise<bigint> {
  const eventId = nextEventId();
  await send(
    t.wallet(owner).writeContract({
      address: NFT,
      abi: abis.EventTicketNFT,
      functionName: "createEvent",
      args: [eventId, opts.capacity ?? 50n, opts.price ?? PRICE, opts.organizer.address],
    }),
  );
  track(eventId, opts.organizer.address);
  if (opts.stakeBps !== undefined) {
    await send(
      t.wallet(opts.organizer).writeContract({
        address: PP,
        abi: abis.PaymentProcessor,
        functionName: "setEventStake",
        args: [eventId, opts.stakeBps],
      }),
    );
  }
  return eventId;
}

/** Price, per-ticket stake and the exact msg.value for `quantity` tickets, from the spec's formula. */
async function cost(eventId: bigint, quantity: bigint) {
  const { price } = await getEvent(eventId);
  const { stakeBps } = await sales(eventId);
  const stake = (price * stakeBps) / BPS;
  return { price, stake, total: (price + stake) * quantity };
}

type Purchase = { receipt: TransactionReceipt; paymentId: Hex; tokenIds: bigint[]; amount: bigint };

function readPurchase(receipt: TransactionReceipt, buyer: Account, eventId: bigint): Purchase {
  const received = one(
    parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "PaymentReceived" }),
  );
  const transfers = parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "Transfer" }).filter(
    (l) => l.address.toLowerCase() === NFT.toLowerCase(),
  );
  ledger.payments.set(received.args.paymentId, { buyer, eventId });
  return {
    receipt,
    paymentId: received.args.paymentId,
    tokenIds: transfers.map((l) => l.args.tokenId),
    amount: received.args.amount,
  };
}

async function purchase(buyer: Account, eventId: bigint, quantity: number): Promise<Purchase> {
  const { total } = await cost(eventId, BigInt(quantity));
  const receipt = await send(
    t.wallet(buyer).writeContract({
      address: PP,
      abi: abis.PaymentProcessor,
      functionName: "purchaseTickets",
      args: [eventId, BigInt(quantity), uris(quantity)],
      value: total,
    }),
  );
  return readPurchase(receipt, buyer, eventId);
}

async function compTickets(eventId: bigint, to: Address, quantity: number): Promise<bigint[]> {
  const receipt = await send(
    t.wallet(owner).writeContract({
      address: NFT,
      abi: abis.EventTicketNFT,
      functionName: "mintTickets",
      args: [eventId, to, uris(quantity, "comp")],
    }),
  );
  return parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "Transfer" }).map((l) => l.args.tokenId);
}

const checkIn = (tokenId: bigint, gateId: Hex = gate("gate-a")) =>
  send(t.wallet(validator).writeContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "checkIn", args: [tokenId, gateId] }));

const completeEvent = (by: Account, eventId: bigint) =>
  send(t.wallet(by).writeContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "completeEvent", args: [eventId] }));

const cancelEvent = (by: Account, eventId: bigint) =>
  send(t.wallet(by).writeContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "cancelEvent", args: [eventId] }));

const transferTicket = (from: Account, to: Address, tokenId: bigint) =>
  send(
    t.wallet(from).writeContract({
      address: NFT,
      abi: abis.EventTicketNFT,
      functionName: "transferFrom",
      args: [from.address, to, tokenId],
    }),
  );

async function withPaused(target: "nft" | "processor", body: () => Promise<void>): Promise<void> {
  const address = target === "nft" ? NFT : PP;
  const abi = target === "nft" ? abis.EventTicketNFT : abis.PaymentProcessor;
  await send(t.wallet(owner).writeContract({ address, abi, functionName: "pause" }));
  try {
    await body();
  } finally {
    await send(t.wallet(owner).writeContract({ address, abi, functionName: "unpause" }));
  }
}

/** Every dev account the tests use, so the final drain can act as whoever holds a ticket. */
let devAccounts: Account[] | undefined;
function accountOf(address: Address): Account {
  devAccounts ??= [
    ...(Object.keys(ROLE_INDEX) as Role[]).map((r) => t.role(r)),
    ...Array.from({ length: 24 }, (_, n) => actor(n)),
  ];
  const candidates = devAccounts;
  const found = candidates.find((a) => a.address.toLowerCase() === address.toLowerCase());
  if (!found) throw new Error(`no dev account for ${address}`);
  return found;
}

// ================================================================ EventTicketNFT

describe("EventTicketNFT: events", () => {
  it("the owner creates an event and EventCreated carries its terms", async () => {
    const organizer = actor(0);
    const eventId = nextEventId();
    const receipt = await send(
      t.wallet(owner).writeContract({
        address: NFT,
        abi: abis.EventTicketNFT,
        functionName: "createEvent",
        args: [eventId, 25n, PRICE, organizer.address],
      }),
    );
    track(eventId, organizer.address);
    const created = one(parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "EventCreated" }));
    expect(created.args).toEqual({ eventId, organizer: organizer.address, maxCapacity: 25n, price: PRICE });
    expect(await getEvent(eventId)).toEqual({
      organizer: organizer.address,
      maxCapacity: 25n,
      price: PRICE,
      sold: 0n,
      checkedIn: 0n,
      paidCheckedIn: 0n,
      status: EventStatus.Active,
    });
  });

  it("createEvent reverts for a non-owner, a duplicate id, zero capacity and a zero organizer", async () => {
    const organizer = actor(0);
    const existing = await newEvent({ organizer });
    const fresh = nextEventId();
    const create = (from: Account, args: readonly [bigint, bigint, bigint, Address]) => () =>
      t.publicClient.simulateContract({ account: from, address: NFT, abi: abis.EventTicketNFT, functionName: "createEvent", args });

    await expectRevert(create(organizer, [fresh, 10n, PRICE, organizer.address]), "OwnableUnauthorizedAccount");
    await expectRevert(create(actor(1), [fresh, 10n, PRICE, organizer.address]), "OwnableUnauthorizedAccount");
    await expectRevert(create(owner, [existing, 10n, PRICE, organizer.address]), "EventAlreadyExists");
    await expectRevert(create(owner, [fresh, 0n, PRICE, organizer.address]), "InvalidCapacity");
    await expectRevert(create(owner, [fresh, 10n, PRICE, zeroAddress]), "ZeroAddress");
    expect((await getEvent(fresh)).status).toBe(EventStatus.None);
  });

  it("cancel and complete: organizer or owner, once, and never for an unknown event", async () => {
    const organizer = actor(0);
    const stranger = actor(1);
    const sim = (from: Account, functionName: "cancelEvent" | "completeEvent", eventId: bigint) => () =>
      t.publicClient.simulateContract({ account: from, address: NFT, abi: abis.EventTicketNFT, functionName, args: [eventId] });

    const a = await newEvent({ organizer });
    const b = await newEvent({ organizer });
    const unknown = nextEventId();

    for (const fn of ["cancelEvent", "completeEvent"] as const) {
      await expectRevert(sim(stranger, fn, a), "NotOrganizerOrOwner");
      await expectRevert(sim(validator, fn, a), "NotOrganizerOrOwner");
      await expectRevert(sim(owner, fn, unknown), "EventNotFound");
    }

    // The organizer cancels a; the owner completes b; neither can change state again.
    const cancelled = await cancelEvent(organizer, a);
    expect(one(parseEventLogs({ abi: abis.EventTicketNFT, logs: cancelled.logs, eventName: "EventCancelled" })).args).toEqual({
      eventId: a,
    });
    const completed = await completeEvent(owner, b);
    expect(one(parseEventLogs({ abi: abis.EventTicketNFT, logs: completed.logs, eventName: "EventCompleted" })).args).toEqual({
      eventId: b,
    });
    expect((await getEvent(a)).status).toBe(EventStatus.Cancelled);
    expect((await getEvent(b)).status).toBe(EventStatus.Completed);

    for (const fn of ["cancelEvent", "completeEvent"] as const) {
      for (const id of [a, b]) {
        await expectRevert(sim(organizer, fn, id), "EventNotActive");
        await expectRevert(sim(owner, fn, id), "EventNotActive");
      }
    }
  });

  it("only the processor (minter) and the owner mint; only the minter burns", async () => {
    const organizer = actor(0);
    const eventId = await newEvent({ organizer, capacity: 5n });
    const mint = (from: Account, n: number) => () =>
      t.publicClient.simulateContract({
        account: from,
        address: NFT,
        abi: abis.EventTicketNFT,
        functionName: "mintTickets",
        args: [eventId, from.address, uris(n)],
      });
    const burn = (from: Account, tokenId: bigint) => () =>
      t.publicClient.simulateContract({ account: from, address: NFT, abi: abis.EventTicketNFT, functionName: "burn", args: [tokenId] });

    await expectRevert(mint(actor(1), 1), "NotMinterOrOwner");
    await expectRevert(mint(organizer, 1), "NotMinterOrOwner");
    await expectRevert(mint(validator, 1), "NotMinterOrOwner");
    await expectRevert(mint(owner, 0), "InvalidQuantity");
    await expectRevert(mint(owner, 11), "InvalidQuantity");
    await expectRevert(mint(owner, 6), "CapacityExceeded");

    const [tokenId] = await compTickets(eventId, actor(2).address, 1);
    if (tokenId === undefined) throw new Error("no comp ticket minted");
    await expectRevert(burn(actor(2), tokenId), "NotMinter");
    await expectRevert(burn(owner, tokenId), "NotMinter");
    await expectRevert(burn(organizer, tokenId), "NotMinter");
    expect(await ownerOf(tokenId)).toBe(actor(2).address);
  });

  it("royaltyInfo pays 5% to the organizer; supportsInterface covers ERC-721 and ERC-2981", async () => {
    const organizer = actor(3);
    const eventId = await newEvent({ organizer });
    const [tokenId] = await compTickets(eventId, actor(4).address, 1);
    if (tokenId === undefined) throw new Error("no comp ticket minted");
    const royalty = (salePrice: bigint) =>
      t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "royaltyInfo", args: [tokenId, salePrice] });

    expect(await royalty(parseEther("1"))).toEqual([organizer.address, parseEther("0.05")]);
    expect(await royalty(12_345n)).toEqual([organizer.address, (12_345n * FEE_BPS) / BPS]);
    expect(await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "ROYALTY_BPS" })).toBe(
      FEE_BPS,
    );

    const supports = (id: Hex) =>
      t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "supportsInterface", args: [id] });
    expect(await supports(IFACE.erc2981)).toBe(true);
    expect(await supports(IFACE.erc721)).toBe(true);
    expect(await supports(IFACE.erc721Metadata)).toBe(true);
    expect(await supports(IFACE.erc165)).toBe(true);
    expect(await supports(IFACE.none)).toBe(false);
  });
});

// ================================================================ purchases

describe("PaymentProcessor: purchases", () => {
  it("a single ticket: pays price + stake, escrows it, emits PaymentReceived/Confirmed, TicketMinted and Transfer", async () => {
    expect(await t.publicClient.readContract({ address: PP, abi: abis.PaymentProcessor, functionName: "PLATFORM_FEE_BPS" })).toBe(
      FEE_BPS,
    );
    const organizer = actor(0);
    const buyer = actor(5);
    const eventId = await newEvent({ organizer, price: ODD_PRICE, stakeBps: 2000n });
    const stake = (ODD_PRICE * 2000n) / BPS;
    const { total } = await cost(eventId, 1n);
    expect(total).toBe(ODD_PRICE + stake);

    // The function's return value is the id the logs carry.
    const { result: simulatedId } = await t.publicClient.simulateContract({
      account: buyer,
      address: PP,
      abi: abis.PaymentProcessor,
      functionName: "purchaseTickets",
      args: [eventId, 1n, ["ipfs://single"]],
      value: total,
    });

    const buyerBefore = await ethBalance(buyer.address);
    const ppBefore = await ethBalance(PP);
    const receipt = await send(
      t.wallet(buyer).writeContract({
        address: PP,
        abi: abis.PaymentProcessor,
        functionName: "purchaseTickets",
        args: [eventId, 1n, ["ipfs://single"]],
        value: total,
      }),
    );
    const p = readPurchase(receipt, buyer, eventId);
    expect(p.paymentId).toBe(simulatedId);
    expect(await ethBalance(buyer.address)).toBe(buyerBefore - total - gasCost(receipt));
    expect(await ethBalance(PP)).toBe(ppBefore + total);

    const received = one(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "PaymentReceived" }));
    expect(received.args).toEqual({ paymentId: p.paymentId, eventId, buyer: buyer.address, amount: total });
    const confirmed = one(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "PaymentConfirmed" }));
    expect(confirmed.args).toEqual({ paymentId: p.paymentId });

    const tokenId = one(p.tokenIds);
    const minted = one(parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "TicketMinted" }));
    expect(minted.args).toEqual({ eventId, tokenId, buyer: buyer.address });
    expect(parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "TicketBatchMinted" })).toHaveLength(0);
    const transfer = one(parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "Transfer" }));
    expect(transfer.args).toEqual({ from: zeroAddress, to: buyer.address, tokenId });

    expect(await ownerOf(tokenId)).toBe(buyer.address);
    expect(
      await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "tokenURI", args: [tokenId] }),
    ).toBe("ipfs://single");
    expect(
      await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "ticketEvent", args: [tokenId] }),
    ).toBe(eventId);
    expect(
      await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "isComplimentary", args: [tokenId] }),
    ).toBe(false);
    expect(await ticketStake(tokenId)).toBe(stake);
    expect(await claimableStake(tokenId)).toBe(0n); // not before completion
    expect(await getPayment(p.paymentId)).toEqual({
      buyer: buyer.address,
      eventId,
      amount: total,
      status: PaymentStatus.Confirmed,
      tokenIds: [tokenId],
    });
    expect(await sales(eventId)).toEqual({ stakeBps: 2000n, escrowed: total, paidTickets: 1n, settled: false });
    expect((await getEvent(eventId)).sold).toBe(1n);
  });

  it("a batch: TicketBatchMinted with every token id, one Transfer per token, consecutive ids", async () => {
    const organizer = actor(0);
    const buyer = actor(6);
    const eventId = await newEvent({ organizer });
    const before = await ethBalance(buyer.address);
    const p = await purchase(buyer, eventId, 4);
    expect(p.amount).toBe(PRICE * 4n);
    expect(await ethBalance(buyer.address)).toBe(before - PRICE * 4n - gasCost(p.receipt));

    expect(p.tokenIds).toHaveLength(4);
    const first = p.tokenIds[0] as bigint;
    expect(p.tokenIds).toEqual([first, first + 1n, first + 2n, first + 3n]);
    const batch = one(parseEventLogs({ abi: abis.EventTicketNFT, logs: p.receipt.logs, eventName: "TicketBatchMinted" }));
    expect(batch.args).toEqual({ eventId, tokenIds: p.tokenIds, buyer: buyer.address });
    expect(parseEventLogs({ abi: abis.EventTicketNFT, logs: p.receipt.logs, eventName: "TicketMinted" })).toHaveLength(0);
    const transfers = parseEventLogs({ abi: abis.EventTicketNFT, logs: p.receipt.logs, eventName: "Transfer" });
    expect(transfers.map((l) => l.args)).toEqual(p.tokenIds.map((tokenId) => ({ from: zeroAddress, to: buyer.address, tokenId })));
    one(parseEventLogs({ abi: abis.PaymentProcessor, logs: p.receipt.logs, eventName: "PaymentConfirmed" }));
    expect((await getPayment(p.paymentId)).tokenIds).toEqual(p.tokenIds);
    expect(await sales(eventId)).toMatchObject({ escrowed: PRICE * 4n, paidTickets: 4n });
    for (const tokenId of p.tokenIds) expect(await ticketStake(tokenId)).toBe(0n);
  });

  it("purchase reverts: quantity 0 and 11, URI count, wrong value, capacity, cancelled/completed/unknown event", async () => {
    const organizer = actor(0);
    const buyer = actor(7);
    const eventId = await newEvent({ organizer, capacity: 12n, price: ODD_PRICE, stakeBps: 1500n });
    const stake = (ODD_PRICE * 1500n) / BPS;
    const unit = ODD_PRICE + stake;
    const buy = (id: bigint, quantity: bigint, tokenURIs: string[], value: bigint) => () =>
      t.publicClient.simulateContract({
        account: buyer,
        address: PP,
        abi: processorAbi,
        functionName: "purchaseTickets",
        args: [id, quantity, tokenURIs],
        value,
      });

    await expectRevert(buy(eventId, 0n, [], 0n), "InvalidQuantity");
    await expectRevert(buy(eventId, 11n, uris(11), unit * 11n), "InvalidQuantity");
    await expectRevert(buy(eventId, 2n, uris(1), unit * 2n), "UriCountMismatch");
    await expectRevert(buy(eventId, 2n, uris(3), unit * 2n), "UriCountMismatch");
    await expectRevert(buy(eventId, 2n, uris(2), unit * 2n - 1n), "IncorrectPayment");
    await expectRevert(buy(eventId, 2n, uris(2), unit * 2n + 1n), "IncorrectPayment");
    await expectRevert(buy(eventId, 2n, uris(2), ODD_PRICE * 2n), "IncorrectPayment"); // stake left out
    await expectRevert(buy(eventId, 1n, uris(1), 0n), "IncorrectPayment");

    // Capacity 12: ten and two fit exactly, one more does not.
    await purchase(buyer, eventId, 10);
    await expectRevert(buy(eventId, 3n, uris(3), unit * 3n), "CapacityExceeded");
    await purchase(buyer, eventId, 2);
    await expectRevert(buy(eventId, 1n, uris(1), unit), "CapacityExceeded");
    expect((await getEvent(eventId)).sold).toBe(12n);

    const cancelled = await newEvent({ organizer });
    await cancelEvent(organizer, cancelled);
    await expectRevert(buy(cancelled, 1n, uris(1), PRICE), "EventNotActive");

    const completed = await newEvent({ organizer });
    await completeEvent(organizer, completed);
    await expectRevert(buy(completed, 1n, uris(1), PRICE), "EventNotActive");

    await expectRevert(buy(nextEventId(), 1n, uris(1), PRICE), "EventNotActive");
    await expectRevert(buy(nextEventId(), 1n, uris(1), 0n), "EventNotActive");
  });

  it("two purchases in one block get distinct payment ids", async () => {
    const organizer = actor(0);
    const eventId = await newEvent({ organizer, stakeBps: 1000n });
    const buyers = [actor(8), actor(9)] as const;
    const { total } = await cost(eventId, 1n);

    await t.testClient.setAutomine(false);
    let receipts: TransactionReceipt[];
    try {
      const hashes: Hex[] = [];
      for (const buyer of buyers) {
        hashes.push(
          await t.wallet(buyer).writeContract({
            address: PP,
            abi: abis.PaymentProcessor,
            functionName: "purchaseTickets",
            args: [eventId, 1n, uris(1)],
            value: total,
          }),
        );
      }
      await t.testClient.mine({ blocks: 1 });
      receipts = await Promise.all(hashes.map(mined));
    } finally {
      await t.testClient.setAutomine(true);
    }

    const [r0, r1] = receipts as [TransactionReceipt, TransactionReceipt];
    expect(r0.blockNumber).toBe(r1.blockNumber);
    const block = await t.publicClient.getBlock({ blockNumber: r0.blockNumber });
    expect(block.transactions).toHaveLength(2);

    const p0 = readPurchase(r0, buyers[0], eventId);
    const p1 = readPurchase(r1, buyers[1], eventId);
    expect(p0.paymentId).not.toBe(p1.paymentId);
    expect(p0.tokenIds).not.toEqual(p1.tokenIds);
    expect((await getPayment(p0.paymentId)).buyer).toBe(buyers[0].address);
    expect((await getPayment(p1.paymentId)).buyer).toBe(buyers[1].address);
    expect(await sales(eventId)).toMatchObject({ escrowed: total * 2n, paidTickets: 2n });
  });
});

// ================================================================ stakes

describe("PaymentProcessor: setEventStake", () => {
  it("organizer or owner, at most 10000 bps, only before the first sale (comps included), only while active", async () => {
    const organizer = actor(10);
    const stranger = actor(11);
    const set = (from: Account, eventId: bigint, bps: bigint) => () =>
      t.publicClient.simulateContract({
        account: from,
        address: PP,
        abi: abis.PaymentProcessor,
        functionName: "setEventStake",
        args: [eventId, bps],
      });

    const eventId = await newEvent({ organizer });
    await expectRevert(set(stranger, eventId, 1000n), "NotOrganizerOrOwner");
    await expectRevert(set(validator, eventId, 1000n), "NotOrganizerOrOwner");
    await expectRevert(set(organizer, eventId, 10_001n), "StakeTooHigh");
    await expectRevert(set(owner, eventId, 2n ** 255n), "StakeTooHigh");
    await expectRevert(set(organizer, nextEventId(), 1000n), "EventNotActive");

    // Owner sets the maximum, organizer then lowers it: the last one wins.
    const r1 = await send(
      t.wallet(owner).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "setEventStake", args: [eventId, 10_000n] }),
    );
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: r1.logs, eventName: "EventStakeSet" })).args).toEqual({
      eventId,
      stakeBps: 10_000n,
    });
    await send(
      t.wallet(organizer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "setEventStake", args: [eventId, 2500n] }),
    );
    expect((await sales(eventId)).stakeBps).toBe(2500n);

    await purchase(actor(12), eventId, 1);
    await expectRevert(set(organizer, eventId, 1000n), "SalesAlreadyStarted");
    await expectRevert(set(owner, eventId, 0n), "SalesAlreadyStarted");

    const withComp = await newEvent({ organizer });
    await compTickets(withComp, actor(12).address, 1);
    await expectRevert(set(organizer, withComp, 1000n), "SalesAlreadyStarted");

    const cancelled = await newEvent({ organizer });
    await cancelEvent(organizer, cancelled);
    await expectRevert(set(organizer, cancelled, 1000n), "EventNotActive");
  });
});

// ================================================================ gates

describe("EventTicketNFT: check-in", () => {
  it("a validator checks a ticket in once; TicketCheckedIn carries gate and validator; comps are not paid check-ins", async () => {
    const organizer = actor(10);
    const eventId = await newEvent({ organizer, stakeBps: 1000n });
    const p = await purchase(actor(12), eventId, 3);
    const [comp] = await compTickets(eventId, actor(13).address, 1);
    const [t0, t1, t2] = p.tokenIds as [bigint, bigint, bigint];
    if (comp === undefined) throw new Error("no comp ticket");
    const sim = (from: Account, tokenId: bigint) => () =>
      t.publicClient.simulateContract({
        account: from,
        address: NFT,
        abi: abis.EventTicketNFT,
        functionName: "checkIn",
        args: [tokenId, gate("north")],
      });

    await expectRevert(sim(actor(12), t0), "NotValidator");
    await expectRevert(sim(owner, t0), "NotValidator");
    await expectRevert(sim(organizer, t0), "NotValidator");
    const nextTokenId = await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "nextTokenId" });
    await expectRevert(sim(validator, nextTokenId + 100n), "ERC721NonexistentToken");
    await expectRevert(sim(validator, 0n), "ERC721NonexistentToken");

    const receipt = await checkIn(t0, gate("north"));
    expect(one(parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "TicketCheckedIn" })).args).toEqual({
      tokenId: t0,
      eventId,
      gateId: gate("north"),
      validator: validator.address,
    });
    expect(
      await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "checkedIn", args: [t0] }),
    ).toBe(true);
    expect(
      await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "checkInGate", args: [t0] }),
    ).toBe(gate("north"));
    await expectRevert(sim(validator, t0), "AlreadyCheckedIn");

    await checkIn(comp, gate("vip"));
    await expectRevert(sim(validator, comp), "AlreadyCheckedIn");
    expect(await getEvent(eventId)).toMatchObject({ sold: 4n, checkedIn: 2n, paidCheckedIn: 1n });
    expect(
      await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "checkedIn", args: [t1] }),
    ).toBe(false);

    // A validator the owner adds checks in under its own name; once removed it can no more.
    const extra = actor(14);
    const added = await send(
      t.wallet(owner).writeContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "setValidator", args: [extra.address, true] }),
    );
    expect(one(parseEventLogs({ abi: abis.EventTicketNFT, logs: added.logs, eventName: "ValidatorUpdated" })).args).toEqual({
      validator: extra.address,
      status: true,
    });
    const r = await send(
      t.wallet(extra).writeContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "checkIn", args: [t1, gate("south")] }),
    );
    expect(one(parseEventLogs({ abi: abis.EventTicketNFT, logs: r.logs, eventName: "TicketCheckedIn" })).args).toMatchObject({
      tokenId: t1,
      validator: extra.address,
    });
    await send(
      t.wallet(owner).writeContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "setValidator", args: [extra.address, false] }),
    );
    await expectRevert(sim(extra, t2), "NotValidator");
    await expectRevert(
      () =>
        t.publicClient.simulateContract({
          account: actor(12),
          address: NFT,
          abi: abis.EventTicketNFT,
          functionName: "setValidator",
          args: [actor(12).address, true],
        }),
      "OwnableUnauthorizedAccount",
    );
  });

  it("no check-in after completion or cancellation", async () => {
    const organizer = actor(10);
    const completed = await newEvent({ organizer });
    const cancelled = await newEvent({ organizer });
    const [a] = (await purchase(actor(12), completed, 1)).tokenIds;
    const [b] = (await purchase(actor(12), cancelled, 1)).tokenIds;
    if (a === undefined || b === undefined) throw new Error("no tickets");
    await completeEvent(organizer, completed);
    await cancelEvent(owner, cancelled);
    const sim = (tokenId: bigint) => () =>
      t.publicClient.simulateContract({
        account: validator,
        address: NFT,
        abi: abis.EventTicketNFT,
        functionName: "checkIn",
        args: [tokenId, gate("late")],
      });
    await expectRevert(sim(a), "EventNotActive");
    await expectRevert(sim(b), "EventNotActive");
  });
});

// ================================================================ settlement

describe("PaymentProcessor: completion, stakes and withdrawals", () => {
  it("settles a stake event to the wei: fee, no-show stakes to the organizer, stakes of check-ins to holders", async () => {
    const organizer = actor(15);
    const [a, b, c, d, e, stranger] = [actor(16), actor(17), actor(18), actor(19), actor(20), actor(21)];
    const stakeBps = 2000n;
    const eventId = await newEvent({ organizer, capacity: 20n, price: ODD_PRICE, stakeBps });
    const stake = (ODD_PRICE * stakeBps) / BPS;

    const pa = await purchase(a, eventId, 3);
    const pb = await purchase(b, eventId, 1);
    const pc = await purchase(c, eventId, 2);
    const comps = await compTickets(eventId, d.address, 2);
    const [a0, a1, a2] = pa.tokenIds as [bigint, bigint, bigint];
    const [b0] = pb.tokenIds as [bigint];
    const [c0] = pc.tokenIds as [bigint];
    const [comp0, comp1] = comps as [bigint, bigint];
    expect(pa.amount).toBe((ODD_PRICE + stake) * 3n);
    for (const id of comps) {
      expect(await ticketStake(id)).toBe(0n);
      expect(
        await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "isComplimentary", args: [id] }),
      ).toBe(true);
    }
    expect(await sales(eventId)).toMatchObject({ escrowed: (ODD_PRICE + stake) * 6n, paidTickets: 6n });

    // Attendance: a0, a1, b0 and one comp. c's two tickets, a2 and the other comp are no-shows.
    for (const id of [a0, a1, b0, comp0]) await checkIn(id);
    const claim = (from: Account, tokenId: bigint) => () =>
      t.publicClient.simulateContract({
        account: from,
        address: PP,
        abi: processorAbi,
        functionName: "claimStake",
        args: [tokenId],
      });
    await expectRevert(claim(a, a0), "EventNotCompleted");

    // a0 changes hands after check-in: the stake follows the ticket.
    const moved = await transferTicket(a, e.address, a0);
    expect(one(parseEventLogs({ abi: abis.EventTicketNFT, logs: moved.logs, eventName: "Transfer" })).args).toEqual({
      from: a.address,
      to: e.address,
      tokenId: a0,
    });
    expect(await getEvent(eventId)).toMatchObject({ sold: 8n, checkedIn: 4n, paidCheckedIn: 3n });

    const before = {
      organizer: await orgBalance(organizer.address),
      fees: await platformFees(),
      unclaimed: await unclaimedStakes(),
      processor: await ethBalance(PP),
    };
    const receipt = await completeEvent(organizer, eventId);

    const revenue = ODD_PRICE * 6n;
    const fee = (revenue * FEE_BPS) / BPS;
    const noShows = 3n;
    const held = stake * 3n;
    const settled = one(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "EventSettled" }));
    expect(settled.args).toEqual({
      eventId,
      organizer: organizer.address,
      organizerAmount: revenue - fee,
      platformFee: fee,
      stakesHeld: held,
    });
    const forfeited = one(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "StakeForfeited" }));
    expect(forfeited.args).toEqual({ eventId, organizer: organizer.address, noShows, amount: stake * noShows });
    one(parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "EventCompleted" }));

    expect(await orgBalance(organizer.address)).toBe(before.organizer + revenue - fee + stake * noShows);
    expect(await platformFees()).toBe(before.fees + fee);
    expect(await unclaimedStakes()).toBe(before.unclaimed + held);
    expect(await ethBalance(PP)).toBe(before.processor); // completion moves no ETH
    expect(await sales(eventId)).toEqual({ stakeBps, escrowed: 0n, paidTickets: 6n, settled: true });

    expect(await claimableStake(a0)).toBe(stake);
    expect(await claimableStake(a1)).toBe(stake);
    expect(await claimableStake(b0)).toBe(stake);
    expect(await claimableStake(a2)).toBe(0n);
    expect(await claimableStake(c0)).toBe(0n);
    expect(await claimableStake(comp0)).toBe(0n);
    expect(await claimableStake(comp1)).toBe(0n);

    // Claims: only the current holder, only a checked-in paid ticket, only once.
    await expectRevert(claim(a, a0), "NotTicketHolder");
    await expectRevert(claim(stranger, b0), "NotTicketHolder");
    await expectRevert(claim(c, c0), "TicketNotCheckedIn");
    await expectRevert(claim(a, a2), "TicketNotCheckedIn");
    await expectRevert(claim(d, comp0), "NoStake");
    await expectRevert(claim(d, comp1), "TicketNotCheckedIn");

    const eBefore = await ethBalance(e.address);
    const r = await send(
      t.wallet(e).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "claimStake", args: [a0] }),
    );
    expect(await ethBalance(e.address)).toBe(eBefore + stake - gasCost(r));
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: r.logs, eventName: "StakeClaimed" })).args).toEqual({
      tokenId: a0,
      eventId,
      holder: e.address,
      amount: stake,
    });
    expect(await ticketStake(a0)).toBe(0n);
    expect(await claimableStake(a0)).toBe(0n);
    expect(await unclaimedStakes()).toBe(before.unclaimed + held - stake);
    await expectRevert(claim(e, a0), "NoStake");

    for (const [holder, tokenId] of [[a, a1], [b, b0]] as const) {
      const bal = await ethBalance(holder.address);
      const rr = await send(
        t.wallet(holder).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "claimStake", args: [tokenId] }),
      );
      expect(await ethBalance(holder.address)).toBe(bal + stake - gasCost(rr));
      await expectRevert(claim(holder, tokenId), "NoStake");
    }
    expect(await unclaimedStakes()).toBe(before.unclaimed);

    // The organizer withdraws exactly what the view said.
    const owed = await orgBalance(organizer.address);
    expect(owed).toBe(before.organizer + revenue - fee + stake * noShows);
    const orgBefore = await ethBalance(organizer.address);
    const w = await send(
      t.wallet(organizer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "withdrawEarnings" }),
    );
    expect(await ethBalance(organizer.address)).toBe(orgBefore + owed - gasCost(w));
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: w.logs, eventName: "EarningsWithdrawn" })).args).toEqual({
      organizer: organizer.address,
      amount: owed,
    });
    expect(await orgBalance(organizer.address)).toBe(0n);
    const withdraw = (from: Account) => () =>
      t.publicClient.simulateContract({ account: from, address: PP, abi: abis.PaymentProcessor, functionName: "withdrawEarnings" });
    await expectRevert(withdraw(organizer), "NothingToWithdraw");
    await expectRevert(withdraw(stranger), "NothingToWithdraw");

    // A completed event is closed.
    await expectRevert(
      () =>
        t.publicClient.simulateContract({
          account: stranger,
          address: PP,
          abi: abis.PaymentProcessor,
          functionName: "purchaseTickets",
          args: [eventId, 1n, uris(1)],
          value: ODD_PRICE + stake,
        }),
      "EventNotActive",
    );
  });

  it("an event without stake: the organizer gets revenue minus 5%, no StakeForfeited, nothing held", async () => {
    const organizer = actor(15);
    const eventId = await newEvent({ organizer, price: ODD_PRICE });
    const p = await purchase(actor(16), eventId, 7);
    await checkIn(p.tokenIds[0] as bigint);
    const orgBefore = await orgBalance(organizer.address);
    const feesBefore = await platformFees();
    const unclaimedBefore = await unclaimedStakes();
    const receipt = await completeEvent(owner, eventId);

    const revenue = ODD_PRICE * 7n;
    const fee = (revenue * FEE_BPS) / BPS;
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "EventSettled" })).args).toEqual({
      eventId,
      organizer: organizer.address,
      organizerAmount: revenue - fee,
      platformFee: fee,
      stakesHeld: 0n,
    });
    expect(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "StakeForfeited" })).toHaveLength(0);
    expect(await orgBalance(organizer.address)).toBe(orgBefore + revenue - fee);
    expect(await platformFees()).toBe(feesBefore + fee);
    expect(await unclaimedStakes()).toBe(unclaimedBefore);
    await expectRevert(
      () =>
        t.publicClient.simulateContract({
          account: actor(16),
          address: PP,
          abi: abis.PaymentProcessor,
          functionName: "claimStake",
          args: [p.tokenIds[0] as bigint],
        }),
      "NoStake",
    );
  });

  it("an event with only comp tickets settles to zero and a checked-in comp claims nothing", async () => {
    const organizer = actor(15);
    const eventId = await newEvent({ organizer, stakeBps: 5000n });
    const [comp] = await compTickets(eventId, actor(17).address, 1);
    if (comp === undefined) throw new Error("no comp ticket");
    await checkIn(comp);
    expect(await getEvent(eventId)).toMatchObject({ checkedIn: 1n, paidCheckedIn: 0n });
    const orgBefore = await orgBalance(organizer.address);
    const receipt = await completeEvent(organizer, eventId);
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: receipt.logs, eventName: "EventSettled" })).args).toMatchObject({
      organizerAmount: 0n,
      platformFee: 0n,
      stakesHeld: 0n,
    });
    expect(await orgBalance(organizer.address)).toBe(orgBefore);
    expect(await claimableStake(comp)).toBe(0n);
    await expectRevert(
      () =>
        t.publicClient.simulateContract({
          account: actor(17),
          address: PP,
          abi: abis.PaymentProcessor,
          functionName: "claimStake",
          args: [comp],
        }),
      "NoStake",
    );
  });

  it("onEventCompleted only from the ticket contract, and only once per event", async () => {
    const organizer = actor(15);
    const eventId = await newEvent({ organizer });
    await purchase(actor(16), eventId, 1);
    for (const from of [actor(16), organizer, owner]) {
      await expectRevert(
        () =>
          t.publicClient.simulateContract({
            account: from,
            address: PP,
            abi: abis.PaymentProcessor,
            functionName: "onEventCompleted",
            args: [eventId],
          }),
        "NotTicketContract",
      );
    }
    await completeEvent(organizer, eventId);
    // Even the ticket contract itself cannot settle twice.
    await expectRevert(
      () =>
        t.publicClient.simulateContract({
          account: NFT,
          address: PP,
          abi: abis.PaymentProcessor,
          functionName: "onEventCompleted",
          args: [eventId],
        }),
      "AlreadySettled",
    );
  });

  it("withdrawPlatformFees: owner only, exactly the accrued fees, then nothing", async () => {
    const fees = await platformFees();
    expect(fees).toBeGreaterThan(0n);
    const sim = (from: Account) => () =>
      t.publicClient.simulateContract({ account: from, address: PP, abi: abis.PaymentProcessor, functionName: "withdrawPlatformFees" });
    await expectRevert(sim(actor(15)), "OwnableUnauthorizedAccount");
    await expectRevert(sim(t.role("platformWallet")), "OwnableUnauthorizedAccount");

    const before = await ethBalance(owner.address);
    const r = await send(t.wallet(owner).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "withdrawPlatformFees" }));
    expect(await ethBalance(owner.address)).toBe(before + fees - gasCost(r));
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: r.logs, eventName: "PlatformFeesWithdrawn" })).args).toEqual({
      to: owner.address,
      amount: fees,
    });
    expect(await platformFees()).toBe(0n);
    await expectRevert(sim(owner), "NothingToWithdraw");
  });
});

// ================================================================ refunds

describe("PaymentProcessor: refunds", () => {
  it("a cancelled event refunds price + stake to the buyer and burns the tickets wherever they are", async () => {
    const organizer = actor(15);
    const buyer = actor(18);
    const other = actor(19);
    const holder = actor(20);
    const eventId = await newEvent({ organizer, price: ODD_PRICE, stakeBps: 3000n });
    const stake = (ODD_PRICE * 3000n) / BPS;
    const p = await purchase(buyer, eventId, 3);
    const q = await purchase(other, eventId, 1);
    const [t0, t1, t2] = p.tokenIds as [bigint, bigint, bigint];
    await checkIn(t2);
    await transferTicket(buyer, holder.address, t1);

    const refund = (from: Account, paymentId: Hex) => () =>
      t.publicClient.simulateContract({ account: from, address: PP, abi: processorAbi, functionName: "refund", args: [paymentId] });

    await expectRevert(refund(buyer, p.paymentId), "EventNotCancelled");
    await expectRevert(refund(buyer, toHex(1n, { size: 32 })), "PaymentNotFound");
    await cancelEvent(organizer, eventId);
    await expectRevert(refund(other, p.paymentId), "NotBuyer");
    await expectRevert(refund(holder, p.paymentId), "NotBuyer");
    await expectRevert(refund(owner, p.paymentId), "NotBuyer");

    // Nothing is credited to the organizer for a cancelled event.
    expect(await sales(eventId)).toMatchObject({ escrowed: (ODD_PRICE + stake) * 4n, paidTickets: 4n, settled: false });

    const before = await ethBalance(buyer.address);
    const holderTickets = await nftBalance(holder.address);
    const r = await send(t.wallet(buyer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "refund", args: [p.paymentId] }));
    const amount = (ODD_PRICE + stake) * 3n;
    expect(await ethBalance(buyer.address)).toBe(before + amount - gasCost(r));
    expect(one(parseEventLogs({ abi: abis.PaymentProcessor, logs: r.logs, eventName: "Refund" })).args).toEqual({
      paymentId: p.paymentId,
      buyer: buyer.address,
      amount,
    });
    const burns = parseEventLogs({ abi: abis.EventTicketNFT, logs: r.logs, eventName: "Transfer" });
    expect(burns.map((l) => l.args)).toEqual([
      { from: buyer.address, to: zeroAddress, tokenId: t0 },
      { from: holder.address, to: zeroAddress, tokenId: t1 },
      { from: buyer.address, to: zeroAddress, tokenId: t2 },
    ]);
    for (const id of [t0, t1, t2]) {
      await expectRevert(
        () => ownerOf(id),
        "ERC721NonexistentToken",
      );
      expect(await ticketStake(id)).toBe(0n);
    }
    expect(await nftBalance(holder.address)).toBe(holderTickets - 1n);
    expect((await getPayment(p.paymentId)).status).toBe(PaymentStatus.Refunded);
    expect(await sales(eventId)).toMatchObject({ escrowed: ODD_PRICE + stake, paidTickets: 1n });
    await expectRevert(refund(buyer, p.paymentId), "AlreadyRefunded");

    const otherBefore = await ethBalance(other.address);
    const r2 = await send(t.wallet(other).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "refund", args: [q.paymentId] }));
    expect(await ethBalance(other.address)).toBe(otherBefore + ODD_PRICE + stake - gasCost(r2));
    expect(await sales(eventId)).toMatchObject({ escrowed: 0n, paidTickets: 0n });
    await expectRevert(refund(other, q.paymentId), "AlreadyRefunded");
  });

  it("no refund for a completed event", async () => {
    const organizer = actor(15);
    const buyer = actor(18);
    const eventId = await newEvent({ organizer });
    const p = await purchase(buyer, eventId, 1);
    await completeEvent(organizer, eventId);
    await expectRevert(
      () => t.publicClient.simulateContract({ account: buyer, address: PP, abi: abis.PaymentProcessor, functionName: "refund", args: [p.paymentId] }),
      "EventNotCancelled",
    );
  });
});

// ================================================================ pause

describe("pausing", () => {
  it("pause and unpause are the owner's", async () => {
    for (const [address, abi] of [
      [NFT, abis.EventTicketNFT],
      [PP, abis.PaymentProcessor],
    ] as const) {
      for (const functionName of ["pause", "unpause"] as const) {
        await expectRevert(
          () => t.publicClient.simulateContract({ account: actor(21), address, abi, functionName }),
          "OwnableUnauthorizedAccount",
        );
      }
    }
  });

  it("a paused processor refuses purchases, refunds, claims, withdrawals and stake changes; completion still settles", async () => {
    const organizer = actor(22);
    const buyer = actor(23);
    // Prepare one of everything: a cancelled event with a payment, a completed event with a
    // claimable stake (and so an organizer balance), and a fresh event.
    const toCancel = await newEvent({ organizer });
    const refundable = await purchase(buyer, toCancel, 1);
    await cancelEvent(organizer, toCancel);
    const done = await newEvent({ organizer, stakeBps: 1000n });
    const [ticket] = (await purchase(buyer, done, 1)).tokenIds as [bigint];
    await checkIn(ticket);
    await completeEvent(organizer, done);
    const fresh = await newEvent({ organizer });
    const later = await newEvent({ organizer });
    await purchase(buyer, later, 2);

    const call = (from: Account, fn: "refund" | "claimStake" | "withdrawEarnings" | "setEventStake" | "purchaseTickets") => () => {
      const base = { account: from, address: PP, abi: abis.PaymentProcessor } as const;
      switch (fn) {
        case "refund":
          return t.publicClient.simulateContract({ ...base, functionName: fn, args: [refundable.paymentId] });
        case "claimStake":
          return t.publicClient.simulateContract({ ...base, functionName: fn, args: [ticket] });
        case "withdrawEarnings":
          return t.publicClient.simulateContract({ ...base, functionName: fn });
        case "setEventStake":
          return t.publicClient.simulateContract({ ...base, functionName: fn, args: [fresh, 1000n] });
        case "purchaseTickets":
          return t.publicClient.simulateContract({ ...base, functionName: fn, args: [fresh, 1n, uris(1)], value: PRICE });
      }
    };
    const who = { refund: buyer, claimStake: buyer, withdrawEarnings: organizer, setEventStake: organizer, purchaseTickets: buyer };
    const fns = Object.keys(who) as (keyof typeof who)[];

    const orgBefore = await orgBalance(organizer.address);
    await withPaused("processor", async () => {
      for (const fn of fns) await expectRevert(call(who[fn], fn), "EnforcedPause");
      // The ticket side keeps working and completion settles through the hook regardless.
      await completeEvent(organizer, later);
      expect((await sales(later)).settled).toBe(true);
      expect(await orgBalance(organizer.address)).toBe(orgBefore + PRICE * 2n - (PRICE * 2n * FEE_BPS) / BPS);
    });
    for (const fn of fns) await call(who[fn], fn)(); // every one of them succeeds again

    // Leave the ledger clean: refund, claim, withdraw.
    await send(t.wallet(buyer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "refund", args: [refundable.paymentId] }));
    await send(t.wallet(buyer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "claimStake", args: [ticket] }));
    await send(t.wallet(organizer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "withdrawEarnings" }));
  });

  it("a paused ticket contract refuses events, mints, purchases, check-ins and transfers; refund burns still go through", async () => {
    const organizer = actor(22);
    const buyer = actor(23);
    const active = await newEvent({ organizer });
    const [mine] = (await purchase(buyer, active, 1)).tokenIds as [bigint];
    const toCancel = await newEvent({ organizer });
    const refundable = await purchase(buyer, toCancel, 2);
    await cancelEvent(organizer, toCancel);
    const nft = (from: Account) => ({ account: from, address: NFT, abi: abis.EventTicketNFT }) as const;

    await withPaused("nft", async () => {
      await expectRevert(
        () => t.publicClient.simulateContract({ ...nft(owner), functionName: "createEvent", args: [nextEventId(), 10n, PRICE, organizer.address] }),
        "EnforcedPause",
      );
      await expectRevert(() => t.publicClient.simulateContract({ ...nft(organizer), functionName: "cancelEvent", args: [active] }), "EnforcedPause");
      await expectRevert(() => t.publicClient.simulateContract({ ...nft(organizer), functionName: "completeEvent", args: [active] }), "EnforcedPause");
      await expectRevert(
        () => t.publicClient.simulateContract({ ...nft(owner), functionName: "mintTickets", args: [active, buyer.address, uris(1)] }),
        "EnforcedPause",
      );
      await expectRevert(
        () => t.publicClient.simulateContract({ ...nft(validator), functionName: "checkIn", args: [mine, gate("paused")] }),
        "EnforcedPause",
      );
      await expectRevert(
        () =>
          t.publicClient.simulateContract({ ...nft(buyer), functionName: "transferFrom", args: [buyer.address, organizer.address, mine] }),
        "EnforcedPause",
      );
      await expectRevert(
        () =>
          t.publicClient.simulateContract({
            ...nft(buyer),
            functionName: "safeTransferFrom",
            args: [buyer.address, organizer.address, mine],
          }),
        "EnforcedPause",
      );
      await expectRevert(
        () =>
          t.publicClient.simulateContract({
            account: buyer,
            address: PP,
            abi: abis.PaymentProcessor,
            functionName: "purchaseTickets",
            args: [active, 1n, uris(1)],
            value: PRICE,
          }),
        "EnforcedPause",
      );

      // Burns by the minter are exempt from the pause, so a refund still completes.
      const before = await ethBalance(buyer.address);
      const r = await send(
        t.wallet(buyer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "refund", args: [refundable.paymentId] }),
      );
      expect(await ethBalance(buyer.address)).toBe(before + PRICE * 2n - gasCost(r));
      expect(parseEventLogs({ abi: abis.EventTicketNFT, logs: r.logs, eventName: "Transfer" })).toHaveLength(2);
    });

    // Unpaused, the ticket moves again.
    await transferTicket(buyer, organizer.address, mine);
    expect(await ownerOf(mine)).toBe(organizer.address);
  });
});

// ================================================================ the whole ledger

describe("accounting", () => {
  it("a full scenario ends with the processor holding exactly what is owed, and 0 once everyone is paid", async () => {
    // A last mixed scenario on top of everything the file already did.
    const organizer = actor(1);
    const stakeEvent = await newEvent({ organizer, price: ODD_PRICE, stakeBps: 777n, capacity: 30n });
    const buyers = [actor(2), actor(3), actor(4)];
    const bought: Purchase[] = [];
    for (const [i, buyer] of buyers.entries()) bought.push(await purchase(buyer, stakeEvent, i + 2));
    await compTickets(stakeEvent, actor(5).address, 3);
    const paid = bought.flatMap((p) => p.tokenIds);
    for (const id of paid.filter((_, i) => i % 2 === 0)) await checkIn(id);
    await completeEvent(organizer, stakeEvent);
    const cancelled = await newEvent({ organizer, stakeBps: 100n });
    await purchase(actor(6), cancelled, 5);
    await cancelEvent(owner, cancelled);
    const open = await newEvent({ organizer });
    await purchase(actor(7), open, 3);

    // Outstanding: the balance equals the views, and the views agree with the per-token stakes.
    expect(await ethBalance(PP)).toBe(await outstanding());
    const nextTokenId = await t.publicClient.readContract({ address: NFT, abi: abis.EventTicketNFT, functionName: "nextTokenId" });
    const allTokens = Array.from({ length: Number(nextTokenId) - 1 }, (_, i) => BigInt(i + 1));
    const claimableOf = async () => Promise.all(allTokens.map(async (id) => [id, await claimableStake(id)] as const));
    const claimable = (await claimableOf()).reduce((sum, [, amount]) => sum + amount, 0n);
    expect(claimable).toBe(await unclaimedStakes());
    expect(await ethBalance(PP)).toBeGreaterThan(0n);

    // Settle what is still open, refund every payment of a cancelled event.
    for (const eventId of ledger.events) {
      if ((await getEvent(eventId)).status === EventStatus.Active) await completeEvent(owner, eventId);
    }
    for (const [paymentId, { buyer, eventId }] of ledger.payments) {
      const payment = await getPayment(paymentId);
      if (payment.status !== PaymentStatus.Confirmed) continue;
      if ((await getEvent(eventId)).status !== EventStatus.Cancelled) continue;
      await send(t.wallet(buyer).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "refund", args: [paymentId] }));
    }
    for (const eventId of ledger.events) expect((await sales(eventId)).escrowed, `escrow of ${eventId}`).toBe(0n);
    expect(await ethBalance(PP)).toBe(await outstanding());

    // Every stake of a check-in goes to whoever holds the ticket now.
    for (const [id, amount] of await claimableOf()) {
      if (amount === 0n) continue;
      const holder = accountOf(await ownerOf(id));
      await send(t.wallet(holder).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "claimStake", args: [id] }));
    }
    expect(await unclaimedStakes()).toBe(0n);

    for (const address of ledger.organizers) {
      if ((await orgBalance(address)) === 0n) continue;
      await send(t.wallet(accountOf(address)).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "withdrawEarnings" }));
      expect(await orgBalance(address)).toBe(0n);
    }
    if ((await platformFees()) > 0n) {
      await send(t.wallet(owner).writeContract({ address: PP, abi: abis.PaymentProcessor, functionName: "withdrawPlatformFees" }));
    }

    expect(await platformFees()).toBe(0n);
    expect(await unclaimedStakes()).toBe(0n);
    expect(await outstanding()).toBe(0n);
    expect(await ethBalance(PP)).toBe(0n);
  });
});
