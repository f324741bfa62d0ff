// QRPayment and OracleHub against a real anvil (SPEC 1.4): quotes rounded up, token and native
// payments with top-ups and refunds, bot settlement of exactly what is unsettled, every revert
// path, and a ledger proving the contract always holds exactly `totalUnsettled` per token.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  encodePacked,
  getAddress,
  keccak256,
  parseEther,
  parseEventLogs,
  parseUnits,
  zeroAddress,
  type Account,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { gasCost, startTestChain, type TestChain } from "../helpers/chain.js";
import { deployRevertOf, errorNames, errorsOf, revertTracker } from "../helpers/reverts.js";
import { abis, bytecode } from "../../devchain/artifacts.js";
import { DEFAULT_RATES } from "../../devchain/deploy.js";

// ---------------------------------------------------------------- constants

const NATIVE = zeroAddress;
const idr = (whole: string) => parseUnits(whole, 18);

/** Custom errors declared in the ABIs that no call can reach with this deployment (see the last tests). */
const UNREACHABLE_QR = {
  ReentrancyGuardReentrantCall: "needs a malicious receiver contract; only EOAs and plain contracts pay and receive here",
  SafeERC20FailedOperation: "TestToken reverts with ERC20 errors instead of returning false",
  InsufficientBalance: "Address.sendValue: the contract always holds totalUnsettled(native), which covers any payout",
} as const;

/**
 * QRPayment's ABI plus the custom errors of the contracts it calls (the oracle's quote and the
 * token's transferFrom), so viem can name reverts that happen inside them.
 */
const qrAbi = [...abis.QRPayment, ...errorsOf(abis.OracleHub), ...errorsOf(abis.TestToken)];

// ---------------------------------------------------------------- chain and ledger

let t: TestChain;
let QR: Address;
let ORACLE: Address;
let USDC: Address;
let USDT: Address;
let owner: Account;
let bot: Account;
/** A 6-decimal token the oracle has no rate for. */
let UNRATED: Address;
const RQ = revertTracker(); // QRPayment
const RO = revertTracker(); // OracleHub

/** Every order this file paid: hash → token. */
const orders = new Map<Hex, Address>();

beforeAll(async () => {
  t = await startTestChain();
  QR = t.deployment.contracts.QRPayment.address;
  ORACLE = t.deployment.contracts.OracleHub.address;
  USDC = t.deployment.tokens.USDC;
  USDT = t.deployment.tokens.USDT;
  owner = t.role("owner");
  bot = t.role("bot");
  UNRATED = await deployToken("No Rate (test)", "NOR", 6);
});
afterAll(async () => t?.stop());

// After every test: the contract holds exactly totalUnsettled of each asset, and that is the sum
// of the unsettled amounts of the orders paid in it. Every test also leaves the configuration as
// deployed; when one fails half-way it is put back first, so the failure does not cascade.
afterEach(async () => {
  const dirty: string[] = [];
  if ((await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "owner" })) !== owner.address) {
    dirty.push("QRPayment.owner");
    await qrWrite(newOwner(), "transferOwnership", [owner.address]);
    await qrWrite(owner, "acceptOwnership", []);
  }
  if (await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "paused" })) {
    dirty.push("QRPayment.paused");
    await qrWrite(owner, "unpause", []);
  }
  if ((await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "oracle" })) !== ORACLE) {
    dirty.push("QRPayment.oracle");
    await qrWrite(owner, "setOracle", [ORACLE]);
  }
  if (await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "bots", args: [newBot().address] })) {
    dirty.push("QRPayment.bots");
    await qrWrite(owner, "changeBotStatus", [newBot().address, false]);
  }
  if (await t.publicClient.readContract({ address: ORACLE, abi: abis.OracleHub, functionName: "paused" })) {
    dirty.push("OracleHub.paused");
    await oracleWrite(owner, "unpause", []);
  }
  const [usdcRate] = await rateOf(USDC);
  if (usdcRate !== DEFAULT_RATES.USDC) {
    dirty.push("OracleHub.rate(USDC)");
    await oracleWrite(owner, "setRate", [USDC, DEFAULT_RATES.USDC]);
  }
  expect(dirty, "configuration left changed").toEqual([]);

  for (const token of [USDC, USDT, NATIVE]) {
    const [held, unsettled, sum] = await Promise.all([balanceOf(token, QR), totalUnsettled(token), unsettledSum(token)]);
    expect(held, token).toBe(unsettled);
    expect(unsettled, token).toBe(sum);
  }
});

// ---------------------------------------------------------------- actors

const payer = (n = 0) => t.actor(n); // 0..5
const merchant = (n = 0) => t.actor(6 + n); // 6..10, beneficiaries
const stranger = (n = 0) => t.actor(11 + n); // 11..12
const newBot = () => t.actor(13);
const newOwner = () => t.actor(14);

// ---------------------------------------------------------------- helpers

function one<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

/** Like t.mined, polling every 50 ms instead of the client's default 4 s. */
async function send(hash: Promise<Hex>): Promise<TransactionReceipt> {
  const receipt = await t.publicClient.waitForTransactionReceipt({ hash: await hash, pollingInterval: 50 });
  if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  return receipt;
}

async function deployToken(name: string, symbol: string, decimals: number): Promise<Address> {
  const receipt = await send(
    t.wallet(owner).deployContract({ abi: abis.TestToken, bytecode: bytecode("TestToken"), args: [name, symbol, decimals] }),
  );
  if (!receipt.contractAddress) throw new Error("no contract address");
  return getAddress(receipt.contractAddress);
}

async function balanceOf(token: Address, who: Address): Promise<bigint> {
  if (token === NATIVE) return t.publicClient.getBalance({ address: who });
  return t.publicClient.readContract({ address: token, abi: abis.TestToken, functionName: "balanceOf", args: [who] });
}
const totalUnsettled = (token: Address) =>
  t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "totalUnsettled", args: [token] });
const unsettledAmount = (hash: Hex) =>
  t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "unsettledAmount", args: [hash] });
const getOrder = (hash: Hex) =>
  t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "getOrder", args: [hash] });
const quote = (token: Address, fiat: bigint) =>
  t.publicClient.readContract({ address: ORACLE, abi: abis.OracleHub, functionName: "quote", args: [token, fiat] });
const rateOf = (token: Address) =>
  t.publicClient.readContract({ address: ORACLE, abi: abis.OracleHub, functionName: "rateOf", args: [token] });
const contractHash = (orderId: string, ref: string, token: Address, creator: Address) =>
  t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "orderDataHash", args: [orderId, ref, token, creator] });

/** SPEC 1.4: keccak256(abi.encodePacked(orderId, referenceString, tokenAddress, creator)). */
const orderHash = (orderId: string, ref: string, token: Address, creator: Address): Hex =>
  keccak256(encodePacked(["string", "string", "address", "address"], [orderId, ref, token, creator]));

/** Token amount for a fiat amount: fiat * 10^decimals / rate, rounded up. */
const ceilQuote = (fiat: bigint, decimals: number, rate: bigint) => (fiat * 10n ** BigInt(decimals) + rate - 1n) / rate;

async function unsettledSum(token: Address): Promise<bigint> {
  const amounts = await Promise.all([...orders].filter(([, tk]) => tk === token).map(([hash]) => unsettledAmount(hash)));
  return amounts.reduce((a, b) => a + b, 0n);
}

let orderSeq = 0;
const nextOrderId = (tag = "ORD") => `${tag}-${++orderSeq}`;

type QRAbi = typeof abis.QRPayment;
type OracleAbi = typeof abis.OracleHub;

async function qrWrite<const fn extends ContractFunctionName<QRAbi, "nonpayable">>(
  by: Account,
  functionName: fn,
  args: ContractFunctionArgs<QRAbi, "nonpayable", fn>,
): Promise<TransactionReceipt> {
  return send(t.wallet(by).writeContract({ address: QR, abi: abis.QRPayment, functionName, args } as never));
}
const simQR = <const fn extends ContractFunctionName<QRAbi, "nonpayable">>(
  by: Account,
  functionName: fn,
  args: ContractFunctionArgs<QRAbi, "nonpayable", fn>,
) => () => t.publicClient.simulateContract({ account: by, address: QR, abi: qrAbi, functionName, args: args as never });

async function oracleWrite<const fn extends ContractFunctionName<OracleAbi, "nonpayable">>(
  by: Account,
  functionName: fn,
  args: ContractFunctionArgs<OracleAbi, "nonpayable", fn>,
): Promise<TransactionReceipt> {
  return send(t.wallet(by).writeContract({ address: ORACLE, abi: abis.OracleHub, functionName, args } as never));
}
const simOracle = <const fn extends ContractFunctionName<OracleAbi, "nonpayable">>(
  by: Account,
  functionName: fn,
  args: ContractFunctionArgs<OracleAbi, "nonpayable", fn>,
) => () => t.publicClient.simulateContract({ account: by, address: ORACLE, abi: abis.OracleHub, functionName, args: args as never });

const simPayNative = (by: Account, orderId: string, ref: string, fiat: bigint, value: bigint) => () =>
  t.publicClient.simulateContract({
    account: by,
    address: QR,
    abi: qrAbi,
    functionName: "payQRNative",
    args: [orderId, ref, fiat],
    value,
  });

/** Mints exactly the quoted amount (plus `extra`) to the payer and approves the contract for the quote. */
async function fund(who: Account, token: Address, amount: bigint, extra = 0n): Promise<void> {
  const w = t.wallet(who);
  await send(w.writeContract({ address: token, abi: abis.TestToken, functionName: "mint", args: [who.address, amount + extra] }));
  await send(w.writeContract({ address: token, abi: abis.TestToken, functionName: "approve", args: [QR, amount] }));
}

async function payToken(who: Account, token: Address, fiat: bigint, orderId: string, ref = "REF") {
  const amount = await quote(token, fiat);
  await fund(who, token, amount);
  const receipt = await send(
    t.wallet(who).writeContract({ address: QR, abi: abis.QRPayment, functionName: "payQR", args: [token, fiat, orderId, ref] }),
  );
  const hash = orderHash(orderId, ref, token, who.address);
  orders.set(hash, token);
  return { receipt, amount, hash };
}

async function payNative(who: Account, fiat: bigint, orderId: string, ref = "REF", extra = 0n) {
  const amount = await quote(NATIVE, fiat);
  const receipt = await send(
    t.wallet(who).writeContract({
      address: QR,
      abi: abis.QRPayment,
      functionName: "payQRNative",
      args: [orderId, ref, fiat],
      value: amount + extra,
    }),
  );
  const hash = orderHash(orderId, ref, NATIVE, who.address);
  orders.set(hash, NATIVE);
  return { receipt, amount, hash };
}

// ================================================================ OracleHub

describe("OracleHub", () => {
  it("holds the deployment's rates with the tokens' decimals, announced by RateUpdated", async () => {
    expect(await rateOf(USDC)).toEqual([DEFAULT_RATES.USDC, 6]);
    expect(await rateOf(USDT)).toEqual([DEFAULT_RATES.USDT, 6]);
    expect(await rateOf(NATIVE)).toEqual([DEFAULT_RATES.native, 18]);
    const events = await t.publicClient.getContractEvents({ address: ORACLE, abi: abis.OracleHub, eventName: "RateUpdated", fromBlock: 0n });
    expect(events.map((e) => [e.args.token, e.args.rate])).toEqual([
      [USDC, DEFAULT_RATES.USDC],
      [USDT, DEFAULT_RATES.USDT],
      [NATIVE, DEFAULT_RATES.native],
    ]);
  });

  it("quotes round up (ceil), so the merchant is never short", async () => {
    // exact: 16,000 IDR is one USDC
    expect(await quote(USDC, idr("16000"))).toBe(1_000_000n);
    expect(await quote(USDC, idr("16000") + 1n)).toBe(1_000_001n);
    expect(await quote(USDC, idr("16000") - 1n)).toBe(1_000_000n);
    expect(await quote(USDC, 1n)).toBe(1n);
    expect(await quote(NATIVE, 1n)).toBe(1n);
    expect(await quote(USDC, idr("25000"))).toBe(1_562_500n);
    // 25,000 / 16,250 = 1.538461538... USDT → 1.538462
    expect(await quote(USDT, idr("25000"))).toBe(1_538_462n);
    // 100,000 / 52,000,000 ETH = 0.0019230769230769230769... ETH → 1_923_076_923_076_923.08 wei, up to ...924
    expect(await quote(NATIVE, idr("100000"))).toBe(1_923_076_923_076_924n);

    const fiats = [1n, 999n, idr("1"), idr("15999.999999"), idr("16000"), idr("33333.33"), idr("1234567.891011121314151617"), 10n ** 40n + 3n];
    let roundedUp = 0;
    for (const [token, rate, decimals] of [
      [USDC, DEFAULT_RATES.USDC, 6],
      [USDT, DEFAULT_RATES.USDT, 6],
      [NATIVE, DEFAULT_RATES.native, 18],
    ] as const) {
      for (const fiat of fiats) {
        const q = await quote(token, fiat);
        expect(q).toBe(ceilQuote(fiat, decimals, rate));
        if (q !== (fiat * 10n ** BigInt(decimals)) / rate) roundedUp += 1;
      }
    }
    expect(roundedUp).toBeGreaterThan(10);
  });

  it("setRate is owner-only, rejects a zero rate and changes the quote", async () => {
    for (const from of [stranger(), bot, payer()]) {
      await RO.expectWith(simOracle(from, "setRate", [USDC, 1n]), "OwnableUnauthorizedAccount", [from.address]);
    }
    await RO.expect(simOracle(owner, "setRate", [USDC, 0n]), "InvalidRate");
    const receipt = await oracleWrite(owner, "setRate", [USDC, idr("15000")]);
    expect(one(parseEventLogs({ abi: abis.OracleHub, logs: receipt.logs, eventName: "RateUpdated" })).args).toEqual({
      token: USDC,
      rate: idr("15000"),
    });
    expect(await quote(USDC, idr("15000"))).toBe(1_000_000n);
    expect(await quote(USDC, idr("10000"))).toBe(666_667n);
    await oracleWrite(owner, "setRate", [USDC, DEFAULT_RATES.USDC]);
    expect(await quote(USDC, idr("16000"))).toBe(1_000_000n);
  });

  it("reverts UnsupportedToken for a token without a rate; a new rate reads the token's decimals", async () => {
    await RO.expectWith(() => quote(UNRATED, idr("1")), "UnsupportedToken", [UNRATED]);
    expect(await rateOf(UNRATED)).toEqual([0n, 0]);
    const dai = await deployToken("Dai (test)", "DAI", 18);
    await RO.expectWith(() => quote(dai, idr("1")), "UnsupportedToken", [dai]);
    await oracleWrite(owner, "setRate", [dai, idr("16100")]);
    expect(await rateOf(dai)).toEqual([idr("16100"), 18]);
    expect(await quote(dai, idr("16100"))).toBe(10n ** 18n);
    expect(await quote(dai, idr("1"))).toBe(ceilQuote(idr("1"), 18, idr("16100")));
  });

  it("pausing stops quotes and rate changes (and so QR payments) until unpaused", async () => {
    await RO.expectWith(simOracle(stranger(), "pause", []), "OwnableUnauthorizedAccount", [stranger().address]);
    await RO.expect(simOracle(owner, "unpause", []), "ExpectedPause");
    await oracleWrite(owner, "pause", []);
    await RO.expect(simOracle(owner, "pause", []), "EnforcedPause");
    await RO.expect(() => quote(USDC, idr("1")), "EnforcedPause");
    await RO.expect(simOracle(owner, "setRate", [USDC, idr("1")]), "EnforcedPause");
    expect(await rateOf(USDC)).toEqual([DEFAULT_RATES.USDC, 6]); // the view still answers
    const amount = ceilQuote(idr("20000"), 6, DEFAULT_RATES.USDC);
    await fund(payer(5), USDC, amount);
    await RQ.expect(simQR(payer(5), "payQR", [USDC, idr("20000"), "PAUSED-ORACLE", "R"]), "EnforcedPause");
    await RQ.expect(simPayNative(payer(5), "PAUSED-ORACLE", "R", idr("20000"), parseEther("1")), "EnforcedPause");
    await RO.expectWith(simOracle(stranger(), "unpause", []), "OwnableUnauthorizedAccount", [stranger().address]);
    await oracleWrite(owner, "unpause", []);
    expect(await quote(USDC, idr("20000"))).toBe(amount);
  });

  it("the constructor rejects a zero owner", async () => {
    expect(await deployRevertOf(t.publicClient, owner, abis.OracleHub, bytecode("OracleHub"), [zeroAddress])).toEqual({
      errorName: "OwnableInvalidOwner",
      args: [zeroAddress],
    });
    RO.record("OwnableInvalidOwner");
  });
});

// ================================================================ QRPayment: paying

describe("QRPayment payments", () => {
  it("orderDataHash is keccak256(encodePacked(orderId, ref, token, creator))", async () => {
    const samples: [string, string, Address, Address][] = [
      ["INV-001", "table 7", USDT, payer().address],
      ["INV-002", "", USDC, payer(1).address],
      ["ÖRDER-🚀", "réf", NATIVE, merchant().address],
      ["x".repeat(100), "y".repeat(33), USDT, stranger().address],
    ];
    for (const [orderId, ref, token, creator] of samples) {
      expect(await contractHash(orderId, ref, token, creator)).toBe(orderHash(orderId, ref, token, creator));
    }
  });

  it("payQR pulls exactly the quoted amount and records the order", async () => {
    const who = payer(0);
    const fiat = idr("25000");
    const orderId = nextOrderId();
    const amount = await quote(USDT, fiat);
    expect(amount).toBe(1_538_462n);
    await fund(who, USDT, amount, 5n);
    const before = { payer: await balanceOf(USDT, who.address), qr: await balanceOf(USDT, QR), total: await totalUnsettled(USDT) };
    const receipt = await send(
      t.wallet(who).writeContract({ address: QR, abi: abis.QRPayment, functionName: "payQR", args: [USDT, fiat, orderId, "table 7"] }),
    );
    const hash = orderHash(orderId, "table 7", USDT, who.address);
    orders.set(hash, USDT);
    expect(await contractHash(orderId, "table 7", USDT, who.address)).toBe(hash);

    expect(before.payer - (await balanceOf(USDT, who.address))).toBe(amount);
    expect(await balanceOf(USDT, who.address)).toBe(5n);
    expect((await balanceOf(USDT, QR)) - before.qr).toBe(amount);
    expect((await totalUnsettled(USDT)) - before.total).toBe(amount);
    expect(await unsettledAmount(hash)).toBe(amount);
    expect(await getOrder(hash)).toEqual({
      creator: who.address,
      token: USDT,
      paidAmount: amount,
      paidFiat: fiat,
      settledAmount: 0n,
      settledFiat: 0n,
    });
    const ev = one(parseEventLogs({ abi: abis.QRPayment, logs: receipt.logs, eventName: "PaymentUpdated" }));
    expect(ev.args).toEqual({
      creator: who.address,
      orderId,
      referenceString: "table 7",
      tokenAddress: USDT,
      tokenAmount: amount,
      fiatAmount: fiat,
      orderDataHash: hash,
    });
  });

  it("a second payment to the same order adds to it (top-up)", async () => {
    const who = payer(1);
    const orderId = nextOrderId();
    const first = await payToken(who, USDC, idr("10000"), orderId);
    const second = await payToken(who, USDC, idr("6000") + 1n, orderId);
    expect(second.hash).toBe(first.hash);
    expect(first.amount).toBe(625_000n);
    expect(second.amount).toBe(375_001n);
    const order = await getOrder(first.hash);
    expect(order.paidAmount).toBe(1_000_001n);
    expect(order.paidFiat).toBe(idr("16000") + 1n);
    expect(await unsettledAmount(first.hash)).toBe(1_000_001n);
    // each event carries that payment's amounts, not the running total
    const ev = one(parseEventLogs({ abi: abis.QRPayment, logs: second.receipt.logs, eventName: "PaymentUpdated" }));
    expect([ev.args.tokenAmount, ev.args.fiatAmount, ev.args.orderDataHash]).toEqual([375_001n, idr("6000") + 1n, first.hash]);
  });

  it("orders are per creator, token, id and reference", async () => {
    const orderId = nextOrderId();
    const a = await payToken(payer(2), USDC, idr("1000"), orderId, "R");
    const b = await payToken(payer(3), USDC, idr("1000"), orderId, "R");
    const c = await payToken(payer(2), USDT, idr("1000"), orderId, "R");
    const d = await payToken(payer(2), USDC, idr("1000"), orderId, "R2");
    const e = await payNative(payer(2), idr("1000"), orderId, "R");
    expect(new Set([a.hash, b.hash, c.hash, d.hash, e.hash]).size).toBe(5);
    for (const o of [a, b, c, d, e]) expect(await unsettledAmount(o.hash)).toBe(o.amount);
    expect((await getOrder(b.hash)).creator).toBe(payer(3).address);
  });

  it("encodePacked of two strings is ambiguous: (\"ab\",\"c\") and (\"a\",\"bc\") are one order (spec-mandated hash)", async () => {
    const who = payer(4);
    const first = await payToken(who, USDC, idr("16000"), "ab", "c");
    const second = await payToken(who, USDC, idr("16000"), "a", "bc");
    expect(second.hash).toBe(first.hash);
    expect((await getOrder(first.hash)).paidAmount).toBe(2_000_000n);
  });

  it("payQRNative keeps the quote and refunds the excess exactly", async () => {
    const who = payer(0);
    const fiat = idr("100000");
    const amount = await quote(NATIVE, fiat);
    const orderId = nextOrderId("NAT");
    const [payerBefore, qrBefore, totalBefore] = await Promise.all([balanceOf(NATIVE, who.address), balanceOf(NATIVE, QR), totalUnsettled(NATIVE)]);
    const extra = parseEther("0.5") + 12345n;
    const { receipt, hash } = await payNative(who, fiat, orderId, "tip jar", extra);
    const paid = payerBefore - (await balanceOf(NATIVE, who.address)) - gasCost(receipt);
    expect(paid).toBe(amount);
    expect((await balanceOf(NATIVE, QR)) - qrBefore).toBe(amount);
    expect((await totalUnsettled(NATIVE)) - totalBefore).toBe(amount);
    expect(await unsettledAmount(hash)).toBe(amount);
    expect(await getOrder(hash)).toEqual({ creator: who.address, token: NATIVE, paidAmount: amount, paidFiat: fiat, settledAmount: 0n, settledFiat: 0n });
    const ev = one(parseEventLogs({ abi: abis.QRPayment, logs: receipt.logs, eventName: "PaymentUpdated" }));
    expect(ev.args).toEqual({ creator: who.address, orderId, referenceString: "tip jar", tokenAddress: NATIVE, tokenAmount: amount, fiatAmount: fiat, orderDataHash: hash });

    // exact value, and a native top-up
    const again = await payNative(who, idr("50000"), orderId, "tip jar");
    expect(again.hash).toBe(hash);
    expect(await unsettledAmount(hash)).toBe(amount + again.amount);
    expect((await getOrder(hash)).paidFiat).toBe(idr("150000"));
  });

  it("reverts InsufficientPayment when the native value is below the quote", async () => {
    const fiat = idr("100000");
    const required = await quote(NATIVE, fiat);
    for (const sent of [0n, 1n, required - 1n]) {
      await RQ.expectWith(simPayNative(payer(0), "SHORT", "R", fiat, sent), "InsufficientPayment", [sent, required]);
    }
  });

  it("reverts InvalidAmount for a zero fiat amount and EmptyOrderId for an empty order id", async () => {
    const who = payer(0);
    await fund(who, USDC, 1_000_000n);
    await RQ.expect(simQR(who, "payQR", [USDC, 0n, "ORDER", "R"]), "InvalidAmount");
    await RQ.expect(simPayNative(who, "ORDER", "R", 0n, parseEther("1")), "InvalidAmount");
    await RQ.expect(simQR(who, "payQR", [USDC, idr("1000"), "", "R"]), "EmptyOrderId");
    await RQ.expect(simPayNative(who, "", "R", idr("1000"), parseEther("1")), "EmptyOrderId");
    // an empty reference is fine
    await simQR(who, "payQR", [USDC, idr("1000"), "ORDER", ""])();
  });

  it("reverts ZeroAddress for token 0 in payQR and UnsupportedToken for a token without a rate", async () => {
    const who = payer(0);
    await RQ.expect(simQR(who, "payQR", [zeroAddress, idr("1000"), "ORDER", "R"]), "ZeroAddress");
    await fund(who, UNRATED, 10n ** 12n);
    await RQ.expectWith(simQR(who, "payQR", [UNRATED, idr("1000"), "ORDER", "R"]), "UnsupportedToken", [UNRATED]);
  });

  it("reverts in the token when the payer has not approved or cannot pay", async () => {
    const who = stranger(1);
    const fiat = idr("16000");
    await RQ.expectWith(simQR(who, "payQR", [USDT, fiat, "NOPE", "R"]), "ERC20InsufficientAllowance", [QR, 0n, await quote(USDT, fiat)]);
    await send(t.wallet(who).writeContract({ address: USDT, abi: abis.TestToken, functionName: "approve", args: [QR, 10n ** 18n] }));
    await RQ.expectWith(simQR(who, "payQR", [USDT, fiat, "NOPE", "R"]), "ERC20InsufficientBalance", [who.address, 0n, await quote(USDT, fiat)]);
  });
});

// ================================================================ QRPayment: settling

describe("QRPayment settlement", () => {
  it("the bot settles exactly what is unsettled, then NothingToSettle, then only a later top-up", async () => {
    const who = payer(1);
    const to = merchant(0);
    const orderId = nextOrderId();
    const p1 = await payToken(who, USDT, idr("25000"), orderId);
    const p2 = await payToken(who, USDT, idr("1") + 7n, orderId);
    const due = p1.amount + p2.amount;
    const [toBefore, totalBefore] = await Promise.all([balanceOf(USDT, to.address), totalUnsettled(USDT)]);
    const receipt = await qrWrite(bot, "settleQROrder", [to.address, p1.hash]);
    expect((await balanceOf(USDT, to.address)) - toBefore).toBe(due);
    expect(totalBefore - (await totalUnsettled(USDT))).toBe(due);
    expect(await unsettledAmount(p1.hash)).toBe(0n);
    expect(await getOrder(p1.hash)).toEqual({
      creator: who.address,
      token: USDT,
      paidAmount: due,
      paidFiat: idr("25001") + 7n,
      settledAmount: due,
      settledFiat: idr("25001") + 7n,
    });
    const ev = one(parseEventLogs({ abi: abis.QRPayment, logs: receipt.logs, eventName: "OrderSettled" }));
    expect(ev.args).toEqual({ orderDataHash: p1.hash, beneficiary: to.address, tokenAddress: USDT, tokenAmount: due, fiatAmount: idr("25001") + 7n });
    const transfer = one(parseEventLogs({ abi: abis.TestToken, logs: receipt.logs, eventName: "Transfer" }));
    expect(transfer.args).toEqual({ from: QR, to: to.address, value: due });

    await RQ.expectWith(simQR(bot, "settleQROrder", [to.address, p1.hash]), "NothingToSettle", [p1.hash]);

    const p3 = await payToken(who, USDT, idr("16250"), orderId);
    expect(p3.amount).toBe(1_000_000n);
    expect(await unsettledAmount(p1.hash)).toBe(1_000_000n);
    const other = merchant(1);
    const before2 = await balanceOf(USDT, other.address);
    const r2 = await qrWrite(bot, "settleQROrder", [other.address, p1.hash]);
    expect((await balanceOf(USDT, other.address)) - before2).toBe(1_000_000n);
    const ev2 = one(parseEventLogs({ abi: abis.QRPayment, logs: r2.logs, eventName: "OrderSettled" }));
    expect([ev2.args.tokenAmount, ev2.args.fiatAmount, ev2.args.beneficiary]).toEqual([1_000_000n, idr("16250"), other.address]);
    const order = await getOrder(p1.hash);
    expect([order.paidAmount, order.settledAmount]).toEqual([due + 1_000_000n, due + 1_000_000n]);
  });

  it("settleQROrderNative pays the beneficiary exactly in ETH", async () => {
    const who = payer(2);
    const to = merchant(2);
    const orderId = nextOrderId("NAT");
    const p1 = await payNative(who, idr("77777.77"), orderId, "R", 3n);
    const p2 = await payNative(who, idr("22222.23"), orderId, "R");
    const due = p1.amount + p2.amount;
    const [toBefore, qrBefore] = await Promise.all([balanceOf(NATIVE, to.address), balanceOf(NATIVE, QR)]);
    const receipt = await qrWrite(bot, "settleQROrderNative", [to.address, p1.hash]);
    expect((await balanceOf(NATIVE, to.address)) - toBefore).toBe(due);
    expect(qrBefore - (await balanceOf(NATIVE, QR))).toBe(due);
    const ev = one(parseEventLogs({ abi: abis.QRPayment, logs: receipt.logs, eventName: "OrderSettled" }));
    expect(ev.args).toEqual({ orderDataHash: p1.hash, beneficiary: to.address, tokenAddress: NATIVE, tokenAmount: due, fiatAmount: idr("100000") });
    await RQ.expectWith(simQR(bot, "settleQROrderNative", [to.address, p1.hash]), "NothingToSettle", [p1.hash]);
  });

  it("only bots settle (NotBot), not the owner, the merchant or the payer", async () => {
    const p = await payToken(payer(0), USDC, idr("5000"), nextOrderId());
    const n = await payNative(payer(0), idr("5000"), nextOrderId("NAT"));
    for (const from of [stranger(), owner, merchant(), payer(0)]) {
      await RQ.expectWith(simQR(from, "settleQROrder", [from.address, p.hash]), "NotBot", [from.address]);
      await RQ.expectWith(simQR(from, "settleQROrderNative", [from.address, n.hash]), "NotBot", [from.address]);
    }
    await qrWrite(bot, "settleQROrder", [merchant().address, p.hash]);
    await qrWrite(bot, "settleQROrderNative", [merchant().address, n.hash]);
  });

  it("reverts OrderNotFound, WrongSettlementKind and ZeroAddress", async () => {
    const unknown = orderHash("never", "paid", USDC, payer().address);
    await RQ.expectWith(simQR(bot, "settleQROrder", [merchant().address, unknown]), "OrderNotFound", [unknown]);
    await RQ.expectWith(simQR(bot, "settleQROrderNative", [merchant().address, unknown]), "OrderNotFound", [unknown]);
    const p = await payToken(payer(0), USDC, idr("5000"), nextOrderId());
    const n = await payNative(payer(0), idr("5000"), nextOrderId("NAT"));
    await RQ.expectWith(simQR(bot, "settleQROrderNative", [merchant().address, p.hash]), "WrongSettlementKind", [p.hash]);
    await RQ.expectWith(simQR(bot, "settleQROrder", [merchant().address, n.hash]), "WrongSettlementKind", [n.hash]);
    await RQ.expect(simQR(bot, "settleQROrder", [zeroAddress, p.hash]), "ZeroAddress");
    await RQ.expect(simQR(bot, "settleQROrderNative", [zeroAddress, n.hash]), "ZeroAddress");
    await qrWrite(bot, "settleQROrder", [merchant().address, p.hash]);
    await qrWrite(bot, "settleQROrderNative", [merchant().address, n.hash]);
  });

  it("reverts FailedCall when the native beneficiary cannot receive ETH; nothing changes", async () => {
    const n = await payNative(payer(3), idr("5000"), nextOrderId("NAT"));
    // a contract without receive/fallback (the USDC token)
    await RQ.expect(simQR(bot, "settleQROrderNative", [USDC, n.hash]), "FailedCall");
    expect(await unsettledAmount(n.hash)).toBe(n.amount);
    await qrWrite(bot, "settleQROrderNative", [merchant(3).address, n.hash]);
  });
});

// ================================================================ QRPayment: admin

describe("QRPayment admin", () => {
  it("changeBotStatus is owner-only and grants/revokes settling", async () => {
    for (const from of [stranger(), bot, newBot()]) {
      await RQ.expectWith(simQR(from, "changeBotStatus", [newBot().address, true]), "OwnableUnauthorizedAccount", [from.address]);
    }
    await RQ.expect(simQR(owner, "changeBotStatus", [zeroAddress, true]), "ZeroAddress");
    const p = await payToken(payer(0), USDC, idr("3000"), nextOrderId());
    await RQ.expectWith(simQR(newBot(), "settleQROrder", [merchant().address, p.hash]), "NotBot", [newBot().address]);
    const granted = await qrWrite(owner, "changeBotStatus", [newBot().address, true]);
    expect(one(parseEventLogs({ abi: abis.QRPayment, logs: granted.logs, eventName: "BotStatusChanged" })).args).toEqual({
      bot: newBot().address,
      status: true,
    });
    expect(await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "bots", args: [newBot().address] })).toBe(true);
    await simQR(newBot(), "settleQROrder", [merchant().address, p.hash])();
    const revoked = await qrWrite(owner, "changeBotStatus", [newBot().address, false]);
    expect(one(parseEventLogs({ abi: abis.QRPayment, logs: revoked.logs, eventName: "BotStatusChanged" })).args.status).toBe(false);
    await RQ.expectWith(simQR(newBot(), "settleQROrder", [merchant().address, p.hash]), "NotBot", [newBot().address]);
    await qrWrite(bot, "settleQROrder", [merchant().address, p.hash]);
  });

  it("pausing stops payments and settlement until unpaused", async () => {
    const p = await payToken(payer(1), USDC, idr("4000"), nextOrderId());
    const n = await payNative(payer(1), idr("4000"), nextOrderId("NAT"));
    await fund(payer(1), USDC, 10n ** 9n);
    for (const from of [stranger(), bot]) {
      await RQ.expectWith(simQR(from, "pause", []), "OwnableUnauthorizedAccount", [from.address]);
    }
    await RQ.expect(simQR(owner, "unpause", []), "ExpectedPause");
    const paused = await qrWrite(owner, "pause", []);
    expect(one(parseEventLogs({ abi: abis.QRPayment, logs: paused.logs, eventName: "Paused" })).args.account).toBe(owner.address);
    await RQ.expect(simQR(owner, "pause", []), "EnforcedPause");
    await RQ.expect(simQR(payer(1), "payQR", [USDC, idr("4000"), "P", "R"]), "EnforcedPause");
    await RQ.expect(simPayNative(payer(1), "P", "R", idr("4000"), parseEther("1")), "EnforcedPause");
    await RQ.expect(simQR(bot, "settleQROrder", [merchant().address, p.hash]), "EnforcedPause");
    await RQ.expect(simQR(bot, "settleQROrderNative", [merchant().address, n.hash]), "EnforcedPause");
    await RQ.expectWith(simQR(stranger(), "unpause", []), "OwnableUnauthorizedAccount", [stranger().address]);
    await qrWrite(owner, "unpause", []);
    await qrWrite(bot, "settleQROrder", [merchant().address, p.hash]);
    await qrWrite(bot, "settleQROrderNative", [merchant().address, n.hash]);
  });

  it("setOracle is owner-only, rejects zero and switches the quotes", async () => {
    await RQ.expectWith(simQR(stranger(), "setOracle", [stranger().address]), "OwnableUnauthorizedAccount", [stranger().address]);
    await RQ.expect(simQR(owner, "setOracle", [zeroAddress]), "ZeroAddress");
    const deployed = await send(t.wallet(owner).deployContract({ abi: abis.OracleHub, bytecode: bytecode("OracleHub"), args: [owner.address] }));
    if (!deployed.contractAddress) throw new Error("no oracle");
    const other = getAddress(deployed.contractAddress);
    await send(t.wallet(owner).writeContract({ address: other, abi: abis.OracleHub, functionName: "setRate", args: [USDC, idr("10000")] }));
    const switched = await qrWrite(owner, "setOracle", [other]);
    expect(one(parseEventLogs({ abi: abis.QRPayment, logs: switched.logs, eventName: "OracleUpdated" })).args).toEqual({
      previousOracle: ORACLE,
      newOracle: other,
    });
    const p = await (async () => {
      const who = payer(2);
      await fund(who, USDC, 2_000_000n);
      const orderId = nextOrderId();
      const receipt = await send(
        t.wallet(who).writeContract({ address: QR, abi: abis.QRPayment, functionName: "payQR", args: [USDC, idr("20000"), orderId, "R"] }),
      );
      const hash = orderHash(orderId, "R", USDC, who.address);
      orders.set(hash, USDC);
      return { receipt, hash };
    })();
    expect(one(parseEventLogs({ abi: abis.QRPayment, logs: p.receipt.logs, eventName: "PaymentUpdated" })).args.tokenAmount).toBe(2_000_000n);
    // the new oracle has no native rate
    await RQ.expectWith(simPayNative(payer(2), "X", "R", idr("1"), parseEther("1")), "UnsupportedToken", [NATIVE]);
    await qrWrite(owner, "setOracle", [ORACLE]);
    expect(await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "oracle" })).toBe(ORACLE);
    await qrWrite(bot, "settleQROrder", [merchant().address, p.hash]);
  });

  it("ownership moves in two steps (Ownable2Step)", async () => {
    const next = newOwner();
    const started = await qrWrite(owner, "transferOwnership", [next.address]);
    expect(one(parseEventLogs({ abi: abis.QRPayment, logs: started.logs, eventName: "OwnershipTransferStarted" })).args.newOwner).toBe(next.address);
    expect(await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "owner" })).toBe(owner.address);
    await RQ.expectWith(simQR(next, "changeBotStatus", [next.address, true]), "OwnableUnauthorizedAccount", [next.address]);
    await RQ.expectWith(simQR(stranger(), "acceptOwnership", []), "OwnableUnauthorizedAccount", [stranger().address]);
    await qrWrite(next, "acceptOwnership", []);
    expect(await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "owner" })).toBe(next.address);
    await RQ.expectWith(simQR(owner, "changeBotStatus", [owner.address, true]), "OwnableUnauthorizedAccount", [owner.address]);
    await qrWrite(next, "transferOwnership", [owner.address]);
    await qrWrite(owner, "acceptOwnership", []);
    expect(await t.publicClient.readContract({ address: QR, abi: abis.QRPayment, functionName: "owner" })).toBe(owner.address);
  });

  it("the constructor rejects a zero oracle and a zero owner", async () => {
    const deployRevert = (args: readonly unknown[]) => deployRevertOf(t.publicClient, owner, abis.QRPayment, bytecode("QRPayment"), args);
    expect((await deployRevert([owner.address, zeroAddress])).errorName).toBe("ZeroAddress");
    expect(await deployRevert([zeroAddress, ORACLE])).toEqual({ errorName: "OwnableInvalidOwner", args: [zeroAddress] });
    RQ.record("OwnableInvalidOwner");
  });
});

// ================================================================ the end

describe("when every order is settled", () => {
  it("the contract holds nothing and every payment went out to the unit", async () => {
    for (const [hash, token] of orders) {
      if ((await unsettledAmount(hash)) === 0n) continue;
      await qrWrite(bot, token === NATIVE ? "settleQROrderNative" : "settleQROrder", [merchant(4).address, hash]);
    }
    for (const token of [USDC, USDT, NATIVE]) {
      expect(await balanceOf(token, QR), token).toBe(0n);
      expect(await totalUnsettled(token), token).toBe(0n);
    }
    const [paid, settled] = await Promise.all([
      t.publicClient.getContractEvents({ address: QR, abi: abis.QRPayment, eventName: "PaymentUpdated", fromBlock: 0n }),
      t.publicClient.getContractEvents({ address: QR, abi: abis.QRPayment, eventName: "OrderSettled", fromBlock: 0n }),
    ]);
    for (const token of [USDC, USDT, NATIVE]) {
      const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
      const inAmt = sum(paid.filter((e) => e.args.tokenAddress === token).map((e) => e.args.tokenAmount ?? 0n));
      const outAmt = sum(settled.filter((e) => e.args.tokenAddress === token).map((e) => e.args.tokenAmount ?? 0n));
      const inFiat = sum(paid.filter((e) => e.args.tokenAddress === token).map((e) => e.args.fiatAmount ?? 0n));
      const outFiat = sum(settled.filter((e) => e.args.tokenAddress === token).map((e) => e.args.fiatAmount ?? 0n));
      expect(inAmt, token).toBeGreaterThan(0n);
      expect(outAmt, token).toBe(inAmt);
      expect(outFiat, token).toBe(inFiat);
    }
    // every order paid in the file is settled in full
    for (const [hash] of orders) {
      const o = await getOrder(hash);
      expect(o.settledAmount).toBe(o.paidAmount);
      expect(o.settledFiat).toBe(o.paidFiat);
    }
  });

  it("every reachable custom error of QRPayment and OracleHub was proven above", () => {
    const missingQR = errorNames(abis.QRPayment).filter((n) => !(n in UNREACHABLE_QR) && !RQ.seen.has(n));
    const missingOracle = errorNames(abis.OracleHub).filter((n) => !RO.seen.has(n));
    expect({ missingQR, missingOracle }).toEqual({ missingQR: [], missingOracle: [] });
  });
});
