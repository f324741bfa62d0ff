// Reconciliation's pure half: which view confirms which indexed figure, and how the answers compare.
import { describe, expect, it } from "vitest";
import { zeroAddress, type Address, type Hex } from "viem";
import { buildChecks, ZERO_BYTES32, type ContractAddresses, type IndexSnapshot } from "../../api/reconcile/checks.js";
import { indexedBlock } from "../../api/reconcile/checkpoint.js";
import {
  compare,
  differenceToJson,
  distinctReads,
  normalize,
  readKey,
  type ChainRead,
  type Check,
  type Outcome,
} from "../../api/reconcile/figures.js";
import { formatDifference, summaryLine } from "../../api/reconcile/report.js";

const ESCROW = "0x00000000000000000000000000000000000000e1" as Address;
const NFT = "0x00000000000000000000000000000000000000e2" as Address;
const PROCESSOR = "0x00000000000000000000000000000000000000e3" as Address;
const QR = "0x00000000000000000000000000000000000000e4" as Address;
const ORACLE = "0x00000000000000000000000000000000000000e5" as Address;
const USDC = "0x00000000000000000000000000000000000000c1" as Hex;
const ALICE = "0x00000000000000000000000000000000000000a1" as Hex;
const BOB = "0x00000000000000000000000000000000000000b2" as Hex;
const BOOKING = `0x${"ab".repeat(32)}` as Hex;
const ORDER = `0x${"cd".repeat(32)}` as Hex;
const ALL: ContractAddresses = { BookingEscrow: ESCROW, EventTicketNFT: NFT, PaymentProcessor: PROCESSOR, QRPayment: QR, OracleHub: ORACLE };

function checkpoint(block: bigint, txIndex: string): string {
  return `${"1700000000"}${"31337".padStart(16, "0")}${block.toString().padStart(16, "0")}${txIndex}5${"0".padStart(16, "0")}`;
}

/** Casts a partial row in fixtures: only the columns a rule reads matter. */
const row = <T,>(fields: NoInfer<Partial<T>>): T => fields as T;

function emptySnapshot(): IndexSnapshot {
  return {
    contractInfo: [],
    roleMembers: [],
    accounts: [],
    escrowStates: [],
    earnings: [],
    bookings: [],
    events: [],
    tickets: [],
    stakes: [],
    processorStates: [],
    payments: [],
    organizerBalances: [],
    qrOrders: [],
    qrTokenTotals: [],
    oracleRates: [],
    netFlows: [],
  };
}

/** A fake chain: answers each read with `answer(read)`; `undefined` means the call reverts. */
function answers(checks: readonly Check[], answer: (read: ChainRead) => unknown): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  for (const [key, read] of distinctReads(checks)) {
    const value = answer(read);
    out.set(key, value === undefined ? { ok: false, reason: "ERC721NonexistentToken" } : { ok: true, value });
  }
  return out;
}

const fn = (read: ChainRead) => (read.kind === "call" ? read.functionName : "balance");
const find = (checks: readonly Check[], contract: string, view: string, key?: string) =>
  checks.filter((c) => c.contract === contract && c.view === view && (key === undefined || c.key === key));

describe("indexedBlock (Ponder checkpoint)", () => {
  it("takes a block recorded as complete, and the block before a checkpoint inside a block", () => {
    expect(indexedBlock(checkpoint(42n, "9".repeat(16)))).toBe(42n);
    expect(indexedBlock(checkpoint(42n, "3".padStart(16, "0")))).toBe(41n);
    expect(indexedBlock(checkpoint(0n, "0".repeat(16)))).toBe(0n);
  });

  it("refuses anything that is not a 75-digit checkpoint", () => {
    expect(() => indexedBlock("123")).toThrow(/not a Ponder checkpoint/);
    expect(() => indexedBlock("x".repeat(75))).toThrow(/not a Ponder checkpoint/);
  });
});

describe("figures", () => {
  it("normalizes numbers to bigint and hex to lower case, keeps other strings", () => {
    expect(normalize(7)).toBe(7n);
    expect(normalize("0xABCdef")).toBe("0xabcdef");
    expect(normalize("PAID")).toBe("PAID");
    expect(normalize(undefined)).toBe(null);
    expect(() => normalize(1.5)).toThrow(RangeError);
  });

  it("shares one read between checks of the same call, and tells different arguments apart", () => {
    const read = (args: unknown[]): ChainRead => ({ kind: "call", address: ESCROW, abi: [], functionName: "getBooking", args });
    expect(readKey(read([1n]))).toBe(readKey(read([1n])));
    expect(readKey(read([1n]))).not.toBe(readKey(read(["1"])));
    expect(readKey({ kind: "balance", address: ESCROW })).not.toBe(readKey(read([])));
  });

  it("reports each differing figure once, with both sides, and nothing for equal ones", () => {
    const read: ChainRead = { kind: "call", address: ESCROW, abi: [], functionName: "getBooking", args: [BOOKING] };
    const checks: Check[] = [
      { contract: "BookingEscrow", view: "getBooking.amount", key: BOOKING, read, index: 100n, pick: (r) => (r as { amount: bigint }).amount },
      { contract: "BookingEscrow", view: "getBooking.customer", key: BOOKING, read, index: ALICE, pick: (r) => (r as { customer: string }).customer },
    ];
    const same = new Map<string, Outcome>([[readKey(read), { ok: true, value: { amount: 100n, customer: ALICE.toUpperCase().replace("0X", "0x") } }]]);
    expect(compare(checks, same)).toEqual({ checked: 2, differences: [] });
    const off = new Map<string, Outcome>([[readKey(read), { ok: true, value: { amount: 101n, customer: ALICE } }]]);
    expect(compare(checks, off)).toEqual({
      checked: 2,
      differences: [{ contract: "BookingEscrow", view: "getBooking.amount", key: BOOKING, chain: 101n, index: 100n }],
    });
  });

  it("turns a revert into the check's stated figure, or into a difference when it has none", () => {
    const read: ChainRead = { kind: "call", address: NFT, abi: [], functionName: "ownerOf", args: [5n] };
    const reverted = new Map<string, Outcome>([[readKey(read), { ok: false, reason: "ERC721NonexistentToken" }]]);
    const burned: Check = { contract: "EventTicketNFT", view: "ownerOf", key: "5", read, index: zeroAddress, pick: (r) => r as string, onRevert: zeroAddress };
    expect(compare([burned], reverted).differences).toEqual([]);
    const strict: Check = { ...burned, onRevert: undefined, index: ALICE };
    expect(compare([strict], reverted).differences).toEqual([
      { contract: "EventTicketNFT", view: "ownerOf", key: "5", chain: "reverted: ERC721NonexistentToken", index: ALICE },
    ]);
    expect(() => compare([burned], new Map())).toThrow(/no chain answer/);
  });

  it("sends bigints as decimal strings", () => {
    expect(differenceToJson({ contract: "QRPayment", view: "totalUnsettled", key: USDC, chain: 2n ** 200n, index: false })).toEqual({
      contract: "QRPayment",
      view: "totalUnsettled",
      key: USDC,
      chain: (2n ** 200n).toString(),
      index: false,
    });
  });
});

describe("buildChecks", () => {
  it("checks nothing of a contract the network does not have", () => {
    const snapshot = emptySnapshot();
    snapshot.accounts = [ALICE];
    const onlyEscrow = buildChecks(snapshot, { BookingEscrow: ESCROW });
    expect(new Set(onlyEscrow.map((c) => c.contract))).toEqual(new Set(["BookingEscrow"]));
    expect(buildChecks(snapshot, {})).toEqual([]);
  });

  it("checks earnings of every indexed account, zero for those the index never credited", () => {
    const snapshot = emptySnapshot();
    snapshot.accounts = [ALICE, BOB];
    snapshot.earnings = [row({ account: ALICE, total: 250n })];
    const checks = find(buildChecks(snapshot, ALL), "BookingEscrow", "earnings");
    expect(checks.map((c) => [c.key, c.index])).toEqual([
      [ALICE, 250n],
      [BOB, 0n],
    ]);
    const chain = answers(checks, (r) => (r.kind === "call" && r.args[0] === BOB ? 3n : 250n));
    expect(compare(checks, chain).differences).toEqual([{ contract: "BookingEscrow", view: "earnings", key: BOB, chain: 3n, index: 0n }]);
  });

  it("maps a booking's on-chain struct (enum status, zero inviter) onto the indexed row", () => {
    const snapshot = emptySnapshot();
    snapshot.bookings = [
      row({ id: BOOKING, status: "CANCELLED", amount: 10n, customer: ALICE, provider: BOB, inviter: null, platformFeeRate: 1000, inviterFeeRate: 0 }),
    ];
    const checks = buildChecks(snapshot, ALL).filter((c) => c.view.startsWith("getBooking."));
    expect(checks).toHaveLength(7);
    const onChain = { status: 3, amount: 10n, customer: ALICE, provider: BOB, inviter: zeroAddress, platformFeeRate: 1000n, inviterFeeRate: 0n };
    expect(compare(checks, answers(checks, () => onChain)).differences).toEqual([]);
    const completed = compare(checks, answers(checks, () => ({ ...onChain, status: 2 }))).differences;
    expect(completed).toEqual([{ contract: "BookingEscrow", view: "getBooking.status", key: BOOKING, chain: "COMPLETED", index: "CANCELLED" }]);
  });

  it("compares what each contract holds with the index's money in minus money out", () => {
    const snapshot = emptySnapshot();
    snapshot.escrowStates = [row({ address: ESCROW.toLowerCase() as Hex, paymentToken: USDC, totalEscrowed: 40n })];
    snapshot.qrTokenTotals = [row({ token: zeroAddress, unsettled: 9n }), row({ token: USDC, unsettled: 7n })];
    snapshot.netFlows = [
      { contract: "BookingEscrow", token: USDC, net: 40n },
      { contract: "PaymentProcessor", token: zeroAddress, net: 500n },
      { contract: "QRPayment", token: zeroAddress, net: 9n },
      { contract: "QRPayment", token: USDC, net: 7n },
    ];
    const checks = buildChecks(snapshot, ALL);
    const holdings = checks.filter((c) => c.view === "balance" || c.view === "ERC20.balanceOf");
    expect(holdings.map((c) => [c.contract, c.view, c.key, c.index])).toEqual([
      ["BookingEscrow", "ERC20.balanceOf", USDC, 40n],
      ["PaymentProcessor", "balance", PROCESSOR.toLowerCase(), 500n],
      ["QRPayment", "balance", QR.toLowerCase(), 9n],
      ["QRPayment", "ERC20.balanceOf", USDC, 7n],
    ]);
    // An ERC-20 holding is read from the token contract, about the holder.
    const escrowHolding = holdings[0]!.read;
    expect(escrowHolding.kind === "call" && escrowHolding.address === USDC && escrowHolding.args[0] === ESCROW).toBe(true);
    expect(find(checks, "QRPayment", "totalUnsettled").map((c) => [c.key, c.index])).toEqual([
      [zeroAddress, 9n],
      [USDC, 7n],
    ]);
  });

  it("expects ticketStake to keep forfeited and claimable stakes and to be zero once claimed or refunded", () => {
    const snapshot = emptySnapshot();
    const statuses = ["HELD", "CLAIMABLE", "FORFEITED", "CLAIMED", "REFUNDED"] as const;
    snapshot.tickets = statuses.map((_, i) => row({ tokenId: BigInt(i + 1), owner: ALICE, checkedIn: false, gateId: null, burned: false }));
    snapshot.tickets.push(row({ tokenId: 6n, owner: zeroAddress, checkedIn: false, gateId: null, burned: true }));
    snapshot.stakes = statuses.map((status, i) => row({ tokenId: BigInt(i + 1), amount: 20n, status, claimable: status === "CLAIMABLE" ? 20n : 0n }));
    snapshot.accounts = [ALICE];
    const checks = buildChecks(snapshot, ALL);
    expect(find(checks, "PaymentProcessor", "ticketStake").map((c) => c.index)).toEqual([20n, 20n, 20n, 0n, 0n, 0n]);
    expect(find(checks, "PaymentProcessor", "claimableStake").map((c) => c.index)).toEqual([0n, 20n, 0n, 0n, 0n, 0n]);
    expect(find(checks, "EventTicketNFT", "checkInGate", "1")[0]!.index).toBe(ZERO_BYTES32);
    // balanceOf counts the tickets the index says an account holds, burned ones excluded.
    expect(find(checks, "EventTicketNFT", "balanceOf", ALICE)[0]!.index).toBe(5n);
    const owners = find(checks, "EventTicketNFT", "ownerOf");
    const chain = answers(owners, (r) => (r.kind === "call" && r.args[0] === 6n ? undefined : ALICE));
    expect(compare(owners, chain).differences).toEqual([]);
  });

  it("checks single-holder roles by comparing the current holder with the member", () => {
    const snapshot = emptySnapshot();
    snapshot.roleMembers = [
      row({ contract: "BookingEscrow", role: "SIGNER", account: ALICE, active: false }),
      row({ contract: "BookingEscrow", role: "SIGNER", account: BOB, active: true }),
      row({ contract: "QRPayment", role: "BOT", account: BOB, active: true }),
    ];
    const checks = buildChecks(snapshot, ALL).filter((c) => ["signer", "bots"].includes(c.view));
    expect(checks.map((c) => [c.view, c.key])).toEqual([
      ["signer", `SIGNER:${ALICE}`],
      ["signer", `SIGNER:${BOB}`],
      ["bots", `BOT:${BOB}`],
    ]);
    const chain = answers(checks, (r) => (fn(r) === "signer" ? ALICE : true));
    expect(compare(checks, chain).differences.map((d) => d.key)).toEqual([`SIGNER:${ALICE}`, `SIGNER:${BOB}`]);
  });
});

describe("report lines", () => {
  it("prints a difference with both figures and a summary with the count", () => {
    const line = formatDifference({ contract: "BookingEscrow", view: "earnings", key: ALICE, chain: "100", index: "99" });
    expect(line).toContain("BookingEscrow.earnings");
    expect(line).toContain(ALICE);
    expect(line).toMatch(/chain 100.*index 99/);
    expect(summaryLine({ block: "42", head: "45", lagBlocks: 3, checked: 10, differences: [] })).toBe("block 42 (chain head 45, 3 behind): 10 figures checked, 0 differences");
    expect(summaryLine({ block: "42", head: null, lagBlocks: null, checked: 10, differences: [] })).toContain("chain head unknown");
    expect(summaryLine({ block: "42", head: "42", lagBlocks: 0, checked: 10, differences: [{ contract: "OracleHub", view: "rateOf.rate", key: USDC, chain: "1", index: null }] })).toMatch(
      /1 difference\b/,
    );
  });
});
