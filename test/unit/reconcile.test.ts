// Reconciliation's pure half: which view confirms which indexed figure, and how the answers compare.
import { describe, expect, it } from "vitest";
import { zeroAddress, type Address, type Hex, type PublicClient } from "viem";
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
import { formatDifference, summaryLine, summaryLines } from "../../api/reconcile/report.js";
import { IndexNotReadyError, reconcileChains, type ChainReconciliation, type IndexDb, type ReconcileDeps } from "../../api/reconcile/collect.js";
import { reconciliationRouter, toJson } from "../../api/reconcile/route.js";
import { ReconciliationSchema, type ReconciliationJson } from "../../api/reconcile/schema.js";
import { onError } from "../../api/http/errors.js";
import { newRouter } from "../../api/http/router.js";

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

const chainEntry = (chainId: number, chain: string, block: string, head: string | null, checked: number, differences: number) => ({
  chainId,
  chain,
  block,
  head,
  lagBlocks: head === null ? null : Number(BigInt(head) - BigInt(block)),
  checked,
  differences,
});

describe("report lines", () => {
  it("prints a difference with its chain id and both figures", () => {
    const line = formatDifference({ chainId: 31337, contract: "BookingEscrow", view: "earnings", key: ALICE, chain: "100", index: "99" });
    expect(line).toBe(`[31337] BookingEscrow.earnings(${ALICE}): chain 100, index 99`);
    expect(formatDifference({ chainId: 8453, contract: "OracleHub", view: "rateOf.rate", key: USDC, chain: "1", index: null })).toBe(`[8453] OracleHub.rateOf.rate(${USDC}): chain 1, index null`);
  });

  it("sums up one chain in one line, as before there were several", () => {
    const one = (head: string | null, differences: ReconciliationJson["differences"]): ReconciliationJson => ({
      block: "42",
      head,
      lagBlocks: head === null ? null : Number(head) - 42,
      checked: 10,
      differences,
      chains: [chainEntry(31337, "local", "42", head, 10, differences.length)],
    });
    expect(summaryLines(one("45", []))).toEqual(["block 42 (chain head 45, 3 behind): 10 figures checked, 0 differences"]);
    expect(summaryLines(one(null, []))).toEqual(["block 42 (chain head unknown): 10 figures checked, 0 differences"]);
    const diff = { chainId: 31337, contract: "OracleHub" as const, view: "rateOf.rate", key: USDC, chain: "1", index: null };
    expect(summaryLines(one("42", [diff]))).toEqual(["block 42 (chain head 42, 0 behind): 10 figures checked, 1 difference"]);
    expect(summaryLine({ block: "7", head: "9", lagBlocks: 2, checked: 3, differences: 2 })).toBe("block 7 (chain head 9, 2 behind): 3 figures checked, 2 differences");
  });

  it("sums up several chains in a line each, named, then all chains", () => {
    const diff = { chainId: 31338, contract: "BookingEscrow" as const, view: "earnings", key: ALICE, chain: "1", index: "2" };
    const report: ReconciliationJson = {
      block: "42",
      head: "45",
      lagBlocks: 3,
      checked: 30,
      differences: [diff],
      chains: [chainEntry(31337, "local", "42", "45", 10, 0), chainEntry(31338, "local-2", "100", null, 20, 1)],
    };
    expect(summaryLines(report)).toEqual([
      "local (chain 31337): block 42 (chain head 45, 3 behind): 10 figures checked, 0 differences",
      "local-2 (chain 31338): block 100 (chain head unknown): 20 figures checked, 1 difference",
      "all chains: 30 figures checked, 1 difference",
    ]);
  });
});

describe("the report over HTTP", () => {
  const diff = (key: Hex) => ({ contract: "BookingEscrow" as const, view: "earnings", key, chain: 2n, index: 1n });
  const result = (chainId: number, chainName: string, block: bigint, head: bigint | null, checked: number, differences: ReturnType<typeof diff>[]): ChainReconciliation => ({
    chainId,
    chainName,
    block,
    head,
    checked,
    differences,
  });

  it("keeps the first chain's block, head and lag at the top, totals the counts, and tags each difference with its chain", () => {
    const json = toJson([result(31337, "local", 42n, 45n, 10, [diff(ALICE)]), result(31338, "local-2", 100n, 99n, 20, [diff(BOB), diff(ALICE)])]);
    expect(ReconciliationSchema.parse(json)).toEqual(json);
    expect(json).toEqual({
      block: "42",
      head: "45",
      lagBlocks: 3,
      checked: 30,
      differences: [
        { chainId: 31337, contract: "BookingEscrow", view: "earnings", key: ALICE, chain: "2", index: "1" },
        { chainId: 31338, contract: "BookingEscrow", view: "earnings", key: BOB, chain: "2", index: "1" },
        { chainId: 31338, contract: "BookingEscrow", view: "earnings", key: ALICE, chain: "2", index: "1" },
      ],
      chains: [
        { chainId: 31337, chain: "local", block: "42", head: "45", lagBlocks: 3, checked: 10, differences: 1 },
        // A head behind the index (the RPC has not seen the block yet) is no lag.
        { chainId: 31338, chain: "local-2", block: "100", head: "99", lagBlocks: 0, checked: 20, differences: 2 },
      ],
    });
  });

  it("is today's report for one chain, plus its one entry", () => {
    const json = toJson([result(31337, "local", 42n, null, 10, [])]);
    expect(json).toEqual({
      block: "42",
      head: null,
      lagBlocks: null,
      checked: 10,
      differences: [],
      chains: [{ chainId: 31337, chain: "local", block: "42", head: null, lagBlocks: null, checked: 10, differences: 0 }],
    });
    // A report without the chains (an indexer from before) is not one.
    const { chains: _, ...old } = json;
    expect(ReconciliationSchema.safeParse(old).success).toBe(false);
  });

  it("answers 503 index_not_ready naming the first chain in served order that has no checkpoint", async () => {
    // A database with no checkpoint row: every chain is not ready yet.
    const db = { execute: async () => ({ rows: [] }) } as unknown as IndexDb;
    const deps = (chainId: number, chainName: string): ReconcileDeps => ({ db, client: {} as PublicClient, contracts: {}, chainId, chainName });
    const chains = [deps(31338, "local-2"), deps(31337, "local")];
    const err = await reconcileChains(chains).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IndexNotReadyError);
    expect((err as IndexNotReadyError).message).toBe("local-2 (chain 31338): the index has no checkpoint yet");
    expect((err as IndexNotReadyError).chain).toEqual({ chainId: 31338, chainName: "local-2" });

    const app = newRouter();
    app.onError(onError);
    app.route("/", reconciliationRouter(() => chains));
    const res = await app.request("/api/reconciliation");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: "index_not_ready", message: "local-2 (chain 31338): the index has no checkpoint yet", details: { chainId: 31338, chain: "local-2" } },
    });
  });
});
