// Pure parts of the REST reads (api/rest/): parameter parsing, JSON serialisation, and the
// assembly of responses from database rows.
import { chainFor, parseChainId } from "../../api/rest/chain.js";
import { z } from "@hono/zod-openapi";
import { getAddress } from "viem";
import { describe, expect, it } from "vitest";
import {
  accountJson,
  bookingRoles,
  bookingRolesOf,
  byContractAndRole,
  earningsList,
  eventCounts,
  merchantSummary,
  NATIVE,
  type AccountRows,
} from "../../api/rest/accounts.js";
import { bookingJson } from "../../api/rest/bookings.js";
import { remainingCapacity, stakeSummary, ticketJson, ticketPage, ticketedEventJson } from "../../api/rest/events.js";
import { bigintOfText, checksum, checksumOrNull, dec, decOrNull, onChainRef, tokenJson, type TokenMeta } from "../../api/rest/json.js";
import {
  AddressParam,
  Bytes32Param,
  DEFAULT_PAGE_SIZE,
  LimitQuery,
  MAX_PAGE_SIZE,
  MAX_UINT256,
  parseAddress,
  parseBytes32,
  parseLimit,
  parseUint256,
  quote,
  Uint256Param,
} from "../../api/rest/params.js";
import { qrOrderJson } from "../../api/rest/qr-orders.js";

const A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as const;
const B = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc" as const;
const C = "0x90f79bf6eb2c4f870365e785982e1f101e93b906" as const;
const USDC = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as const;
const USDT = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512" as const;
const H = `0x${"ab".repeat(32)}` as const;
const TX = `0x${"cd".repeat(32)}` as const;
const meta = new Map<string, TokenMeta>([
  [USDC, { address: USDC, symbol: "USDC", decimals: 6 }],
  [NATIVE, { address: NATIVE, symbol: "ETH", decimals: 18 }],
]);

describe("parameter parsing", () => {
  it("accepts addresses in any letter case and returns them lower-cased", () => {
    expect(parseAddress(A)).toEqual({ ok: true, value: A });
    expect(parseAddress(getAddress(A))).toEqual({ ok: true, value: A });
    expect(parseAddress(`0x${A.slice(2).toUpperCase()}`)).toEqual({ ok: true, value: A });
  });

  it("rejects malformed addresses, saying what an address looks like", () => {
    for (const bad of ["", "0x", A.slice(0, 41), `${A}0`, A.slice(2), `0X${A.slice(2)}`, `0x${"g".repeat(40)}`, ` ${A}`]) {
      const r = parseAddress(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error).toContain("40 hex digits");
    }
  });

  it("accepts bytes32 values in any case, lower-cased; rejects other lengths", () => {
    expect(parseBytes32(H.toUpperCase().replace("0X", "0x"))).toEqual({ ok: true, value: H });
    expect(parseBytes32(H.slice(0, 65)).ok).toBe(false);
    expect(parseBytes32(`${H}00`).ok).toBe(false);
    expect(parseBytes32(A).ok).toBe(false);
  });

  it("parses decimal uint256 values up to 2^256 - 1, leading zeros allowed", () => {
    expect(parseUint256("0")).toEqual({ ok: true, value: 0n });
    expect(parseUint256("000042")).toEqual({ ok: true, value: 42n });
    expect(parseUint256(MAX_UINT256.toString())).toEqual({ ok: true, value: MAX_UINT256 });
    const over = parseUint256((MAX_UINT256 + 1n).toString());
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.error).toContain("uint256");
    for (const bad of ["", "-1", "1.5", "1e3", "0x10", " 1", "one"]) expect(parseUint256(bad).ok, bad).toBe(false);
  });

  it("bounds the page size", () => {
    expect(parseLimit(undefined)).toEqual({ ok: true, value: DEFAULT_PAGE_SIZE });
    expect(parseLimit("1")).toEqual({ ok: true, value: 1 });
    expect(parseLimit(String(MAX_PAGE_SIZE))).toEqual({ ok: true, value: MAX_PAGE_SIZE });
    for (const bad of ["0", String(MAX_PAGE_SIZE + 1), "-5", "ten", "1.0", "99999999999"]) expect(parseLimit(bad).ok, bad).toBe(false);
  });

  it("quotes the caller's value, cut short when huge", () => {
    expect(quote("abc")).toBe('"abc"');
    expect(quote("x".repeat(500)).length).toBeLessThan(100);
  });

  it("zod parameter schemas carry the parsed value or the parser's message", () => {
    const params = z.object({ address: AddressParam, id: Bytes32Param, eventId: Uint256Param, limit: LimitQuery });
    expect(params.parse({ address: getAddress(A), id: H, eventId: "7" })).toEqual({ address: A, id: H, eventId: 7n, limit: DEFAULT_PAGE_SIZE });
    const r = params.safeParse({ address: "0x1", id: H, eventId: "x", limit: "0" });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues.map((i) => i.path.join("."))).toEqual(["address", "eventId", "limit"]);
      expect(r.error.issues[0]!.message).toContain('"0x1"');
    }
  });
});

describe("serialisation", () => {
  it("writes bigints as decimal strings, beyond 2^53 exactly", () => {
    expect(dec(2n ** 200n + 1n)).toBe("1606938044258990275541962092341162602522202993782792835301377");
    expect(decOrNull(null)).toBeNull();
    expect(decOrNull(0n)).toBe("0");
    expect(bigintOfText("123456789012345678901234567890")).toBe(123456789012345678901234567890n);
    expect(bigintOfText(null)).toBe(0n);
  });

  it("checksums addresses; the zero address and null are null", () => {
    expect(checksum(A)).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(checksumOrNull(null)).toBeNull();
    expect(checksumOrNull("0x0000000000000000000000000000000000000000")).toBeNull();
    expect(checksumOrNull(B)).toBe(getAddress(B));
  });

  it("names tokens with the metadata the index has, null fields otherwise", () => {
    expect(tokenJson(USDC, meta)).toEqual({ address: getAddress(USDC), symbol: "USDC", decimals: 6 });
    expect(tokenJson(USDT, meta)).toEqual({ address: getAddress(USDT), symbol: null, decimals: null });
    expect(tokenJson(NATIVE, meta).address).toBe("0x0000000000000000000000000000000000000000");
    expect(onChainRef(5n, 1_700_000_000n, TX)).toEqual({ block: "5", timestamp: "1700000000", txHash: TX });
  });
});

const CHAIN = 31337;
const stamp = { blockNumber: 10n, timestamp: 1000n, txHash: TX, logIndex: 3 };

describe("bookings", () => {
  const row = {
    chainId: CHAIN,
    id: H,
    customer: A,
    provider: B,
    inviter: null,
    amount: 50_000_000n,
    platformFeeRate: 1000,
    inviterFeeRate: 0,
    expectedProviderAmount: 45_000_000n,
    expectedPlatformFee: 5_000_000n,
    expectedInviterFee: 0n,
    status: "CANCELLED" as const,
    customerRefund: 30_000_000n,
    providerAmount: 15_000_000n,
    platformAmount: 5_000_000n,
    inviterAmount: 0n,
    platformWallet: C,
    cancelledBy: B,
    cancelReason: "late",
    cancellationNonce: 7n,
    emergency: false,
    createdBlock: 9n,
    createdAt: 900n,
    createdTxHash: TX,
    settledBlock: 10n,
    settledAt: 1000n,
    settledTxHash: TX,
  };
  const history = (status: "PAID" | "CANCELLED", b: bigint) => ({
    chainId: CHAIN,
    id: `h-${status}`,
    bookingId: H,
    status,
    actor: status === "PAID" ? A : B,
    amount: 50_000_000n,
    customerRefund: status === "PAID" ? 0n : 30_000_000n,
    providerAmount: status === "PAID" ? 0n : 15_000_000n,
    platformAmount: status === "PAID" ? 0n : 5_000_000n,
    inviterAmount: 0n,
    reason: status === "PAID" ? null : "late",
    ...stamp,
    blockNumber: b,
  });

  it("writes a cancelled booking with its split, parties checksummed, and its history", () => {
    const j = bookingJson(row, [history("PAID", 9n), history("CANCELLED", 10n)], tokenJson(USDC, meta));
    expect(j.customer).toBe(getAddress(A));
    expect(j.inviter).toBeNull();
    expect(j.cancellation).toEqual({ cancelledBy: getAddress(B), reason: "late", emergency: false });
    expect(j.paidOut).toEqual({ customerRefund: "30000000", providerAmount: "15000000", platformAmount: "5000000", inviterAmount: "0" });
    expect(j.settled).toEqual({ block: "10", timestamp: "1000", txHash: TX });
    expect(j.history.map((h) => [h.status, h.block, h.actor])).toEqual([
      ["PAID", "9", getAddress(A)],
      ["CANCELLED", "10", getAddress(B)],
    ]);
  });

  it("a paid booking has no settlement and no cancellation", () => {
    const paid = {
      ...row,
      status: "PAID" as const,
      cancelledBy: null,
      cancelReason: null,
      cancellationNonce: null,
      settledBlock: null,
      settledAt: null,
      settledTxHash: null,
      platformWallet: null,
    };
    const j = bookingJson(paid, [history("PAID", 9n)], null);
    expect([j.settled, j.cancellation, j.platformWallet, j.token]).toEqual([null, null, null, null]);
  });
});

describe("events and tickets", () => {
  it("remaining capacity never goes negative", () => {
    expect(remainingCapacity(10n, 3n)).toBe(7n);
    expect(remainingCapacity(10n, 10n)).toBe(0n);
    expect(remainingCapacity(10n, 12n)).toBe(0n);
  });

  it("lists every stake state, zero when absent", () => {
    const s = stakeSummary([{ status: "CLAIMED", count: 2, amount: 40n }]);
    expect(Object.keys(s)).toEqual(["HELD", "CLAIMABLE", "CLAIMED", "FORFEITED", "REFUNDED"]);
    expect(s.CLAIMED).toEqual({ count: 2, amount: "40" });
    expect(s.HELD).toEqual({ count: 0, amount: "0" });
  });

  const event = {
    chainId: CHAIN,
    id: 7n,
    organizer: A,
    maxCapacity: 100n,
    price: 100n,
    stakeBps: 2000,
    stakePerTicket: 20n,
    status: "ACTIVE" as const,
    sold: 100n,
    paidTickets: 99n,
    complimentaryTickets: 1n,
    burned: 0n,
    checkedIn: 0n,
    paidCheckedIn: 0n,
    lastStakedTokenId: null,
    escrowed: 11_880n,
    settled: false,
    organizerAmount: null,
    platformFee: null,
    stakesHeld: null,
    noShows: null,
    forfeitedStakes: null,
    createdBlock: 1n,
    createdAt: 100n,
    createdTxHash: TX,
    endedBlock: null,
    endedAt: null,
  };

  it("a sold-out active event is not on sale; the ticket cost adds the stake", () => {
    const j = ticketedEventJson(event, [], [], { count: 0, amount: 0n });
    expect([j.remaining, j.onSale, j.ticketCost, j.settlement, j.ended]).toEqual(["0", false, "120", null, null]);
  });

  it("a settled event carries its settlement figures", () => {
    const done = { ...event, status: "COMPLETED" as const, settled: true, organizerAmount: 9405n, platformFee: 495n, stakesHeld: 0n, noShows: 99n, forfeitedStakes: 1980n, endedBlock: 5n, endedAt: 500n };
    const j = ticketedEventJson(done, [], [], { count: 0, amount: 0n });
    expect(j.settlement).toEqual({ organizerAmount: "9405", platformFee: "495", stakesHeld: "0", noShows: "99", forfeitedStakes: "1980" });
    expect(j.ended).toEqual({ block: "5", timestamp: "500" });
  });

  it("pages: one row past the limit means another page, the cursor is the last token id", () => {
    const rows = [1n, 2n, 3n].map((tokenId) => ({ tokenId }));
    expect(ticketPage(rows, 2)).toEqual({ items: [{ tokenId: 1n }, { tokenId: 2n }], nextCursor: 2n });
    expect(ticketPage(rows, 3)).toEqual({ items: rows, nextCursor: null });
    expect(ticketPage([], 3)).toEqual({ items: [], nextCursor: null });
  });

  it("a burned ticket has no owner; a complimentary one no stake", () => {
    const t = {
      chainId: CHAIN,
      tokenId: 3n,
      eventId: 7n,
      owner: "0x0000000000000000000000000000000000000000" as const,
      buyer: A,
      paymentId: H,
      complimentary: false,
      checkedIn: false,
      gateId: null,
      validator: null,
      checkedInAt: null,
      burned: true,
      mintedBlock: 2n,
      mintedAt: 200n,
      mintedTxHash: TX,
    };
    const burned = ticketJson(t, { amount: 20n, status: "REFUNDED", claimable: 0n });
    expect([burned.owner, burned.stake?.status]).toEqual([null, "REFUNDED"]);
    const comp = ticketJson({ ...t, owner: B, burned: false, paymentId: null, complimentary: true }, null);
    expect([comp.owner, comp.stake, comp.paymentId]).toEqual([getAddress(B), null, null]);
  });
});

describe("QR orders", () => {
  it("writes totals, the unsettled fiat, and payments and settlements in order", () => {
    const order = {
      chainId: CHAIN,
      id: H,
      creator: A,
      orderId: "ORD-1",
      referenceString: "REF",
      token: USDC,
      native: false,
      paidAmount: 300n,
      paidFiat: 3000n,
      settledAmount: 200n,
      settledFiat: 2000n,
      unsettledAmount: 100n,
      status: "PARTIALLY_SETTLED" as const,
      paymentCount: 2,
      settlementCount: 1,
      lastBeneficiary: B,
      createdBlock: 1n,
      createdAt: 100n,
      updatedBlock: 3n,
      updatedAt: 300n,
    };
    const pay = (n: bigint) => ({ chainId: CHAIN, id: `p${n}`, orderDataHash: H, creator: A, token: USDC, tokenAmount: n * 100n, fiatAmount: n * 1000n, ...stamp });
    const settlement = { chainId: CHAIN, id: "s", orderDataHash: H, beneficiary: B, token: USDC, tokenAmount: 200n, fiatAmount: 2000n, bot: C, ...stamp };
    const j = qrOrderJson(order, [pay(2n), pay(1n)], [settlement], meta);
    expect(j.unsettled).toEqual({ amount: "100", fiat: "1000" });
    expect(j.token).toEqual({ address: getAddress(USDC), symbol: "USDC", decimals: 6 });
    expect(j.payments.map((p) => p.amount)).toEqual(["200", "100"]);
    expect(j.settlements[0]).toMatchObject({ beneficiary: getAddress(B), bot: getAddress(C), amount: "200" });
    expect(j.lastBeneficiary).toBe(getAddress(B));
  });
});

describe("account summary", () => {
  it("counts bookings per role and status, every status present", () => {
    const r = bookingRoles([
      { status: "PAID", customerCount: 2, customerAmount: 30n, providerCount: 0, providerAmount: 0n, inviterCount: 1, inviterAmount: 10n },
      { status: "CANCELLED", customerCount: 1, customerAmount: 5n, providerCount: 1, providerAmount: 7n, inviterCount: 0, inviterAmount: 0n },
    ]);
    expect(r.asCustomer).toEqual({
      count: 3,
      amount: "35",
      byStatus: { PAID: { count: 2, amount: "30" }, COMPLETED: { count: 0, amount: "0" }, CANCELLED: { count: 1, amount: "5" } },
    });
    expect(r.asProvider.count).toBe(1);
    expect(r.asInviter.byStatus.PAID).toEqual({ count: 1, amount: "10" });
    expect(bookingRoles([]).asCustomer).toEqual({ count: 0, amount: "0", byStatus: { PAID: { count: 0, amount: "0" }, COMPLETED: { count: 0, amount: "0" }, CANCELLED: { count: 0, amount: "0" } } });
  });

  it("names the account's roles in a booking", () => {
    expect(bookingRolesOf({ customer: A, provider: A, inviter: null }, A)).toEqual(["CUSTOMER", "PROVIDER"]);
    expect(bookingRolesOf({ customer: B, provider: C, inviter: A }, getAddress(A))).toEqual(["INVITER"]);
  });

  it("counts organized events by status", () => {
    expect(eventCounts([{ status: "COMPLETED", count: 2 }, { status: "ACTIVE", count: 1 }])).toEqual({ count: 3, byStatus: { ACTIVE: 1, CANCELLED: 0, COMPLETED: 2 } });
  });

  it("lists non-zero earnings by source, role and token", () => {
    const list = earningsList(
      {
        escrowToken: USDC,
        booking: { asProvider: 90n, asInviter: 0n, asPlatform: 5n },
        organizer: { revenueCredited: 95n, forfeitedStakesCredited: 20n },
        merchant: [
          { token: USDT, received: 7n },
          { token: NATIVE, received: 0n },
          { token: USDC, received: 3n },
        ],
      },
      meta,
    );
    expect(list.map((e) => [e.source, e.role, e.token.symbol, e.amount])).toEqual([
      ["BookingEscrow", "PROVIDER", "USDC", "90"],
      ["BookingEscrow", "PLATFORM", "USDC", "5"],
      ["PaymentProcessor", "ORGANIZER", "ETH", "115"],
      ["QRPayment", "BENEFICIARY", "USDC", "3"],
      ["QRPayment", "BENEFICIARY", null, "7"],
    ]);
    expect(earningsList({ escrowToken: null, booking: null, organizer: null, merchant: [] }, meta)).toEqual([]);
  });

  it("merges settlements received and pending orders per token", () => {
    const s = merchantSummary(
      [{ token: USDC, settlements: 3, orders: 2, received: 300n, receivedFiat: 3000n }],
      [
        { token: USDC, orders: 1, unsettled: 50n },
        { token: NATIVE, orders: 1, unsettled: 9n },
      ],
      meta,
    );
    expect(s).toEqual([
      { token: tokenJson(NATIVE, meta), settlements: 0, orders: 0, received: "0", receivedFiat: "0", unsettledOrders: 1, unsettled: "9" },
      { token: tokenJson(USDC, meta), settlements: 3, orders: 2, received: "300", receivedFiat: "3000", unsettledOrders: 1, unsettled: "50" },
    ]);
  });

  it("assembles the summary; ownership is a role; roles are sorted", () => {
    const rows: AccountRows = {
      account: { chainId: CHAIN, address: A, firstSeenBlock: 3n, firstSeenAt: 30n },
      earnings: null,
      organizer: null,
      escrowToken: USDC,
      bookings: [],
      recent: [{ id: H, status: "PAID", customer: A, provider: B, inviter: null, amount: 5n, createdBlock: 4n, createdAt: 40n }],
      tickets: { held: 2, checkedIn: 1, events: 1, claimableCount: 1, claimableAmount: 20n },
      events: [],
      payer: [],
      settled: [],
      pending: [],
      roles: [
        { contract: "QRPayment", role: "BOT" },
        { contract: "BookingEscrow", role: "OPERATOR" },
      ],
      owned: [{ name: "OracleHub", owner: A, pendingOwner: null }],
      meta,
    };
    const j = accountJson(rows);
    expect(j.address).toBe(getAddress(A));
    expect(j.roles).toEqual([
      { contract: "BookingEscrow", role: "OPERATOR" },
      { contract: "OracleHub", role: "OWNER" },
      { contract: "QRPayment", role: "BOT" },
    ]);
    expect(j.organizer).toEqual({ events: { count: 0, byStatus: { ACTIVE: 0, CANCELLED: 0, COMPLETED: 0 } }, balance: "0", revenueCredited: "0", forfeitedStakesCredited: "0", withdrawn: "0", withdrawals: 0 });
    expect(j.tickets.claimableStakes).toEqual({ count: 1, amount: "20" });
    expect(j.bookings.recent[0]).toEqual({ id: H, status: "PAID", roles: ["CUSTOMER"], amount: "5", created: { block: "4", timestamp: "40" } });
    expect([{ contract: "B", role: "Z" }, { contract: "A", role: "Y" }, { contract: "B", role: "A" }].sort(byContractAndRole)).toEqual([
      { contract: "A", role: "Y" },
      { contract: "B", role: "A" },
      { contract: "B", role: "Z" },
    ]);
  });
});

describe("the chain of a read", () => {
  const never = async (): Promise<number[]> => {
    throw new Error("no look-up expected");
  };

  it("parses a chain id, and says what is wrong with a bad one", () => {
    expect(parseChainId("84532")).toEqual({ ok: true, value: 84532 });
    for (const bad of ["0", "-1", "1.5", "0x1", "", "99999999999999999"]) expect(parseChainId(bad).ok, bad).toBe(false);
  });

  it("takes the chain asked for, if served, without a look-up", async () => {
    await expect(chainFor([31337, 31338], 31338, "event", "1", never)).resolves.toBe(31338);
    await expect(chainFor([31337], 1, "event", "1", never)).rejects.toMatchObject({ status: 400, code: "unknown_chain", details: { served: [31337] } });
  });

  it("needs no look-up with one chain served", async () => {
    await expect(chainFor([31337], undefined, "event", "1", never)).resolves.toBe(31337);
  });

  it("finds the id's chain among several, refuses an id on several, and is null on none", async () => {
    await expect(chainFor([1, 2], undefined, "event", "7", async () => [2])).resolves.toBe(2);
    await expect(chainFor([1, 2], undefined, "event", "7", async () => [])).resolves.toBeNull();
    const err = await chainFor([1, 2], undefined, "event", "7", async () => [2, 1]).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "ambiguous_chain", details: { id: "7", chains: [1, 2] } });
    expect((err as Error).message).toBe("event 7 exists on chains 1, 2: add ?chainId= to choose one");
  });
});
