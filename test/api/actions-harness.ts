// Shared by the write-action suites: a chain with every contract, a `ponder start` on it, signed-in
// callers, and small helpers to post actions and wait for their status.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { maxUint256, parseEventLogs, parseUnits, zeroAddress, type Account, type Address, type Hex, type TransactionReceipt } from "viem";
import { abis } from "../../devchain/artifacts.js";
import { writeDeployment } from "../../config/deployment.js";
import { orderDataHash } from "../../domain/qr.js";
import { checkInTypedData } from "../../domain/checkin.js";
import { PG_URL } from "../helpers/backends.js";
import { bearer, signIn } from "../helpers/auth.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { bookingIdOf, escrowDomain, signBooking } from "../helpers/escrow.js";
import { dropSyncRows, startPonder, type PonderDatabase, type PonderHandle } from "../helpers/ponder.js";

export type ActionBody = {
  id: string;
  kind: string;
  status: string;
  note: string | null;
  txHash: string | null;
  nonce: number | null;
  previousTxHashes: string[];
  block: { number: string; hash: string } | null;
  error: { code: string; message: string; errorName?: string; args?: unknown[] } | null;
  transitions: { status: string; at: string }[];
  subject: { eventId: string | null; tokenId: string | null };
  parentId: string | null;
  sender: { role: string; address: string };
};

export type Reply<T = Record<string, unknown>> = { status: number; body: T; headers: Headers };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Harness {
  chain!: TestChain;
  ponder!: PonderHandle;
  tmp!: string;
  deploymentFile!: string;
  tokens = new Map<string, string>();
  private counter = 0;

  constructor(readonly database: PonderDatabase) {}

  get url() {
    return this.ponder.url;
  }

  async start(env: Record<string, string> = {}) {
    this.chain = await startTestChain({ chainId: uniqueChainId() });
    this.tmp = mkdtempSync(path.join(os.tmpdir(), "actions-"));
    this.deploymentFile = writeDeployment({ ...this.chain.deployment, rpcUrl: this.chain.anvil.rpcUrl }, path.join(this.tmp, "local.json"));
    this.ponder = await startPonder({ deploymentFile: this.deploymentFile, database: this.database, env: { ACTIONS_RATE_LIMIT_PER_MINUTE: "10000", ...env } });
  }

  async stop() {
    await this.ponder?.stop().catch(() => {});
    await this.chain?.stop().catch(() => {});
    if (this.database.kind === "postgres" && this.chain) dropSyncRows(PG_URL, this.chain.anvil.chainId);
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  async token(account: Account & { signMessage: NonNullable<Account["signMessage"]> }): Promise<string> {
    let t = this.tokens.get(account.address);
    if (!t) {
      t = await signIn(this.url, account as never);
      this.tokens.set(account.address, t);
    }
    return t;
  }

  key(label = "k"): string {
    return `${label}-${Date.now()}-${++this.counter}`;
  }

  async request<T = Record<string, unknown>>(method: string, route: string, opts: { token?: string; key?: string | null; body?: unknown } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (opts.token) Object.assign(headers, bearer(opts.token));
    if (opts.key) headers["idempotency-key"] = opts.key;
    const res = await fetch(`${this.url}${route}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  post<T = ActionBody>(route: string, token: string, body: unknown, key: string | null = this.key()) {
    return this.request<T>("POST", route, { token, key, body });
  }

  async action(id: string, token: string): Promise<ActionBody> {
    const r = await this.request<ActionBody>("GET", `/api/actions/${id}`, { token });
    if (r.status !== 200) throw new Error(`GET action ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Polls until the action reaches one of `statuses`; fails fast on an unexpected terminal status. */
  async waitFor(id: string, token: string, statuses: string[], timeoutMs = 60_000, until?: (a: ActionBody) => boolean): Promise<ActionBody> {
    const deadline = Date.now() + timeoutMs;
    let last: ActionBody | undefined;
    while (Date.now() < deadline) {
      last = await this.action(id, token);
      if (statuses.includes(last.status) && (!until || until(last))) return last;
      if ((last.status === "failed" || last.status === "indexed") && !statuses.includes(last.status)) break;
      await sleep(150);
    }
    throw new Error(`action ${id} did not reach ${statuses.join("/")}: ${JSON.stringify(last)}\n${this.ponder.logTail(20)}`);
  }

  // ------------------------------------------------------------------ chain set-up with actors' keys

  async send(account: Account, req: { address: Address; abi: unknown; functionName: string; args?: readonly unknown[]; value?: bigint }): Promise<TransactionReceipt> {
    const hash = await this.chain.wallet(account).writeContract(req as never);
    return this.chain.mined(hash);
  }

  get c() {
    return this.chain.deployment.contracts;
  }

  /** A USDT order paid by `payer` (its creator / merchant); returns its hash. */
  async tokenOrder(payer: Account, orderId: string): Promise<Hex> {
    const { USDT } = this.chain.deployment.tokens;
    const owner = this.chain.role("owner");
    await this.send(owner, { address: USDT, abi: abis.TestToken, functionName: "mint", args: [payer.address, parseUnits("1000", 6)] });
    await this.send(payer, { address: USDT, abi: abis.TestToken, functionName: "approve", args: [this.c.QRPayment.address, maxUint256] });
    const ref = `ref-${orderId}`;
    await this.send(payer, { address: this.c.QRPayment.address, abi: abis.QRPayment, functionName: "payQR", args: [USDT, parseUnits("150000", 18), orderId, ref] });
    return orderDataHash(orderId, ref, USDT, payer.address);
  }

  async nativeOrder(payer: Account, orderId: string): Promise<Hex> {
    const fiat = parseUnits("52000", 18);
    const quote = await this.chain.publicClient.readContract({ address: this.c.OracleHub.address, abi: abis.OracleHub, functionName: "quote", args: [zeroAddress, fiat] });
    const ref = `ref-${orderId}`;
    await this.send(payer, { address: this.c.QRPayment.address, abi: abis.QRPayment, functionName: "payQRNative", args: [orderId, ref, fiat], value: quote });
    return orderDataHash(orderId, ref, zeroAddress, payer.address);
  }

  /** A PAID booking (signed by the dev signer, paid by `customer`). */
  async paidBooking(customer: Account, provider: Account, label: string): Promise<Hex> {
    const { USDC } = this.chain.deployment.tokens;
    const owner = this.chain.role("owner");
    const amount = parseUnits("40", 6);
    await this.send(owner, { address: USDC, abi: abis.TestToken, functionName: "mint", args: [customer.address, amount] });
    await this.send(customer, { address: USDC, abi: abis.TestToken, functionName: "approve", args: [this.c.BookingEscrow.address, maxUint256] });
    const now = (await this.chain.publicClient.getBlock()).timestamp;
    const auth = {
      bookingId: bookingIdOf(`actions-${label}-${this.chain.anvil.chainId}`),
      customer: customer.address,
      provider: provider.address,
      inviter: zeroAddress,
      amount,
      platformFeeRate: 1000n,
      inviterFeeRate: 0n,
      expiry: now + 3600n,
      nonce: BigInt(Date.now()) * 1000n + BigInt(++this.counter),
    };
    const signature = await signBooking(this.chain.wallet(this.chain.role("signer")), escrowDomain(this.chain.chain.id, this.c.BookingEscrow.address), auth);
    await this.send(customer, { address: this.c.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [auth, signature] });
    return auth.bookingId;
  }

  async buyTickets(buyer: Account, eventId: bigint, quantity: number): Promise<bigint[]> {
    const [, , price] = await this.eventInfo(eventId);
    const sales = (await this.chain.publicClient.readContract({ address: this.c.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "eventSales", args: [eventId] })) as readonly unknown[];
    const stakeBps = sales[0] as bigint;
    const unit = price + (price * stakeBps) / 10_000n;
    const uris = Array.from({ length: quantity }, (_, i) => `ipfs://actions/${eventId}/${i}`);
    const receipt = await this.send(buyer, {
      address: this.c.PaymentProcessor.address,
      abi: abis.PaymentProcessor,
      functionName: "purchaseTickets",
      args: [eventId, BigInt(quantity), uris],
      value: unit * BigInt(quantity),
    });
    return parseEventLogs({ abi: abis.EventTicketNFT, logs: receipt.logs, eventName: "Transfer" }).map((l) => l.args.tokenId);
  }

  async eventInfo(eventId: bigint): Promise<[string, bigint, bigint, bigint, bigint, bigint, number]> {
    const e = (await this.chain.publicClient.readContract({ address: this.c.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "getEvent", args: [eventId] })) as {
      organizer: string;
      maxCapacity: bigint;
      price: bigint;
      sold: bigint;
      checkedIn: bigint;
      paidCheckedIn: bigint;
      status: number;
    };
    return [e.organizer, e.maxCapacity, e.price, e.sold, e.checkedIn, e.paidCheckedIn, e.status];
  }

  /** The holder's QR payload for a ticket. */
  async payload(holder: Account & { signTypedData: NonNullable<Account["signTypedData"]> }, tokenId: bigint, eventId: bigint, timestamp = BigInt(Math.floor(Date.now() / 1000))) {
    const typed = checkInTypedData(this.chain.chain.id, this.c.EventTicketNFT.address, { tokenId, eventId, timestamp });
    const signature = await holder.signTypedData(typed);
    return { tokenId: tokenId.toString(), eventId: eventId.toString(), timestamp: timestamp.toString(), signature };
  }

  nonceOf(address: Address) {
    return this.chain.publicClient.getTransactionCount({ address, blockTag: "pending" });
  }

  async rpc(method: string, params: unknown[] = []) {
    const res = await fetch(this.chain.anvil.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const body = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }
}
