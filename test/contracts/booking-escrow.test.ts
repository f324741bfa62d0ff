// BookingEscrow against a real anvil (SPEC 1.1): EIP-712 authorizations, every revert path,
// every money path to the last unit, the events the indexer reads, and a ledger proving the
// escrow always holds exactly `totalEscrowed` and ends holding nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  getAddress,
  hashDomain,
  hashStruct,
  keccak256,
  parseEventLogs,
  parseSignature,
  serializeSignature,
  toBytes,
  toHex,
  zeroAddress,
  type Account,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { startTestChain, type TestChain } from "../helpers/chain.js";
import { deployRevertOf, errorNames, errorsOf, revertOf, revertTracker } from "../helpers/reverts.js";
import {
  BOOKING_AUTHORIZATION_TYPE,
  BOOKING_TYPES,
  CANCELLATION_AUTHORIZATION_TYPE,
  CANCELLATION_TYPES,
  bookingIdOf,
  completionSplit,
  encodeType,
  escrowDomain,
  signBooking,
  signCancellation,
  type BookingAuthorization,
  type CancellationAuthorization,
  type EscrowDomain,
} from "../helpers/escrow.js";
import { abis, bytecode } from "../../devchain/artifacts.js";

// ---------------------------------------------------------------- constants

const Status = { None: 0, Paid: 1, Completed: 2, Cancelled: 3 } as const;
const USDC_UNIT = 1_000_000n;
const AMOUNT = 100n * USDC_UNIT;
/** An odd amount, so fee rounding shows: 10% of it is 100_000.1. */
const ODD = 1_000_001n;
const YEAR = 365n * 24n * 60n * 60n;
/** secp256k1 group order, to build a high-s (malleable) signature. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Custom errors BookingEscrow declares that no call can reach with this deployment (see the last test). */
const UNREACHABLE = {
  InvalidShortString: "OpenZeppelin ShortStrings: only for EIP-712 name/version longer than 31 bytes",
  StringTooLong: "OpenZeppelin ShortStrings: same",
  ReentrancyGuardReentrantCall: "the payment token is a plain ERC-20 without callbacks",
  SafeERC20FailedOperation: "TestToken reverts with ERC20 errors instead of returning false",
} as const;

/** The escrow's ABI plus the token's errors: transferFrom reverts inside the token. */
const escrowAbi = [...abis.BookingEscrow, ...errorsOf(abis.TestToken)];

// ---------------------------------------------------------------- chain and ledger

let t: TestChain;
let ESCROW: Address;
let USDC: Address;
let owner: Account;
let signer: Account;
let operator: Account;
let platform: Account;
let domain: EscrowDomain;
const R = revertTracker();

/** Every booking this file created: id → amount. */
const bookings = new Map<Hex, bigint>();

beforeAll(async () => {
  t = await startTestChain();
  ESCROW = t.deployment.contracts.BookingEscrow.address;
  USDC = t.deployment.tokens.USDC;
  owner = t.role("owner");
  signer = t.role("signer");
  operator = t.role("operator");
  platform = t.role("platformWallet");
  domain = escrowDomain(t.chain.id, ESCROW);
});
afterAll(async () => t?.stop());

// After every test the escrow holds exactly totalEscrowed, which is the sum of the paid bookings.
// Every test also leaves the configuration as deployed; when one fails half-way, the
// configuration is put back first so that its failure does not cascade into the next tests.
afterEach(async () => {
  const dirty: string[] = [];
  const read = <const fn extends "owner" | "paused" | "signer" | "platformWallet" | "autoCompleteDelay">(functionName: fn) =>
    t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName });
  if ((await read("owner")) !== owner.address) {
    dirty.push("owner");
    await escrowWrite(newOwner(), "transferOwnership", [owner.address]);
    await escrowWrite(owner, "acceptOwnership", []);
  }
  if (await read("paused")) {
    dirty.push("paused");
    await escrowWrite(owner, "unpause", []);
  }
  if ((await read("signer")) !== signer.address) {
    dirty.push("signer");
    await escrowWrite(owner, "setSigner", [signer.address]);
  }
  if ((await read("platformWallet")) !== platform.address) {
    dirty.push("platformWallet");
    await escrowWrite(owner, "setPlatformWallet", [platform.address]);
  }
  if ((await read("autoCompleteDelay")) !== 3600n) {
    dirty.push("autoCompleteDelay");
    await escrowWrite(owner, "setAutoCompleteDelay", [3600n]);
  }
  expect(dirty, "configuration left changed").toEqual([]);

  const [held, escrowed, paid] = await Promise.all([usdcBalance(ESCROW), totalEscrowed(), paidSum()]);
  expect(held).toBe(escrowed);
  expect(escrowed).toBe(paid);
});

// ---------------------------------------------------------------- actors

const customer = (n = 0) => t.actor(n); // 0..4
const provider = (n = 0) => t.actor(5 + n); // 5..8
const inviter = (n = 0) => t.actor(9 + n); // 9..11
const stranger = (n = 0) => t.actor(12 + n); // 12..14
const altSigner = () => t.actor(15);
const altPlatform = () => t.actor(16);
const newOwner = () => t.actor(17);

// ---------------------------------------------------------------- helpers

function one<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

/**
 * Waits for a receipt and throws on revert, like t.mined, but polls every 50 ms: with the
 * client's default 4 s interval, a receipt that is not there on the first look (anvil
 * occasionally answers a moment late) costs a whole 4 s.
 */
async function send(hash: Promise<Hex>): Promise<TransactionReceipt> {
  const receipt = await t.publicClient.waitForTransactionReceipt({ hash: await hash, pollingInterval: 50 });
  if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  return receipt;
}

const lower = (a: string) => a.toLowerCase();

async function chainNow(): Promise<bigint> {
  return (await t.publicClient.getBlock()).timestamp;
}

const usdcBalance = (address: Address) =>
  t.publicClient.readContract({ address: USDC, abi: abis.TestToken, functionName: "balanceOf", args: [address] });
const totalEscrowed = () =>
  t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "totalEscrowed" });
const earnings = (address: Address) =>
  t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "earnings", args: [address] });
const getBooking = (id: Hex) =>
  t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "getBooking", args: [id] });
const nonceUsed = (by: Address, nonce: bigint) =>
  t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "usedNonces", args: [by, nonce] });

async function paidSum(): Promise<bigint> {
  const rows = await Promise.all([...bookings.entries()].map(async ([id, amount]) => ({ amount, b: await getBooking(id) })));
  return rows.reduce((sum, { amount, b }) => {
    expect(b.amount).toBe(amount);
    return b.status === Status.Paid ? sum + amount : sum;
  }, 0n);
}

/** USDC balances and escrow earnings of several accounts, to diff around a transaction. */
async function snapshot(addresses: readonly Address[]) {
  const rows = await Promise.all(
    addresses.map(async (a) => [lower(a), { usdc: await usdcBalance(a), earned: await earnings(a) }] as const),
  );
  const map = new Map(rows);
  return (a: Address) => {
    const row = map.get(lower(a));
    if (!row) throw new Error(`no snapshot for ${a}`);
    return row;
  };
}

let idSeq = 0;
const nextBookingId = (tag = "booking") => bookingIdOf(`${tag}-${++idSeq}`);
let nonceSeq = 1n;
const nextNonce = () => nonceSeq++;

async function makeAuth(over: Partial<BookingAuthorization> = {}): Promise<BookingAuthorization> {
  return {
    bookingId: nextBookingId(),
    customer: customer().address,
    provider: provider().address,
    inviter: zeroAddress,
    amount: AMOUNT,
    platformFeeRate: 1000n,
    inviterFeeRate: 0n,
    expiry: (await chainNow()) + 3600n,
    nonce: nextNonce(),
    ...over,
  };
}

const sign = (auth: BookingAuthorization, by: Account = signer, d: EscrowDomain = domain) =>
  signBooking(t.wallet(by), d, auth);
const signCancel = (auth: CancellationAuthorization, by: Account = signer, d: EscrowDomain = domain) =>
  signCancellation(t.wallet(by), d, auth);

/** Mints `amount` to the customer and approves exactly that much. */
async function fund(who: Account, amount: bigint): Promise<void> {
  const w = t.wallet(who);
  await send(w.writeContract({ address: USDC, abi: abis.TestToken, functionName: "mint", args: [who.address, amount] }));
  await send(w.writeContract({ address: USDC, abi: abis.TestToken, functionName: "approve", args: [ESCROW, amount] }));
}

const simCreate = (from: Account, auth: BookingAuthorization, signature: Hex) => () =>
  t.publicClient.simulateContract({
    account: from,
    address: ESCROW,
    abi: escrowAbi,
    functionName: "createAndPayBooking",
    args: [auth, signature],
  });

const simComplete = (from: Account, id: Hex) => () =>
  t.publicClient.simulateContract({ account: from, address: ESCROW, abi: escrowAbi, functionName: "completeService", args: [id] });

const simCancel = (from: Account, auth: CancellationAuthorization, signature: Hex) => () =>
  t.publicClient.simulateContract({
    account: from,
    address: ESCROW,
    abi: escrowAbi,
    functionName: "cancelBooking",
    args: [auth, signature],
  });

const simEmergency = (from: Account, id: Hex, reason = "emergency") => () =>
  t.publicClient.simulateContract({
    account: from,
    address: ESCROW,
    abi: escrowAbi,
    functionName: "emergencyCancelBooking",
    args: [id, reason],
  });

/** A signed, funded, paid booking by `who`. */
async function book(who: Account = customer(), over: Partial<BookingAuthorization> = {}) {
  const auth = await makeAuth({ customer: who.address, ...over });
  await fund(who, auth.amount);
  const signature = await sign(auth);
  const receipt = await send(
    t.wallet(who).writeContract({
      address: ESCROW,
      abi: abis.BookingEscrow,
      functionName: "createAndPayBooking",
      args: [auth, signature],
    }),
  );
  bookings.set(auth.bookingId, auth.amount);
  return { auth, signature, receipt };
}

async function complete(by: Account, id: Hex): Promise<TransactionReceipt> {
  return send(t.wallet(by).writeContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "completeService", args: [id] }));
}

type Split = Pick<CancellationAuthorization, "customerAmount" | "providerAmount" | "platformAmount" | "inviterAmount">;

async function makeCancel(
  bookingId: Hex,
  split: Split,
  over: Partial<CancellationAuthorization> = {},
): Promise<CancellationAuthorization> {
  return { bookingId, ...split, reason: "customer changed plans", expiry: (await chainNow()) + 3600n, nonce: nextNonce(), ...over };
}

async function cancel(by: Account, auth: CancellationAuthorization, signature?: Hex): Promise<TransactionReceipt> {
  return send(
    t.wallet(by).writeContract({
      address: ESCROW,
      abi: abis.BookingEscrow,
      functionName: "cancelBooking",
      args: [auth, signature ?? (await signCancel(auth))],
    }),
  );
}

async function emergency(by: Account, id: Hex, reason = "emergency"): Promise<TransactionReceipt> {
  return send(
    t.wallet(by).writeContract({
      address: ESCROW,
      abi: abis.BookingEscrow,
      functionName: "emergencyCancelBooking",
      args: [id, reason],
    }),
  );
}

type EscrowAbi = typeof abis.BookingEscrow;
type EscrowWrite = ContractFunctionName<EscrowAbi, "nonpayable">;

/** Any state-changing escrow call, typed from the ABI (used for the admin functions). */
async function escrowWrite<const fn extends EscrowWrite>(
  by: Account,
  functionName: fn,
  args: ContractFunctionArgs<EscrowAbi, "nonpayable", fn>,
): Promise<TransactionReceipt> {
  return send(t.wallet(by).writeContract({ address: ESCROW, abi: abis.BookingEscrow, functionName, args } as never));
}

const simEscrow = <const fn extends EscrowWrite>(by: Account, functionName: fn, args: ContractFunctionArgs<EscrowAbi, "nonpayable", fn>) => () =>
  t.publicClient.simulateContract({ account: by, address: ESCROW, abi: escrowAbi, functionName, args: args as never });

// ================================================================ EIP-712

describe("EIP-712 wiring", () => {
  it("the contract's typehashes are those of the exact type strings of the spec", async () => {
    expect(encodeType("BookingAuthorization", BOOKING_TYPES.BookingAuthorization)).toBe(BOOKING_AUTHORIZATION_TYPE);
    expect(encodeType("CancellationAuthorization", CANCELLATION_TYPES.CancellationAuthorization)).toBe(
      CANCELLATION_AUTHORIZATION_TYPE,
    );
    const [bookingHash, cancelHash] = await Promise.all([
      t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "BOOKING_AUTHORIZATION_TYPEHASH" }),
      t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "CANCELLATION_AUTHORIZATION_TYPEHASH" }),
    ]);
    expect(bookingHash).toBe(keccak256(toBytes(BOOKING_AUTHORIZATION_TYPE)));
    expect(cancelHash).toBe(keccak256(toBytes(CANCELLATION_AUTHORIZATION_TYPE)));
  });

  it("the typed-data fields are the ABI's struct components, in order", () => {
    const components = (fn: string) => {
      const item = abis.BookingEscrow.find((i) => i.type === "function" && i.name === fn);
      if (!item || item.type !== "function") throw new Error(fn);
      const input = item.inputs[0];
      if (!input || !("components" in input)) throw new Error(`${fn} has no struct input`);
      return input.components.map((c) => ({ name: c.name, type: c.type }));
    };
    expect(components("hashBookingAuthorization")).toEqual(BOOKING_TYPES.BookingAuthorization);
    expect(components("hashCancellationAuthorization")).toEqual(CANCELLATION_TYPES.CancellationAuthorization);
  });

  it("domain separator and struct hashes agree with viem", async () => {
    const [separator, eip712] = await Promise.all([
      t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "domainSeparator" }),
      t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "eip712Domain" }),
    ]);
    expect(separator).toBe(
      hashDomain({
        domain: { ...domain, chainId: BigInt(domain.chainId) },
        types: { EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ] },
      }),
    );
    const [, name, version, chainId, verifyingContract] = eip712;
    expect({ name, version, chainId, verifyingContract }).toEqual({
      name: "BookingEscrow",
      version: "1",
      chainId: BigInt(t.chain.id),
      verifyingContract: ESCROW,
    });

    const auth = await makeAuth({ inviter: inviter().address, inviterFeeRate: 500n, platformFeeRate: 500n });
    expect(
      await t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "hashBookingAuthorization", args: [auth] }),
    ).toBe(hashStruct({ data: auth, primaryType: "BookingAuthorization", types: BOOKING_TYPES }));
    const c = await makeCancel(auth.bookingId, { customerAmount: 1n, providerAmount: 2n, platformAmount: 3n, inviterAmount: 4n }, { reason: "ünïcødé 🚀" });
    expect(
      await t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "hashCancellationAuthorization", args: [c] }),
    ).toBe(hashStruct({ data: c, primaryType: "CancellationAuthorization", types: CANCELLATION_TYPES }));
  });

  it("booking ids are keccak256 of the off-chain id's UTF-8 bytes", () => {
    expect(bookingIdOf("booking-1")).toBe(keccak256(toHex("booking-1")));
    expect(bookingIdOf("réservation")).toBe(keccak256(new TextEncoder().encode("réservation")));
  });
});

// ================================================================ createAndPayBooking

describe("createAndPayBooking", () => {
  it("pulls the amount, records the booking and emits BookingCreatedAndPaid (no inviter)", async () => {
    const who = customer(0);
    const auth = await makeAuth({ customer: who.address, amount: ODD });
    await fund(who, auth.amount);
    const before = await snapshot([who.address, ESCROW]);
    const escrowedBefore = await totalEscrowed();
    const signature = await sign(auth);
    const receipt = await send(
      t.wallet(who).writeContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [auth, signature] }),
    );
    bookings.set(auth.bookingId, auth.amount);
    const after = await snapshot([who.address, ESCROW]);
    expect(before(who.address).usdc - after(who.address).usdc).toBe(ODD);
    expect(after(ESCROW).usdc - before(ESCROW).usdc).toBe(ODD);
    expect((await totalEscrowed()) - escrowedBefore).toBe(ODD);
    expect(await nonceUsed(signer.address, auth.nonce)).toBe(true);

    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "BookingCreatedAndPaid" }));
    expect(ev.address).toBe(lower(ESCROW));
    expect(ev.args).toEqual({
      bookingId: auth.bookingId,
      customer: who.address,
      provider: auth.provider,
      inviter: zeroAddress,
      amount: ODD,
      platformFeeRate: 1000n,
      inviterFeeRate: 0n,
    });

    const { timestamp } = await t.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const b = await getBooking(auth.bookingId);
    expect(b).toEqual({
      customer: who.address,
      provider: auth.provider,
      inviter: zeroAddress,
      amount: ODD,
      platformFeeRate: 1000n,
      inviterFeeRate: 0n,
      paidAt: timestamp,
      autoCompleteAt: timestamp + 3600n,
      status: Status.Paid,
    });
  });

  it("records the inviter and its rate (5% + 5%)", async () => {
    const { auth, receipt } = await book(customer(1), { inviter: inviter().address, platformFeeRate: 500n, inviterFeeRate: 500n });
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "BookingCreatedAndPaid" }));
    expect(ev.args.inviter).toBe(inviter().address);
    expect(ev.args.platformFeeRate).toBe(500n);
    expect(ev.args.inviterFeeRate).toBe(500n);
    const b = await getBooking(auth.bookingId);
    expect(b.inviter).toBe(inviter().address);
    expect(b.status).toBe(Status.Paid);
  });

  it("reverts NotCustomer when anyone but auth.customer submits it", async () => {
    const auth = await makeAuth({ customer: customer(0).address });
    const signature = await sign(auth);
    for (const from of [stranger(), provider(), operator, signer]) {
      await R.expectWith(simCreate(from, auth, signature), "NotCustomer", [from.address]);
    }
  });

  it("reverts InvalidSignature when signed by anyone but the backend signer", async () => {
    const who = customer(0);
    const auth = await makeAuth({ customer: who.address });
    for (const wrong of [stranger(), who, owner, operator]) {
      await R.expectWith(simCreate(who, auth, await sign(auth, wrong)), "InvalidSignature", [wrong.address]);
    }
  });

  it("reverts InvalidSignature when any signed field is tampered with", async () => {
    const who = customer(0);
    const auth = await makeAuth({ customer: who.address });
    const signature = await sign(auth);
    const tampered: [string, Partial<BookingAuthorization>, Account][] = [
      ["bookingId", { bookingId: nextBookingId("tampered") }, who],
      ["customer", { customer: customer(2).address }, customer(2)],
      ["provider", { provider: stranger().address }, who],
      ["inviter", { inviter: stranger().address }, who],
      ["amount", { amount: AMOUNT - 1n }, who],
      ["platformFeeRate", { platformFeeRate: 0n }, who],
      ["inviterFeeRate", { inviter: inviter().address, inviterFeeRate: 1n }, who],
      ["expiry", { expiry: auth.expiry + 1n }, who],
      ["nonce", { nonce: auth.nonce + 1_000_000n }, who],
    ];
    for (const [field, change, from] of tampered) {
      const { errorName, args } = await revertOf(simCreate(from, { ...auth, ...change }, signature));
      expect(errorName, field).toBe("InvalidSignature");
      expect(args[0], field).not.toBe(signer.address);
    }
    R.record("InvalidSignature");
  });

  it("reverts InvalidSignature for a signature from another domain", async () => {
    const who = customer(0);
    const auth = await makeAuth({ customer: who.address });
    const otherDomains: EscrowDomain[] = [
      { ...domain, chainId: 84532 },
      { ...domain, verifyingContract: t.deployment.contracts.QRPayment.address },
      { ...domain, name: "BookingEscrow2" },
      { ...domain, version: "2" },
    ];
    for (const d of otherDomains) {
      await R.expect(simCreate(who, auth, await sign(auth, signer, d)), "InvalidSignature");
    }
    // and the right domain works, so the failures above are the domain's doing
    await simCreate(who, auth, await sign(auth))().catch((err: unknown) => {
      // only the token pull may fail (not funded): the signature passed
      expect((err as Error).message).toMatch(/ERC20Insufficient/);
    });
  });

  it("reverts InvalidSignature(0) for malformed, compact or high-s signatures", async () => {
    const who = customer(0);
    const auth = await makeAuth({ customer: who.address });
    const good = await sign(auth);
    const { r, s, yParity } = parseSignature(good);
    const highS = serializeSignature({
      r,
      s: toHex(SECP256K1_N - BigInt(s), { size: 32 }),
      yParity: yParity === 0 ? 1 : 0,
    });
    const compact = `${r}${(BigInt(s) | (BigInt(yParity ?? 0) << 255n)).toString(16).padStart(64, "0")}` as Hex;
    for (const bad of ["0x", good.slice(0, 130), compact, highS, `${good}00`] as Hex[]) {
      await R.expectWith(simCreate(who, auth, bad), "InvalidSignature", [zeroAddress]);
    }
  });

  it("reverts AuthorizationExpired after the expiry; the expiry second itself is still valid", async () => {
    const who = customer(0);
    const expired = await makeAuth({ customer: who.address, expiry: (await chainNow()) - 1n });
    await R.expectWith(simCreate(who, expired, await sign(expired)), "AuthorizationExpired", [expired.expiry]);

    const at = (await chainNow()) + 100n;
    const { auth, receipt } = await (async () => {
      const a = await makeAuth({ customer: who.address, expiry: at });
      await fund(who, a.amount);
      const signature = await sign(a);
      await t.testClient.setNextBlockTimestamp({ timestamp: at });
      const rc = await send(
        t.wallet(who).writeContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [a, signature] }),
      );
      bookings.set(a.bookingId, a.amount);
      return { auth: a, receipt: rc };
    })();
    expect((await t.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(auth.expiry);
    expect((await getBooking(auth.bookingId)).status).toBe(Status.Paid);
  });

  it("reverts NonceAlreadyUsed when a nonce is reused for another booking", async () => {
    const who = customer(0);
    const { auth: first } = await book(who);
    const second = await makeAuth({ customer: who.address, nonce: first.nonce });
    await R.expectWith(simCreate(who, second, await sign(second)), "NonceAlreadyUsed", [first.nonce]);
    // the very same signed authorization cannot be replayed either (the id is taken)
    await fund(who, first.amount);
    await R.expectWith(simCreate(who, first, await sign(first)), "BookingAlreadyExists", [first.bookingId]);
  });

  it("booking and cancellation authorizations share one nonce space", async () => {
    const who = customer(0);
    // a nonce spent by a cancellation cannot sign a booking
    const { auth: a } = await book(who);
    const c = await makeCancel(a.bookingId, { customerAmount: a.amount, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n });
    await cancel(who, c);
    expect(await nonceUsed(signer.address, c.nonce)).toBe(true);
    const b1 = await makeAuth({ customer: who.address, nonce: c.nonce });
    await R.expectWith(simCreate(who, b1, await sign(b1)), "NonceAlreadyUsed", [c.nonce]);

    // a nonce spent by a booking cannot sign a cancellation
    const { auth: b } = await book(who);
    const c2 = await makeCancel(b.bookingId, { customerAmount: b.amount, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n }, { nonce: b.nonce });
    await R.expectWith(simCancel(who, c2, await signCancel(c2)), "NonceAlreadyUsed", [b.nonce]);
    // a nonce spent by one cancellation cannot sign another
    const c3 = { ...c2, nonce: c.nonce };
    await R.expectWith(simCancel(who, c3, await signCancel(c3)), "NonceAlreadyUsed", [c.nonce]);
    await cancel(who, { ...c2, nonce: nextNonce() });
  });

  it("caps the platform fee rate at 2000 bps and the inviter fee rate at 1000 bps", async () => {
    const who = customer(0);
    const tooHigh = await makeAuth({ customer: who.address, platformFeeRate: 2001n });
    await R.expectWith(simCreate(who, tooHigh, await sign(tooHigh)), "PlatformFeeRateTooHigh", [2001n]);
    const inviterTooHigh = await makeAuth({ customer: who.address, inviter: inviter().address, inviterFeeRate: 1001n });
    await R.expectWith(simCreate(who, inviterTooHigh, await sign(inviterTooHigh)), "InviterFeeRateTooHigh", [1001n]);
    // both maxima at once are accepted, and split exactly at completion
    const { auth } = await book(who, { amount: ODD, inviter: inviter().address, platformFeeRate: 2000n, inviterFeeRate: 1000n });
    const before = await snapshot([provider().address, platform.address, inviter().address]);
    const receipt = await complete(who, auth.bookingId);
    const after = await snapshot([provider().address, platform.address, inviter().address]);
    expect(after(provider().address).usdc - before(provider().address).usdc).toBe(700_001n);
    expect(after(platform.address).usdc - before(platform.address).usdc).toBe(200_000n);
    expect(after(inviter().address).usdc - before(inviter().address).usdc).toBe(100_000n);
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "ServiceCompleted" }));
    expect(ev.args).toEqual({ bookingId: auth.bookingId, provider: provider().address, providerAmount: 700_001n, platformFee: 200_000n, inviterFee: 100_000n });
  });

  it("reverts InviterFeeWithoutInviter for an inviter rate with no inviter", async () => {
    const who = customer(0);
    const auth = await makeAuth({ customer: who.address, inviter: zeroAddress, inviterFeeRate: 500n });
    await R.expect(simCreate(who, auth, await sign(auth)), "InviterFeeWithoutInviter");
  });

  it("reverts BookingAlreadyExists for a used booking id, even with a fresh nonce", async () => {
    const who = customer(0);
    const { auth } = await book(who);
    const again = await makeAuth({ customer: who.address, bookingId: auth.bookingId });
    await fund(who, again.amount);
    await R.expectWith(simCreate(who, again, await sign(again)), "BookingAlreadyExists", [auth.bookingId]);
    // also after the booking has ended
    await emergency(operator, auth.bookingId);
    await R.expectWith(simCreate(who, again, await sign(again)), "BookingAlreadyExists", [auth.bookingId]);
  });

  it("reverts InvalidAmount for a zero amount and ZeroAddress for a zero provider", async () => {
    const who = customer(0);
    const zero = await makeAuth({ customer: who.address, amount: 0n });
    await R.expect(simCreate(who, zero, await sign(zero)), "InvalidAmount");
    const noProvider = await makeAuth({ customer: who.address, provider: zeroAddress });
    await R.expect(simCreate(who, noProvider, await sign(noProvider)), "ZeroAddress");
  });

  it("reverts in the token when the customer has not approved or cannot pay", async () => {
    const who = customer(3);
    const auth = await makeAuth({ customer: who.address });
    const signature = await sign(auth);
    await send(t.wallet(who).writeContract({ address: USDC, abi: abis.TestToken, functionName: "approve", args: [ESCROW, 0n] }));
    await R.expectWith(simCreate(who, auth, signature), "ERC20InsufficientAllowance", [ESCROW, 0n, auth.amount]);
    await send(t.wallet(who).writeContract({ address: USDC, abi: abis.TestToken, functionName: "approve", args: [ESCROW, auth.amount] }));
    const balance = await usdcBalance(who.address);
    expect(balance).toBeLessThan(auth.amount);
    await R.expectWith(simCreate(who, auth, signature), "ERC20InsufficientBalance", [who.address, balance, auth.amount]);
    expect(await nonceUsed(signer.address, auth.nonce)).toBe(false);
  });
});

// ================================================================ completeService

describe("completeService", () => {
  it("pays provider and platform exactly (10%, odd amount rounds the fee down)", async () => {
    const who = customer(0);
    const { auth } = await book(who, { amount: ODD });
    const accounts = [provider().address, platform.address, who.address, ESCROW];
    const before = await snapshot(accounts);
    const escrowedBefore = await totalEscrowed();
    const receipt = await complete(who, auth.bookingId);
    const after = await snapshot(accounts);

    const d = (a: Address) => after(a).usdc - before(a).usdc;
    const e = (a: Address) => after(a).earned - before(a).earned;
    expect(d(provider().address)).toBe(900_001n);
    expect(d(platform.address)).toBe(100_000n);
    expect(d(who.address)).toBe(0n);
    expect(d(ESCROW)).toBe(-ODD);
    expect(d(provider().address) + d(platform.address)).toBe(ODD);
    expect(e(provider().address)).toBe(900_001n);
    expect(e(platform.address)).toBe(100_000n);
    expect(escrowedBefore - (await totalEscrowed())).toBe(ODD);

    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "ServiceCompleted" }));
    expect(ev.args).toEqual({ bookingId: auth.bookingId, provider: provider().address, providerAmount: 900_001n, platformFee: 100_000n, inviterFee: 0n });
    expect((await getBooking(auth.bookingId)).status).toBe(Status.Completed);
  });

  it("pays provider, platform and inviter exactly (5% + 5%, odd amount)", async () => {
    const who = customer(1);
    const inv = inviter(1);
    const prov = provider(1);
    const { auth } = await book(who, { amount: ODD, provider: prov.address, inviter: inv.address, platformFeeRate: 500n, inviterFeeRate: 500n });
    const accounts = [prov.address, platform.address, inv.address, ESCROW];
    const before = await snapshot(accounts);
    const receipt = await complete(who, auth.bookingId);
    const after = await snapshot(accounts);
    const d = (a: Address) => after(a).usdc - before(a).usdc;
    const e = (a: Address) => after(a).earned - before(a).earned;
    expect([d(prov.address), d(platform.address), d(inv.address)]).toEqual([900_001n, 50_000n, 50_000n]);
    expect([e(prov.address), e(platform.address), e(inv.address)]).toEqual([900_001n, 50_000n, 50_000n]);
    expect(d(prov.address) + d(platform.address) + d(inv.address)).toBe(ODD);
    expect(d(ESCROW)).toBe(-ODD);
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "ServiceCompleted" }));
    expect(ev.args).toEqual({ bookingId: auth.bookingId, provider: prov.address, providerAmount: 900_001n, platformFee: 50_000n, inviterFee: 50_000n });
    // three transfers out of the escrow, one per payee
    const transfers = parseEventLogs({ abi: abis.TestToken, logs: receipt.logs, eventName: "Transfer" });
    expect(transfers.map((l) => [l.args.from, l.args.to, l.args.value])).toEqual([
      [ESCROW, prov.address, 900_001n],
      [ESCROW, platform.address, 50_000n],
      [ESCROW, inv.address, 50_000n],
    ]);
  });

  it("an inviter with a zero rate and fees that round to zero receive nothing, the provider everything", async () => {
    const who = customer(2);
    const inv = inviter(2);
    const prov = provider(2);
    const { auth } = await book(who, { amount: 9n, provider: prov.address, inviter: inv.address, platformFeeRate: 1000n, inviterFeeRate: 0n });
    const before = await snapshot([prov.address, platform.address, inv.address]);
    const receipt = await complete(who, auth.bookingId);
    const after = await snapshot([prov.address, platform.address, inv.address]);
    expect(after(prov.address).usdc - before(prov.address).usdc).toBe(9n);
    expect(after(platform.address).earned).toBe(before(platform.address).earned);
    expect(after(inv.address).usdc).toBe(before(inv.address).usdc);
    expect(after(inv.address).earned).toBe(before(inv.address).earned);
    // no zero-value transfers
    expect(parseEventLogs({ abi: abis.TestToken, logs: receipt.logs, eventName: "Transfer" })).toHaveLength(1);
  });

  it("splitCompletion: fees round down, the provider gets the remainder, nothing is lost", async () => {
    const amounts = [1n, 9n, 10_000n, ODD, 999_999_999n, 123_456_789_012n, 2n ** 200n + 7n];
    const rates: [bigint, bigint][] = [[0n, 0n], [1n, 1n], [1000n, 0n], [500n, 500n], [2000n, 1000n], [1999n, 999n], [333n, 77n]];
    for (const amount of amounts) {
      for (const [p, i] of rates) {
        const [providerAmount, platformFee, inviterFee] = await t.publicClient.readContract({
          address: ESCROW,
          abi: abis.BookingEscrow,
          functionName: "splitCompletion",
          args: [amount, p, i],
        });
        expect({ providerAmount, platformFee, inviterFee }).toEqual(completionSplit(amount, p, i));
        expect(providerAmount + platformFee + inviterFee).toBe(amount);
      }
    }
  });

  it("reverts NotCustomerOrOperator for a stranger, the provider or the inviter", async () => {
    const { auth } = await book(customer(0), { inviter: inviter().address, inviterFeeRate: 100n });
    for (const from of [stranger(), provider(), inviter(), signer]) {
      await R.expectWith(simComplete(from, auth.bookingId), "NotCustomerOrOperator", [from.address]);
    }
    await complete(customer(0), auth.bookingId);
  });

  it("an operator may complete only once the auto-complete time has passed", async () => {
    const { auth, receipt } = await book(customer(0), { amount: ODD });
    const { timestamp } = await t.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const delay = await t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "autoCompleteDelay" });
    expect(delay).toBe(3600n);
    await R.expectWith(simComplete(operator, auth.bookingId), "AutoCompleteNotReached", [timestamp + delay]);

    await t.testClient.increaseTime({ seconds: Number(delay) });
    await t.testClient.mine({ blocks: 1 });
    // still not strangers
    await R.expectWith(simComplete(stranger(), auth.bookingId), "NotCustomerOrOperator", [stranger().address]);
    const before = await snapshot([provider().address, platform.address]);
    const done = await complete(operator, auth.bookingId);
    const after = await snapshot([provider().address, platform.address]);
    expect(after(provider().address).usdc - before(provider().address).usdc).toBe(900_001n);
    expect(after(platform.address).usdc - before(platform.address).usdc).toBe(100_000n);
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: done.logs, eventName: "ServiceCompleted" }));
    expect(ev.args.providerAmount + ev.args.platformFee + ev.args.inviterFee).toBe(ODD);
  });

  it("the auto-complete second itself is enough for an operator", async () => {
    const { auth } = await book(customer(0));
    const { autoCompleteAt } = await getBooking(auth.bookingId);
    await t.testClient.setNextBlockTimestamp({ timestamp: autoCompleteAt });
    const receipt = await complete(operator, auth.bookingId);
    expect((await t.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(autoCompleteAt);
    expect((await getBooking(auth.bookingId)).status).toBe(Status.Completed);
  });

  it("the customer may complete before the auto-complete time", async () => {
    const { auth } = await book(customer(0));
    const { autoCompleteAt } = await getBooking(auth.bookingId);
    const receipt = await complete(customer(0), auth.bookingId);
    expect((await t.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBeLessThan(autoCompleteAt);
  });

  it("reverts BookingNotPaid for unknown, completed and cancelled bookings", async () => {
    const unknown = bookingIdOf("never-booked");
    await R.expectWith(simComplete(customer(0), unknown), "BookingNotPaid", [unknown]);
    const { auth: done } = await book(customer(0));
    await complete(customer(0), done.bookingId);
    await R.expectWith(simComplete(customer(0), done.bookingId), "BookingNotPaid", [done.bookingId]);
    const { auth: cancelled } = await book(customer(0));
    await emergency(operator, cancelled.bookingId);
    await R.expectWith(simComplete(customer(0), cancelled.bookingId), "BookingNotPaid", [cancelled.bookingId]);
    await R.expectWith(simComplete(operator, cancelled.bookingId), "BookingNotPaid", [cancelled.bookingId]);
  });
});

// ================================================================ cancelBooking

describe("cancelBooking", () => {
  it("the customer cancels with a signed four-way split, paid exactly", async () => {
    const who = customer(2);
    const prov = provider(2);
    const inv = inviter(2);
    const amount = 100_000_001n;
    const { auth } = await book(who, { amount, provider: prov.address, inviter: inv.address, platformFeeRate: 500n, inviterFeeRate: 500n });
    const split = { customerAmount: 50_000_000n, providerAmount: 30_000_000n, platformAmount: 15_000_000n, inviterAmount: 5_000_001n };
    const c = await makeCancel(auth.bookingId, split, { reason: "provider unavailable — refund 50%" });
    const accounts = [who.address, prov.address, platform.address, inv.address, ESCROW];
    const before = await snapshot(accounts);
    const escrowedBefore = await totalEscrowed();
    const receipt = await cancel(who, c);
    const after = await snapshot(accounts);
    const d = (a: Address) => after(a).usdc - before(a).usdc;
    const e = (a: Address) => after(a).earned - before(a).earned;
    expect([d(who.address), d(prov.address), d(platform.address), d(inv.address)]).toEqual([
      50_000_000n, 30_000_000n, 15_000_000n, 5_000_001n,
    ]);
    expect(d(ESCROW)).toBe(-amount);
    // the customer's refund is not "earnings"
    expect([e(who.address), e(prov.address), e(platform.address), e(inv.address)]).toEqual([0n, 30_000_000n, 15_000_000n, 5_000_001n]);
    expect(escrowedBefore - (await totalEscrowed())).toBe(amount);
    expect(await nonceUsed(signer.address, c.nonce)).toBe(true);

    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "BookingCancelled" }));
    expect(ev.args).toEqual({ bookingId: auth.bookingId, cancelledBy: who.address, ...split, reason: "provider unavailable — refund 50%" });
    expect((await getBooking(auth.bookingId)).status).toBe(Status.Cancelled);
  });

  it("the provider cancels with a full refund", async () => {
    const who = customer(3);
    const prov = provider(3);
    const { auth } = await book(who, { amount: ODD, provider: prov.address });
    const c = await makeCancel(auth.bookingId, { customerAmount: ODD, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n }, { reason: "" });
    const before = await snapshot([who.address, prov.address, platform.address]);
    const receipt = await cancel(prov, c);
    const after = await snapshot([who.address, prov.address, platform.address]);
    expect(after(who.address).usdc - before(who.address).usdc).toBe(ODD);
    expect(after(prov.address).usdc).toBe(before(prov.address).usdc);
    expect(after(platform.address).earned).toBe(before(platform.address).earned);
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "BookingCancelled" }));
    expect(ev.args.cancelledBy).toBe(prov.address);
    expect(ev.args.customerAmount).toBe(ODD);
    expect(ev.args.reason).toBe("");
  });

  it("reverts SplitMismatch when the split does not sum to the amount", async () => {
    const who = customer(0);
    const { auth } = await book(who, { inviter: inviter().address });
    const short = await makeCancel(auth.bookingId, { customerAmount: AMOUNT - 2n, providerAmount: 1n, platformAmount: 0n, inviterAmount: 0n });
    await R.expectWith(simCancel(who, short, await signCancel(short)), "SplitMismatch", [AMOUNT - 1n, AMOUNT]);
    const long = await makeCancel(auth.bookingId, { customerAmount: AMOUNT, providerAmount: 0n, platformAmount: 0n, inviterAmount: 1n });
    await R.expectWith(simCancel(who, long, await signCancel(long)), "SplitMismatch", [AMOUNT + 1n, AMOUNT]);
    await emergency(operator, auth.bookingId);
  });

  it("reverts InviterAmountWithoutInviter when the booking has no inviter", async () => {
    const who = customer(0);
    const { auth } = await book(who);
    const c = await makeCancel(auth.bookingId, { customerAmount: AMOUNT - 1n, providerAmount: 0n, platformAmount: 0n, inviterAmount: 1n });
    await R.expect(simCancel(who, c, await signCancel(c)), "InviterAmountWithoutInviter");
    await emergency(operator, auth.bookingId);
  });

  it("reverts NotCustomerOrProvider for anyone else, operators included", async () => {
    const who = customer(0);
    const { auth } = await book(who, { inviter: inviter().address });
    const c = await makeCancel(auth.bookingId, { customerAmount: AMOUNT, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n });
    const signature = await signCancel(c);
    for (const from of [stranger(), inviter(), operator, owner, signer]) {
      await R.expectWith(simCancel(from, c, signature), "NotCustomerOrProvider", [from.address]);
    }
    await cancel(who, c, signature);
  });

  it("reverts InvalidSignature for a wrong signer or a tampered split/reason/nonce/expiry/id", async () => {
    const who = customer(0);
    const { auth } = await book(who, { inviter: inviter().address });
    const { auth: other } = await book(who);
    const c = await makeCancel(auth.bookingId, { customerAmount: AMOUNT - 10n, providerAmount: 5n, platformAmount: 3n, inviterAmount: 2n });
    const signature = await signCancel(c);
    await R.expectWith(simCancel(who, c, await signCancel(c, stranger())), "InvalidSignature", [stranger().address]);
    const tampered: Partial<CancellationAuthorization>[] = [
      { customerAmount: AMOUNT - 5n, providerAmount: 0n }, // same sum, more to the customer
      { platformAmount: 0n, inviterAmount: 5n },
      { reason: "customer changed plans!" },
      { nonce: c.nonce + 1_000_000n },
      { expiry: c.expiry + 1n },
    ];
    for (const change of tampered) {
      const { errorName, args } = await revertOf(simCancel(who, { ...c, ...change }, signature));
      expect(errorName, JSON.stringify(change, (_, v: unknown) => (typeof v === "bigint" ? `${v}` : v))).toBe("InvalidSignature");
      expect(args[0]).not.toBe(signer.address);
    }
    // a booking signature cannot be used as a cancellation signature (different type) and a
    // cancellation for one booking cannot cancel another one with the same amount
    await R.expect(simCancel(who, c, await sign(auth)), "InvalidSignature");
    await R.expect(simCancel(who, { ...c, bookingId: other.bookingId, inviterAmount: 0n, customerAmount: AMOUNT - 8n }, signature), "InvalidSignature");
    await cancel(who, c, signature);
    await emergency(operator, other.bookingId);
  });

  it("reverts AuthorizationExpired for an expired cancellation", async () => {
    const who = customer(0);
    const { auth } = await book(who);
    const c = await makeCancel(auth.bookingId, { customerAmount: AMOUNT, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n }, { expiry: (await chainNow()) - 1n });
    await R.expectWith(simCancel(who, c, await signCancel(c)), "AuthorizationExpired", [c.expiry]);
    await emergency(operator, auth.bookingId);
  });

  it("reverts BookingNotPaid for unknown, completed and already cancelled bookings", async () => {
    const who = customer(0);
    const split = { customerAmount: AMOUNT, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n };
    const unknown = await makeCancel(bookingIdOf("never-booked-either"), split);
    await R.expectWith(simCancel(who, unknown, await signCancel(unknown)), "BookingNotPaid", [unknown.bookingId]);

    const { auth: done } = await book(who);
    await complete(who, done.bookingId);
    const c1 = await makeCancel(done.bookingId, split);
    await R.expectWith(simCancel(who, c1, await signCancel(c1)), "BookingNotPaid", [done.bookingId]);

    const { auth: gone } = await book(who);
    const c2 = await makeCancel(gone.bookingId, split);
    const sig2 = await signCancel(c2);
    await cancel(who, c2, sig2);
    await R.expectWith(simCancel(who, c2, sig2), "BookingNotPaid", [gone.bookingId]);
    const c3 = await makeCancel(gone.bookingId, split);
    await R.expectWith(simCancel(who, c3, await signCancel(c3)), "BookingNotPaid", [gone.bookingId]);
  });
});

// ================================================================ emergencyCancelBooking

describe("emergencyCancelBooking", () => {
  it("an operator refunds the full amount to the customer, no fees, no earnings", async () => {
    const who = customer(4);
    const { auth } = await book(who, { amount: ODD, inviter: inviter().address, platformFeeRate: 500n, inviterFeeRate: 500n });
    const accounts = [who.address, provider().address, platform.address, inviter().address, ESCROW];
    const before = await snapshot(accounts);
    const escrowedBefore = await totalEscrowed();
    const receipt = await emergency(operator, auth.bookingId, "provider banned");
    const after = await snapshot(accounts);
    expect(after(who.address).usdc - before(who.address).usdc).toBe(ODD);
    expect(before(ESCROW).usdc - after(ESCROW).usdc).toBe(ODD);
    for (const a of [provider().address, platform.address, inviter().address]) {
      expect(after(a)).toEqual(before(a));
    }
    expect(escrowedBefore - (await totalEscrowed())).toBe(ODD);
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "BookingCancelled" }));
    expect(ev.args).toEqual({
      bookingId: auth.bookingId,
      cancelledBy: operator.address,
      customerAmount: ODD,
      providerAmount: 0n,
      platformAmount: 0n,
      inviterAmount: 0n,
      reason: "provider banned",
    });
    expect((await getBooking(auth.bookingId)).status).toBe(Status.Cancelled);
  });

  it("the owner may do it too", async () => {
    const { auth } = await book(customer(0));
    const receipt = await emergency(owner, auth.bookingId);
    const ev = one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "BookingCancelled" }));
    expect(ev.args.cancelledBy).toBe(owner.address);
  });

  it("reverts NotOwnerOrOperator for everyone else", async () => {
    const { auth } = await book(customer(0));
    for (const from of [customer(0), provider(), stranger(), signer, platform]) {
      await R.expectWith(simEmergency(from, auth.bookingId), "NotOwnerOrOperator", [from.address]);
    }
    await emergency(operator, auth.bookingId);
  });

  it("reverts BookingNotPaid for unknown, completed and cancelled bookings", async () => {
    const unknown = bookingIdOf("no-such-booking");
    await R.expectWith(simEmergency(operator, unknown), "BookingNotPaid", [unknown]);
    const { auth: done } = await book(customer(0));
    await complete(customer(0), done.bookingId);
    await R.expectWith(simEmergency(operator, done.bookingId), "BookingNotPaid", [done.bookingId]);
    const { auth: gone } = await book(customer(0));
    await emergency(operator, gone.bookingId);
    await R.expectWith(simEmergency(owner, gone.bookingId), "BookingNotPaid", [gone.bookingId]);
  });
});

// ================================================================ pause

describe("pause", () => {
  it("stops every customer flow but not the emergency refund", async () => {
    const who = customer(0);
    const { auth: paid } = await book(who);
    const { auth: paid2 } = await book(who, { amount: ODD });
    const fresh = await makeAuth({ customer: who.address });
    await fund(who, fresh.amount);
    const freshSig = await sign(fresh);
    const c = await makeCancel(paid.bookingId, { customerAmount: AMOUNT, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n });
    const cSig = await signCancel(c);

    await R.expectWith(simEscrow(stranger(), "pause", []), "OwnableUnauthorizedAccount", [stranger().address]);
    await R.expectWith(simEscrow(operator, "pause", []), "OwnableUnauthorizedAccount", [operator.address]);
    await R.expect(simEscrow(owner, "unpause", []), "ExpectedPause");
    const paused = await escrowWrite(owner, "pause", []);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: paused.logs, eventName: "Paused" })).args.account).toBe(owner.address);
    expect(await t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "paused" })).toBe(true);
    await R.expect(simEscrow(owner, "pause", []), "EnforcedPause");

    await R.expect(simCreate(who, fresh, freshSig), "EnforcedPause");
    await R.expect(simComplete(who, paid.bookingId), "EnforcedPause");
    await R.expect(simComplete(operator, paid.bookingId), "EnforcedPause");
    await R.expect(simCancel(who, c, cSig), "EnforcedPause");
    await R.expectWith(simEscrow(stranger(), "unpause", []), "OwnableUnauthorizedAccount", [stranger().address]);

    // the emergency refund still works while paused: that is how money leaves a stopped escrow
    const before = await usdcBalance(who.address);
    await emergency(operator, paid2.bookingId, "paused: refund");
    expect((await usdcBalance(who.address)) - before).toBe(ODD);
    expect((await getBooking(paid2.bookingId)).status).toBe(Status.Cancelled);

    const unpaused = await escrowWrite(owner, "unpause", []);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: unpaused.logs, eventName: "Unpaused" })).args.account).toBe(owner.address);
    // the same authorizations work again after unpausing
    await cancel(who, c, cSig);
    await send(t.wallet(who).writeContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [fresh, freshSig] }));
    bookings.set(fresh.bookingId, fresh.amount);
    await complete(who, fresh.bookingId);
  });
});

// ================================================================ admin

describe("admin", () => {
  it("every setter is owner-only (OwnableUnauthorizedAccount)", async () => {
    const x = stranger(2).address;
    const calls = [
      (from: Account) => simEscrow(from, "setSigner", [x]),
      (from: Account) => simEscrow(from, "setOperator", [x, true]),
      (from: Account) => simEscrow(from, "setPlatformWallet", [x]),
      (from: Account) => simEscrow(from, "setAutoCompleteDelay", [0n]),
      (from: Account) => simEscrow(from, "transferOwnership", [x]),
      (from: Account) => simEscrow(from, "renounceOwnership", []),
      (from: Account) => simEscrow(from, "pause", []),
    ];
    for (const from of [stranger(), operator, signer, platform]) {
      for (const call of calls) {
        await R.expectWith(call(from), "OwnableUnauthorizedAccount", [from.address]);
      }
    }
  });

  it("rejects zero addresses and an auto-complete delay over a year", async () => {
    await R.expect(simEscrow(owner, "setSigner", [zeroAddress]), "ZeroAddress");
    await R.expect(simEscrow(owner, "setOperator", [zeroAddress, true]), "ZeroAddress");
    await R.expect(simEscrow(owner, "setPlatformWallet", [zeroAddress]), "ZeroAddress");
    await R.expectWith(simEscrow(owner, "setAutoCompleteDelay", [YEAR + 1n]), "DelayTooLong", [YEAR + 1n]);
    await simEscrow(owner, "setAutoCompleteDelay", [YEAR])();
  });

  it("the auto-complete delay applies to bookings made after the change", async () => {
    const { auth: old } = await book(customer(0));
    const receipt = await escrowWrite(owner, "setAutoCompleteDelay", [0n]);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: receipt.logs, eventName: "AutoCompleteDelayUpdated" })).args).toEqual({
      previousDelay: 3600n,
      newDelay: 0n,
    });
    const { auth: now } = await book(customer(0));
    const b = await getBooking(now.bookingId);
    expect(b.autoCompleteAt).toBe(b.paidAt);
    await complete(operator, now.bookingId); // immediately
    await R.expect(simComplete(operator, old.bookingId), "AutoCompleteNotReached");
    await escrowWrite(owner, "setAutoCompleteDelay", [3600n]);
    await complete(customer(0), old.bookingId);
  });

  it("rotating the signer invalidates the old signer's authorizations; nonces are per signer", async () => {
    const who = customer(0);
    const { auth: paid } = await book(who);
    const pending = await makeAuth({ customer: who.address });
    await fund(who, pending.amount);
    const oldSig = await sign(pending);

    const rotated = await escrowWrite(owner, "setSigner", [altSigner().address]);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: rotated.logs, eventName: "SignerUpdated" })).args).toEqual({
      previousSigner: signer.address,
      newSigner: altSigner().address,
    });
    await R.expectWith(simCreate(who, pending, oldSig), "InvalidSignature", [signer.address]);
    // the new signer may reuse a nonce the old signer spent
    expect(await nonceUsed(signer.address, paid.nonce)).toBe(true);
    const reuse = { ...pending, nonce: paid.nonce };
    await send(
      t.wallet(who).writeContract({
        address: ESCROW,
        abi: abis.BookingEscrow,
        functionName: "createAndPayBooking",
        args: [reuse, await sign(reuse, altSigner())],
      }),
    );
    bookings.set(reuse.bookingId, reuse.amount);
    expect(await nonceUsed(altSigner().address, paid.nonce)).toBe(true);
    const c = await makeCancel(paid.bookingId, { customerAmount: AMOUNT, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n });
    await R.expectWith(simCancel(who, c, await signCancel(c)), "InvalidSignature", [signer.address]);
    await cancel(who, c, await signCancel(c, altSigner()));

    await escrowWrite(owner, "setSigner", [signer.address]);
    await complete(who, reuse.bookingId);
  });

  it("revoking an operator removes its powers", async () => {
    const { auth } = await book(customer(0));
    const extra = stranger(1);
    const granted = await escrowWrite(owner, "setOperator", [extra.address, true]);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: granted.logs, eventName: "OperatorUpdated" })).args).toEqual({
      operator: extra.address,
      status: true,
    });
    await simEmergency(extra, auth.bookingId)();
    await escrowWrite(owner, "setOperator", [extra.address, false]);
    await R.expectWith(simEmergency(extra, auth.bookingId), "NotOwnerOrOperator", [extra.address]);
    await t.testClient.increaseTime({ seconds: 3600 });
    await t.testClient.mine({ blocks: 1 });
    await R.expectWith(simComplete(extra, auth.bookingId), "NotCustomerOrOperator", [extra.address]);
    await complete(operator, auth.bookingId);
  });

  it("fees go to the platform wallet configured at completion time", async () => {
    const { auth } = await book(customer(0), { amount: ODD });
    const moved = await escrowWrite(owner, "setPlatformWallet", [altPlatform().address]);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: moved.logs, eventName: "PlatformWalletUpdated" })).args).toEqual({
      previousWallet: platform.address,
      newWallet: altPlatform().address,
    });
    const before = await snapshot([platform.address, altPlatform().address]);
    await complete(customer(0), auth.bookingId);
    const after = await snapshot([platform.address, altPlatform().address]);
    expect(after(altPlatform().address).usdc - before(altPlatform().address).usdc).toBe(100_000n);
    expect(after(altPlatform().address).earned - before(altPlatform().address).earned).toBe(100_000n);
    expect(after(platform.address)).toEqual(before(platform.address));
    await escrowWrite(owner, "setPlatformWallet", [platform.address]);
  });

  it("ownership moves in two steps (Ownable2Step)", async () => {
    const next = newOwner();
    const started = await escrowWrite(owner, "transferOwnership", [next.address]);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: started.logs, eventName: "OwnershipTransferStarted" })).args).toEqual({
      previousOwner: owner.address,
      newOwner: next.address,
    });
    const readOwner = () => t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "owner" });
    const readPending = () => t.publicClient.readContract({ address: ESCROW, abi: abis.BookingEscrow, functionName: "pendingOwner" });
    expect(await readOwner()).toBe(owner.address);
    expect(await readPending()).toBe(next.address);
    // the old owner keeps every power until the transfer is accepted
    await simEscrow(owner, "setAutoCompleteDelay", [3600n])();
    await R.expectWith(simEscrow(next, "pause", []), "OwnableUnauthorizedAccount", [next.address]);
    await R.expectWith(simEscrow(stranger(), "acceptOwnership", []), "OwnableUnauthorizedAccount", [stranger().address]);
    await R.expectWith(simEscrow(owner, "acceptOwnership", []), "OwnableUnauthorizedAccount", [owner.address]);

    const accepted = await escrowWrite(next, "acceptOwnership", []);
    expect(one(parseEventLogs({ abi: abis.BookingEscrow, logs: accepted.logs, eventName: "OwnershipTransferred" })).args).toEqual({
      previousOwner: owner.address,
      newOwner: next.address,
    });
    expect(await readOwner()).toBe(next.address);
    expect(await readPending()).toBe(zeroAddress);
    await R.expectWith(simEscrow(owner, "setOperator", [owner.address, true]), "OwnableUnauthorizedAccount", [owner.address]);
    await R.expectWith(simEmergency(owner, bookingIdOf("whatever")), "NotOwnerOrOperator", [owner.address]);

    // the new owner (not an operator) may emergency-cancel
    const { auth } = await book(customer(0));
    await emergency(next, auth.bookingId);

    // and hand it back
    await escrowWrite(next, "transferOwnership", [owner.address]);
    await escrowWrite(owner, "acceptOwnership", []);
    expect(await readOwner()).toBe(owner.address);
  });

  it("the constructor rejects zero addresses, a delay over a year and a zero owner", async () => {
    const args = (over: Partial<{ owner: Address; token: Address; signer: Address; wallet: Address; delay: bigint }> = {}) => [
      over.owner ?? owner.address,
      over.token ?? USDC,
      over.signer ?? signer.address,
      over.wallet ?? platform.address,
      over.delay ?? 3600n,
    ];
    const deployRevert = (a: readonly unknown[]) => deployRevertOf(t.publicClient, owner, abis.BookingEscrow, bytecode("BookingEscrow"), a);
    for (const bad of [{ token: zeroAddress }, { signer: zeroAddress }, { wallet: zeroAddress }]) {
      expect((await deployRevert(args(bad))).errorName).toBe("ZeroAddress");
    }
    expect(await deployRevert(args({ delay: YEAR + 1n }))).toEqual({ errorName: "DelayTooLong", args: [YEAR + 1n] });
    expect(await deployRevert(args({ owner: zeroAddress }))).toEqual({ errorName: "OwnableInvalidOwner", args: [zeroAddress] });
    R.record("OwnableInvalidOwner");
  });
});

// ================================================================ the end

describe("when every booking has ended", () => {
  it("the escrow holds nothing, and what came in went out to the unit", async () => {
    // end whatever is still paid (bookings left by the revert tests)
    for (const [id] of bookings) {
      if ((await getBooking(id)).status === Status.Paid) await emergency(operator, id, "suite teardown");
    }
    expect(await usdcBalance(ESCROW)).toBe(0n);
    expect(await totalEscrowed()).toBe(0n);

    const fromBlock = 0n;
    const [created, completed, cancelled] = await Promise.all([
      t.publicClient.getContractEvents({ address: ESCROW, abi: abis.BookingEscrow, eventName: "BookingCreatedAndPaid", fromBlock }),
      t.publicClient.getContractEvents({ address: ESCROW, abi: abis.BookingEscrow, eventName: "ServiceCompleted", fromBlock }),
      t.publicClient.getContractEvents({ address: ESCROW, abi: abis.BookingEscrow, eventName: "BookingCancelled", fromBlock }),
    ]);
    expect(created).toHaveLength(bookings.size);
    expect(completed.length + cancelled.length).toBe(bookings.size);
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    const paidIn = sum(created.map((e) => e.args.amount ?? 0n));
    const toPayees = sum(completed.map((e) => (e.args.providerAmount ?? 0n) + (e.args.platformFee ?? 0n) + (e.args.inviterFee ?? 0n)))
      + sum(cancelled.map((e) => (e.args.providerAmount ?? 0n) + (e.args.platformAmount ?? 0n) + (e.args.inviterAmount ?? 0n)));
    const refunds = sum(cancelled.map((e) => e.args.customerAmount ?? 0n));
    expect(toPayees + refunds).toBe(paidIn);

    // earnings(address) over everyone who could have been paid adds up to the payees' share
    const payees = new Set<Address>([platform.address, altPlatform().address]);
    for (const e of created) {
      if (e.args.provider) payees.add(getAddress(e.args.provider));
      if (e.args.inviter && e.args.inviter !== zeroAddress) payees.add(getAddress(e.args.inviter));
    }
    const earned = await Promise.all([...payees].map(earnings));
    expect(sum(earned)).toBe(toPayees);
  });

  it("every reachable custom error of BookingEscrow was proven above", () => {
    const expected = errorNames(abis.BookingEscrow).filter((n) => !(n in UNREACHABLE));
    expect(expected.filter((n) => !R.seen.has(n))).toEqual([]);
  });
});
