// EIP-712 signing end to end against a real `ponder start` (PGlite and PostgreSQL) on a real anvil
// with the real BookingEscrow: a signed booking authorization is accepted by the contract, then
// indexed and reported used; a replay reverts and stays used; 100 concurrent requests get 100
// distinct nonces; the rate limit; cancellations by customer and provider follow the policy and
// are accepted by the contract; refusals (409, 403, 404, 400 naming the field).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  getAddress,
  hashTypedData,
  keccak256,
  maxUint256,
  parseEther,
  recoverTypedDataAddress,
  toBytes,
  zeroAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { ethers } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleAccount } from "../../config/accounts.js";
import { abis } from "../../devchain/artifacts.js";
import { writeDeployment } from "../../config/deployment.js";
import { backends, PG_URL, pgAvailable } from "../helpers/backends.js";
import { bearer, signIn } from "../helpers/auth.js";
import { expectRevert, startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { bookingArgs, cancellationArgs } from "../helpers/escrow.js";
import { dropSyncRows, startPonder, type PonderHandle } from "../helpers/ponder.js";

/** The local network's defaults: dev secret, dev roles, dev signer, 10 signatures a minute. */
const SIGNING_ENV = {
  AUTH_SECRET: "",
  AUTH_TOKEN_TTL_SECONDS: "",
  ADMIN_ADDRESSES: "",
  OPERATOR_ADDRESSES: "",
  VALIDATOR_ADDRESSES: "",
  SIWE_DOMAIN: "",
  SIGNER_PRIVATE_KEY: "",
  SIGNING_RATE_LIMIT_PER_MINUTE: "",
};

const CHAIN_ID = uniqueChainId();
let t: TestChain;
let tmpDir: string;
const ponders = new Map<string, PonderHandle>();

beforeAll(async () => {
  t = await startTestChain({ chainId: CHAIN_ID });
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "api-signing-"));
  const deploymentFile = writeDeployment(t.deployment, path.join(tmpDir, "deployment.json"));
  for (const b of backends.filter((x) => x.enabled)) {
    ponders.set(b.name, await startPonder({ deploymentFile, database: b.database, env: SIGNING_ENV }));
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([...ponders.values()].map((p) => p.stop()));
  await t?.stop();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  if (pgAvailable) dropSyncRows(PG_URL, CHAIN_ID);
});

type Reply = { status: number; body: any; headers: Headers };

async function call(url: string, init?: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: res.status, body, headers: res.headers };
}

function expectError(r: Reply, status: number, code: string, mentions?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body?.error?.code, JSON.stringify(r.body)).toBe(code);
  expect(r.body.error.message.length).toBeGreaterThan(0);
  if (mentions) expect(r.body.error.message, JSON.stringify(r.body)).toContain(mentions);
}

const fresh = (): LocalAccount => privateKeyToAccount(generatePrivateKey());
const SIGNER = getAddress(roleAccount("signer").address);
const HOUR = 3600;

type Json = Record<string, string>;
describe.each(backends)("signing on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const ponder = () => ponders.get(name)!;
  const api = () => ponder().url;
  const escrow = () => t.deployment.contracts.BookingEscrow.address;
  const usdc = () => t.deployment.tokens.USDC;

  const post = (p: string, token: string | null, body: unknown) =>
    call(`${api()}${p}`, {
      method: "POST",
      headers: { ...(token ? bearer(token) : {}), "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const get = (p: string, token: string) => call(`${api()}${p}`, { headers: bearer(token) });

  /** A signed-in account with ETH, and USDC approved to the escrow when it pays. */
  async function party(usdcAmount = 0n, account: LocalAccount = fresh()) {
    await t.testClient.setBalance({ address: account.address, value: parseEther("10") });
    if (usdcAmount > 0n) {
      const w = t.wallet(account);
      await t.mined(await w.writeContract({ address: usdc(), abi: abis.TestToken, functionName: "mint", args: [account.address, usdcAmount] }));
      await t.mined(await w.writeContract({ address: usdc(), abi: abis.TestToken, functionName: "approve", args: [escrow(), maxUint256] }));
    }
    return { account, token: await signIn(api(), account) };
  }

  const usdcBalance = (a: Address) => t.publicClient.readContract({ address: usdc(), abi: abis.TestToken, functionName: "balanceOf", args: [a] });

  /** Asks for a booking authorization, pays it on chain, waits until it is indexed. */
  async function bookAndPay(customer: { account: LocalAccount; token: string }, body: Record<string, unknown>) {
    const r = await post("/api/sign/booking", customer.token, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const hash = await t.wallet(customer.account).writeContract({ address: escrow(), abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [bookingArgs(r.body.authorization), r.body.signature] });
    const receipt = await t.mined(hash);
    await ponder().waitForBlock(receipt.blockNumber);
    return { issued: r.body, receipt };
  }

  async function cancelOnChain(by: LocalAccount, issued: { authorization: Json; signature: Hex }) {
    const hash = await t.wallet(by).writeContract({ address: escrow(), abi: abis.BookingEscrow, functionName: "cancelBooking", args: [cancellationArgs(issued.authorization), issued.signature] });
    const receipt = await t.mined(hash);
    await ponder().waitForBlock(receipt.blockNumber);
    return receipt;
  }

  run("a booking authorization is accepted by BookingEscrow, then indexed and reported used; a replay reverts and it stays used", async () => {
    const customer = await party(100_000_000n);
    const provider = fresh();
    const before = await t.publicClient.getBlock();
    const wallBefore = BigInt(Math.floor(Date.now() / 1000));
    const r = await post("/api/sign/booking", customer.token, { provider: provider.address.toLowerCase(), amount: "25000000" });
    const wallAfter = BigInt(Math.ceil(Date.now() / 1000));
    const after = await t.publicClient.getBlock();
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const { id, authorization: a, signature, typedData, expiresAt } = r.body;
    expect(a).toMatchObject({ customer: customer.account.address, provider: provider.address, inviter: zeroAddress, amount: "25000000", platformFeeRate: "1000", inviterFeeRate: "0" });
    expect(a.bookingId).toBe(keccak256(toBytes(`booking:${SIGNER.toLowerCase()}:${a.nonce}`)));
    // Expiry: five minutes after "now", the later of the wall clock and the chain head.
    const expiry = BigInt(a.expiry);
    const max = (x: bigint, y: bigint) => (x > y ? x : y);
    expect(expiry >= max(wallBefore, before.timestamp) + 300n).toBe(true);
    expect(expiry <= max(wallAfter, after.timestamp) + 300n).toBe(true);
    expect(Date.parse(expiresAt)).toBe(Number(expiry) * 1000);
    expect(typedData.domain).toEqual({ name: "BookingEscrow", version: "1", chainId: CHAIN_ID, verifyingContract: escrow() });
    expect(typedData.primaryType).toBe("BookingAuthorization");
    expect(typedData.message).toEqual(a);
    expect(await recoverTypedDataAddress({ ...typedData, signature })).toBe(SIGNER);

    const pending = await get(`/api/authorizations/${id}`, customer.token);
    expect([pending.status, pending.body.status, pending.body.txHash, pending.body.kind]).toEqual([200, "issued", null, "booking"]);
    expect(pending.body).toMatchObject({ id, bookingId: a.bookingId, nonce: a.nonce, signer: SIGNER, requestedBy: customer.account.address, signature, authorization: a });

    const balance = await usdcBalance(customer.account.address);
    const hash = await t.wallet(customer.account).writeContract({ address: escrow(), abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [bookingArgs(a), signature] });
    const receipt = await t.mined(hash);
    expect(await usdcBalance(customer.account.address)).toBe(balance - 25_000_000n);
    await ponder().waitForBlock(receipt.blockNumber);
    const used = await get(`/api/authorizations/${id}`, customer.token);
    expect([used.body.status, used.body.txHash]).toEqual(["used", receipt.transactionHash]);
    const indexed = await call(`${api()}/api/bookings/${a.bookingId}`);
    expect([indexed.body.status, indexed.body.amount, indexed.body.customer]).toEqual(["PAID", "25000000", customer.account.address]);

    // The same authorization again: the contract refuses it (the booking id exists; the nonce is spent too).
    await expectRevert(
      () => t.publicClient.simulateContract({ account: customer.account, address: escrow(), abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [bookingArgs(a), signature] }),
      "BookingAlreadyExists",
    );
    expect(await t.publicClient.readContract({ address: escrow(), abi: abis.BookingEscrow, functionName: "usedNonces", args: [SIGNER, BigInt(a.nonce)] })).toBe(true);
    const still = await get(`/api/authorizations/${id}`, customer.token);
    expect([still.body.status, still.body.txHash]).toEqual(["used", receipt.transactionHash]);

    // Who may read it: the requester and admins.
    expectError(await get(`/api/authorizations/${id}`, (await party()).token), 403, "forbidden");
    const admin = await signIn(api(), roleAccount("owner"));
    expect((await get(`/api/authorizations/${id}`, admin)).body.status).toBe("used");
    expectError(await get(`/api/authorizations/00000000-0000-4000-8000-000000000000`, admin), 404, "not_found");
    expectError(await get(`/api/authorizations/not-a-uuid`, admin), 400, "invalid_request", "id");
    expectError(await call(`${api()}/api/authorizations/${id}`), 401, "unauthorized");
  });

  run("default rates with an inviter; only an admin sets rates", async () => {
    const customer = await party();
    const [provider, inviter] = [fresh(), fresh()];
    const withInviter = await post("/api/sign/booking", customer.token, { provider: provider.address, inviter: inviter.address, amount: "1000" });
    expect(withInviter.body.authorization).toMatchObject({ inviter: inviter.address, platformFeeRate: "500", inviterFeeRate: "500" });
    const nullInviter = await post("/api/sign/booking", customer.token, { provider: provider.address, inviter: null, amount: "1000" });
    expect(nullInviter.body.authorization).toMatchObject({ inviter: zeroAddress, platformFeeRate: "1000", inviterFeeRate: "0" });
    expectError(await post("/api/sign/booking", customer.token, { provider: provider.address, amount: "1000", platformFeeRate: 0 }), 403, "forbidden", "admin");
    const admin = await signIn(api(), roleAccount("owner"));
    const custom = await post("/api/sign/booking", admin, { provider: provider.address, inviter: inviter.address, amount: "1000", platformFeeRate: 2000, inviterFeeRate: 0 });
    expect(custom.status, JSON.stringify(custom.body)).toBe(201);
    expect(custom.body.authorization).toMatchObject({ customer: getAddress(roleAccount("owner").address), platformFeeRate: "2000", inviterFeeRate: "0" });
    expectError(await post("/api/sign/booking", admin, { provider: provider.address, amount: "1000", inviterFeeRate: 100 }), 400, "invalid_request", "inviterFeeRate");
  });

  run("100 concurrent signing requests from 100 signed-in accounts get 100 distinct nonces and booking ids, all recorded", async () => {
    const provider = fresh();
    const accounts = Array.from({ length: 100 }, fresh);
    const tokens = await Promise.all(accounts.map((a) => signIn(api(), a)));
    const replies = await Promise.all(tokens.map((token) => post("/api/sign/booking", token, { provider: provider.address, amount: "1000000" })));
    for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const auths = replies.map((r) => r.body.authorization as Json);
    expect(new Set(auths.map((a) => a.nonce)).size).toBe(100);
    expect(new Set(auths.map((a) => a.bookingId)).size).toBe(100);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(100);
    accounts.forEach((a, i) => expect(auths[i]!.customer).toBe(a.address));
    for (const r of replies) expect(await recoverTypedDataAddress({ ...r.body.typedData, signature: r.body.signature })).toBe(SIGNER);
    const admin = await signIn(api(), roleAccount("owner"));
    const listed = await get("/api/authorizations?kind=booking&limit=200", admin);
    expect(listed.status).toBe(200);
    const ids = new Set(listed.body.items.map((x: { id: string }) => x.id));
    for (const r of replies) expect(ids.has(r.body.id)).toBe(true);
    const mine = await get(`/api/authorizations?requestedBy=${accounts[7]!.address}`, admin);
    expect(mine.body.items.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([[replies[7]!.body.id, "issued"]]);
  });

  run("the 11th signing request in a minute from one client → 429 with Retry-After; other clients are unaffected", async () => {
    // A sliding minute: eleven requests in a row are refused across a window boundary too.
    const client = await party();
    const provider = fresh();
    for (let i = 0; i < 10; i++) {
      const r = await post("/api/sign/booking", client.token, { provider: provider.address, amount: String(1000 + i) });
      expect(r.status, `request ${i + 1}: ${JSON.stringify(r.body)}`).toBe(201);
      expect(r.headers.get("x-ratelimit-remaining")).toBe(String(9 - i));
    }
    const limited = await post("/api/sign/booking", client.token, { provider: provider.address, amount: "1" });
    expectError(limited, 429, "rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Until the estimate of the last minute admits one more: within two windows.
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(limited.body.error.details).toMatchObject({ limit: 10, windowSeconds: 60 });
    // The cancellation route shares the limit; another client does not.
    expectError(await post("/api/sign/cancellation", client.token, { bookingId: `0x${"1".repeat(64)}` }), 429, "rate_limited");
    expect((await post("/api/sign/booking", (await party()).token, { provider: provider.address, amount: "1" })).status).toBe(201);
  });

  run("malformed bodies → 400 naming the field; no token → 401", async () => {
    // Malformed requests count against the limit too: spread them over a few clients.
    const clients = await Promise.all([party(), party(), party()]);
    let n = 0;
    const as = () => clients[n++ % clients.length]!;
    const me = clients[0]!.account.address;
    const p = fresh().address;
    const booking = (body: unknown) => post("/api/sign/booking", as().token, body);
    const invalid = async (body: unknown, ...fields: string[]) => {
      const r = await booking(body);
      expectError(r, 400, "invalid_request");
      for (const f of fields) expect(r.body.error.message, JSON.stringify(body)).toContain(f);
    };
    await invalid({}, "provider", "amount");
    await invalid({ provider: "0x123", amount: "1" }, "provider");
    await invalid({ provider: p.toLowerCase().replace("0x", "0X"), amount: "1" }, "provider");
    const cs = getAddress(p);
    const at = 2 + cs.slice(2).search(/[a-fA-F]/);
    const badChecksum = cs.slice(0, at) + (cs[at] === cs[at]!.toUpperCase() ? cs[at]!.toLowerCase() : cs[at]!.toUpperCase()) + cs.slice(at + 1);
    await invalid({ provider: badChecksum, amount: "1" }, "provider", "checksum");
    await invalid({ provider: p, amount: "1.5" }, "amount");
    await invalid({ provider: p, amount: 5 }, "amount");
    await invalid({ provider: p, amount: "-1" }, "amount");
    await invalid({ provider: p, amount: "1", inviter: "nope" }, "inviter");
    await invalid({ provider: p, amount: "1", platformFeeRate: 2001 }, "platformFeeRate");
    await invalid({ provider: p, amount: "1", platformFeeRate: "10" }, "platformFeeRate");
    await invalid({ provider: p, amount: "1", surprise: true }, "surprise");
    const zero = await post("/api/sign/booking", clients[0]!.token, { provider: p, amount: "0" });
    expectError(zero, 400, "invalid_request", "amount");
    expect(zero.body.error.details).toEqual({ field: "amount" });
    expectError(await post("/api/sign/booking", clients[0]!.token, { provider: me, amount: "10" }), 400, "invalid_request", "provider");
    expect((await booking("{not json")).status).toBe(400);
    expect((await booking("[]")).status).toBe(400);
    const cancel = (body: unknown) => post("/api/sign/cancellation", as().token, body);
    expectError(await cancel({}), 400, "invalid_request", "bookingId");
    expectError(await cancel({ bookingId: "0x12" }), 400, "invalid_request", "bookingId");
    expectError(await cancel({ bookingId: `0x${"a".repeat(64)}`, reason: "x".repeat(201) }), 400, "invalid_request", "reason");
    expectError(await post("/api/sign/booking", null, { provider: p, amount: "1" }), 401, "unauthorized");
    expectError(await post("/api/sign/cancellation", null, { bookingId: `0x${"a".repeat(64)}` }), 401, "unauthorized");
  });

  run("ethers v6 takes the answers exactly as returned: verifyTypedData recovers the signer, and the contract takes the decimal-string authorizations", async () => {
    const key = generatePrivateKey();
    const customer = await party(100_000_000n, privateKeyToAccount(key));
    const provider = await party();
    // cacheTimeout -1: ethers otherwise answers an identical call within 250 ms from cache, so the
    // second transaction's pending nonce would be the first one's, and anvil says "nonce too low".
    const rpc = new ethers.JsonRpcProvider(t.anvil.rpcUrl, CHAIN_ID, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    const wallet = new ethers.Wallet(key, rpc);
    const escrowContract = new ethers.Contract(escrow(), abis.BookingEscrow, wallet);

    const booked = await post("/api/sign/booking", customer.token, { provider: provider.account.address, amount: "12345678" });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    // Not a field picked or rebuilt: the response's own domain, types and message.
    const verify = (b: { typedData: { domain: any; types: any; message: any }; signature: string }) =>
      ethers.verifyTypedData(b.typedData.domain, b.typedData.types, b.typedData.message, b.signature);
    expect(verify(booked.body)).toBe(SIGNER);
    expect(ethers.TypedDataEncoder.hash(booked.body.typedData.domain, booked.body.typedData.types, booked.body.typedData.message)).toBe(
      hashTypedData(booked.body.typedData),
    );
    const paid = await (await escrowContract.getFunction("createAndPayBooking")(booked.body.authorization, booked.body.signature)).wait();
    expect(paid?.status).toBe(1);
    await ponder().waitForBlock(BigInt(paid!.blockNumber));
    const stored = await get(`/api/authorizations/${booked.body.id}`, customer.token);
    expect([stored.body.status, verify(stored.body)]).toEqual(["used", SIGNER]);

    const cancelled = await post("/api/sign/cancellation", customer.token, { bookingId: booked.body.authorization.bookingId });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(201);
    expect(verify(cancelled.body)).toBe(SIGNER);
    const balance = await usdcBalance(customer.account.address);
    const refund = await (await escrowContract.getFunction("cancelBooking")(cancelled.body.authorization, cancelled.body.signature)).wait();
    expect(refund?.status).toBe(1);
    expect(await usdcBalance(customer.account.address)).toBe(balance + 12_345_678n);
  });

  run("cancellations by the provider and by the customer within 24 h refund in full and are accepted; 409 once not PAID, 403 for a stranger, 404 unknown", async () => {
    const customer = await party(500_000_000n);
    const provider = await party();
    const stranger = await party();
    const b1 = await bookAndPay(customer, { provider: provider.account.address, amount: "70000000" });
    const b2 = await bookAndPay(customer, { provider: provider.account.address, amount: "30000001" });
    const id1 = b1.issued.authorization.bookingId as Hex;
    const id2 = b2.issued.authorization.bookingId as Hex;

    expectError(await post("/api/sign/cancellation", stranger.token, { bookingId: id1 }), 403, "forbidden");
    expectError(await post("/api/sign/cancellation", stranger.token, { bookingId: `0x${"ab".repeat(32)}` }), 404, "not_found");

    const byProvider = await post("/api/sign/cancellation", provider.token, { bookingId: id1.toUpperCase().replace("0X", "0x") });
    expect(byProvider.status, JSON.stringify(byProvider.body)).toBe(201);
    expect(byProvider.body.policy).toBe("provider_cancelled");
    expect(byProvider.body.authorization).toMatchObject({ bookingId: id1, customerAmount: "70000000", providerAmount: "0", platformAmount: "0", inviterAmount: "0", reason: "cancelled by the provider" });
    expect(byProvider.body.typedData.primaryType).toBe("CancellationAuthorization");
    expect(await recoverTypedDataAddress({ ...byProvider.body.typedData, signature: byProvider.body.signature })).toBe(SIGNER);
    const before = await usdcBalance(customer.account.address);
    const receipt = await cancelOnChain(provider.account, byProvider.body);
    expect(await usdcBalance(customer.account.address)).toBe(before + 70_000_000n);
    const status = await get(`/api/authorizations/${byProvider.body.id}`, provider.token);
    expect([status.body.kind, status.body.status, status.body.txHash]).toEqual(["cancellation", "used", receipt.transactionHash]);
    expectError(await get(`/api/authorizations/${byProvider.body.id}`, customer.token), 403, "forbidden");
    const notPaid = await post("/api/sign/cancellation", provider.token, { bookingId: id1 });
    expectError(notPaid, 409, "booking_not_paid");
    expect(notPaid.body.error.details).toEqual({ status: "CANCELLED" });

    // Asked twice, the same split and reason: only the one sent on chain reads used (by its nonce).
    const unused = await post("/api/sign/cancellation", customer.token, { bookingId: id2, reason: "changed plans" });
    expect(unused.status, JSON.stringify(unused.body)).toBe(201);
    const byCustomer = await post("/api/sign/cancellation", customer.token, { bookingId: id2, reason: "changed plans" });
    expect(byCustomer.status, JSON.stringify(byCustomer.body)).toBe(201);
    // Same split and reason; a new nonce, and an expiry counted from the second request (a clock second may pass between them).
    expect(byCustomer.body.authorization).toMatchObject({ ...unused.body.authorization, nonce: expect.any(String), expiry: expect.any(String) });
    const later = BigInt(byCustomer.body.authorization.expiry) - BigInt(unused.body.authorization.expiry);
    expect(later >= 0n && later <= 5n, `expiry moved by ${later} s`).toBe(true);
    expect(byCustomer.body.authorization.nonce).not.toBe(unused.body.authorization.nonce);
    expect(byCustomer.body.policy).toBe("customer_within_free_window");
    expect(byCustomer.body.authorization).toMatchObject({ customerAmount: "30000001", providerAmount: "0", platformAmount: "0", inviterAmount: "0", reason: "changed plans" });
    await cancelOnChain(customer.account, byCustomer.body);
    const indexed = await call(`${api()}/api/bookings/${id2}`);
    expect([indexed.body.status, indexed.body.paidOut, indexed.body.cancellation]).toEqual([
      "CANCELLED",
      { customerRefund: "30000001", providerAmount: "0", platformAmount: "0", inviterAmount: "0" },
      { cancelledBy: customer.account.address, reason: "changed plans", emergency: false },
    ]);
    expect((await get(`/api/authorizations/${byCustomer.body.id}`, customer.token)).body.status).toBe("used");
    expect((await get(`/api/authorizations/${unused.body.id}`, customer.token)).body).toMatchObject({ status: "issued", txHash: null });
  });

  run("when the escrow's indexed signer is another address, signing answers 503 signer_mismatch instead of useless signatures", async () => {
    const client = await party();
    const provider = fresh();
    const owner = t.wallet(t.role("owner"));
    const setSigner = async (to: Address) => {
      const receipt = await t.mined(await owner.writeContract({ address: escrow(), abi: abis.BookingEscrow, functionName: "setSigner", args: [to] }));
      // Every backend indexes this chain: all of them must see the change before anyone asks.
      await Promise.all([...ponders.values()].map((p) => p.waitForBlock(receipt.blockNumber)));
    };
    await setSigner(fresh().address);
    try {
      expectError(await post("/api/sign/booking", client.token, { provider: provider.address, amount: "1000" }), 503, "signer_mismatch", SIGNER);
    } finally {
      await setSigner(SIGNER);
    }
    expect((await post("/api/sign/booking", client.token, { provider: provider.address, amount: "1000" })).status).toBe(201);
  });

  run("after 24 h the customer pays the 10% fee (platform its rate of it, provider the rest, inviter nothing); unused authorizations read expired", async () => {
    const customer = await party(500_000_000n);
    const provider = await party();
    const inviter = fresh();
    const { issued } = await bookAndPay(customer, { provider: provider.account.address, inviter: inviter.address, amount: "123456789" });
    const bookingId = issued.authorization.bookingId as Hex;
    const unused = await post("/api/sign/booking", customer.token, { provider: provider.account.address, amount: "5000000" });
    expect(unused.status).toBe(201);

    await t.testClient.increaseTime({ seconds: 25 * HOUR });
    await t.testClient.mine({ blocks: 1 });

    const late = await post("/api/sign/cancellation", customer.token, { bookingId });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    expect(late.body.policy).toBe("customer_late_fee");
    // fee = floor(123456789 / 10) = 12345678; platform = floor(12345678 * 500 / 10000) = 617283
    expect(late.body.authorization).toMatchObject({ customerAmount: "111111111", providerAmount: "11728395", platformAmount: "617283", inviterAmount: "0" });
    const balances = await Promise.all([customer.account.address, provider.account.address, t.deployment.roles.platformWallet].map(usdcBalance));
    await cancelOnChain(customer.account, late.body);
    const afterBalances = await Promise.all([customer.account.address, provider.account.address, t.deployment.roles.platformWallet].map(usdcBalance));
    expect(afterBalances.map((b, i) => b - balances[i]!)).toEqual([111_111_111n, 11_728_395n, 617_283n]);
    const indexed = await call(`${api()}/api/bookings/${bookingId}`);
    expect([indexed.body.status, indexed.body.paidOut]).toEqual(["CANCELLED", { customerRefund: "111111111", providerAmount: "11728395", platformAmount: "617283", inviterAmount: "0" }]);
    expect((await get(`/api/authorizations/${late.body.id}`, customer.token)).body.status).toBe("used");

    const stale = await get(`/api/authorizations/${unused.body.id}`, customer.token);
    expect([stale.body.status, stale.body.txHash]).toEqual(["expired", null]);
    await expectRevert(
      () => t.publicClient.simulateContract({ account: customer.account, address: escrow(), abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [bookingArgs(unused.body.authorization), unused.body.signature] }),
      "AuthorizationExpired",
    );
  });
});
