// The traffic simulator: a seeded model of every actor that only ever sends transactions the
// contracts accept, applied in the order the chain will execute them.
import {
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  keccak256,
  maxUint256,
  parseEther,
  parseUnits,
  toBytes,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import { abis } from "../artifacts.js";
import { ACTOR_BASE, devAccount, ROLE_INDEX } from "../../config/accounts.js";
import type { Deployment } from "../../config/deployment.js";
import { Rng } from "./rng.js";
import { Rpc, TxQueue, type Tx } from "./rpc.js";

export type Profile = "mixed" | "bench";

export type SimulationOptions = {
  rpcUrl: string;
  deployment: Deployment;
  seed: number;
  ops: number;
  profile?: Profile;
  /** Transactions per mined block. */
  blockSize?: number;
  /** Pause between blocks, for gentle live traffic. */
  intervalMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** Stops after the operation under way (the dev loop runs until Ctrl-C). */
  signal?: AbortSignal;
};

export type SimulationResult = {
  opsDone: Record<string, number>;
  transactions: number;
  blocks: number;
  failures: { hash: Hex; label: string }[];
  fromBlock: bigint;
  toBlock: bigint;
  bookingIds: Hex[];
  eventIds: bigint[];
  paymentIds: Hex[];
  orderHashes: Hex[];
  tokenIds: bigint[];
  accounts: Address[];
};

type BookingStatus = "PAID" | "COMPLETED" | "CANCELLED";
type Booking = { id: Hex; customer: Address; provider: Address; inviter: Address; amount: bigint; status: BookingStatus; epoch: number };
type EventStatus = "ACTIVE" | "CANCELLED" | "COMPLETED";
type TicketedEvent = {
  id: bigint;
  organizer: Address;
  capacity: number;
  price: bigint;
  stakeBps: bigint;
  sold: number;
  paidTickets: number;
  paidCheckedIn: number;
  status: EventStatus;
  payments: Payment[];
  tickets: Ticket[];
};
type Ticket = { id: bigint; event: TicketedEvent; owner: Address; checkedIn: boolean; comp: boolean; stake: bigint; burned: boolean };
type Payment = { id: Hex; buyer: Address; event: TicketedEvent; amount: bigint; tickets: Ticket[]; refunded: boolean };
type Order = { hash: Hex; creator: Address; orderId: string; ref: string; token: Address; paid: bigint; settled: bigint };

const WEIGHTS: Record<Profile, Record<string, number>> = {
  mixed: {
    createBooking: 14, completeBooking: 6, operatorComplete: 2, cancelBooking: 4, emergencyCancel: 1, timeJump: 1,
    createEvent: 3, purchase: 14, compTickets: 1, transferTicket: 3, checkIn: 10, completeEvent: 2, cancelEvent: 1,
    refund: 3, claimStake: 4, withdrawEarnings: 2, withdrawPlatformFees: 1,
    payQR: 8, payQRNative: 4, topUp: 3, settle: 6, botChange: 1, rateUpdate: 1, pauseCycle: 1,
  },
  // Mostly batch purchases: ~13 logs a transaction, for 100k-event benchmarks.
  bench: {
    createBooking: 3, completeBooking: 1, cancelBooking: 1, createEvent: 1, purchase: 60, checkIn: 6,
    completeEvent: 0.3, claimStake: 1, withdrawEarnings: 0.3, payQR: 2, payQRNative: 1, topUp: 1, settle: 2,
    transferTicket: 2, rateUpdate: 0.2,
  },
};

/** Far-future expiry: signatures in the simulation never lapse, whatever the chain's clock says. */
const EXPIRY = 4_102_444_800n;
const BPS = 10_000n;
const GAS = { small: 300_000n, medium: 600_000n, perTicket: 350_000n };

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const { deployment } = options;
  const profile = options.profile ?? "mixed";
  const rng = new Rng(options.seed);
  const rpc = new Rpc(options.rpcUrl);
  const queue = new TxQueue(rpc, options.blockSize ?? 200);
  const c = deployment.contracts;
  const { USDC, USDT } = deployment.tokens;
  const roles = deployment.roles;

  const signerAccount = devAccount(ROLE_INDEX.signer);
  if (getAddress(signerAccount.address) !== getAddress(roles.signer)) {
    throw new Error("the deployment's booking signer is not the local dev signer: the simulator runs on a local chain only");
  }
  const chainId = BigInt(await rpc.call<Hex>("eth_chainId"));
  const unlocked = (await rpc.call<Address[]>("eth_accounts")).map((a) => getAddress(a));
  const actors = unlocked.slice(ACTOR_BASE);
  if (actors.length < 6) throw new Error(`the chain has ${unlocked.length} unlocked accounts; start anvil with at least ${ACTOR_BASE + 6}`);
  const autoCompleteDelay = BigInt(await rpc.call<Hex>("eth_call", [
    { to: c.BookingEscrow.address, data: encodeFunctionData({ abi: abis.BookingEscrow, functionName: "autoCompleteDelay" }) },
    "latest",
  ]));
  const automine = await rpc.call<boolean>("anvil_getAutomine");
  const fromBlock = BigInt(await rpc.call<Hex>("eth_blockNumber")) + 1n;
  await rpc.call("evm_setAutomine", [false]);

  // ---------------------------------------------------------------- model
  const bookings: Booking[] = [];
  const paidBookings: Booking[] = [];
  const events: TicketedEvent[] = [];
  const tickets: Ticket[] = [];
  const payments: Payment[] = [];
  const orders: Order[] = [];
  const organizerBalance = new Map<Address, bigint>();
  let platformFees = 0n;
  let nextTokenId = 1n;
  let paymentCount = 0n;
  let nonce = 0n;
  let epoch = 0;
  let nextEventId = 1n;
  let nextOrder = 1;
  const bots = new Set<Address>(roles.bots.map((b) => getAddress(b)));
  const extraBots: Address[] = [];
  const rates = new Map<Address, { rate: bigint; decimals: number }>();
  for (const token of [USDC, USDT, zeroAddress] as Address[]) {
    const [rate, decimals] = await readRate(rpc, c.OracleHub.address, token);
    rates.set(getAddress(token), { rate, decimals });
  }
  const opsDone: Record<string, number> = {};

  const send = (tx: Tx, label: string) => queue.send(tx, label);
  const other = (not: Address) => {
    let a = rng.pick(actors);
    while (a === not) a = rng.pick(actors);
    return a;
  };
  const removeFrom = <T>(list: T[], item: T) => {
    const i = list.indexOf(item);
    if (i >= 0) {
      list[i] = list[list.length - 1] as T;
      list.pop();
    }
  };
  const quote = (token: Address, fiat: bigint) => {
    const r = rates.get(getAddress(token));
    if (!r) throw new Error(`no rate for ${token}`);
    const num = fiat * 10n ** BigInt(r.decimals);
    return (num + r.rate - 1n) / r.rate;
  };
  const orderHash = (orderId: string, ref: string, token: Address, creator: Address) =>
    keccak256(
      new Uint8Array([
        ...toBytes(orderId),
        ...toBytes(ref),
        ...toBytes(token, { size: 20 }),
        ...toBytes(creator, { size: 20 }),
      ]),
    );
  const activeEvents = () => events.filter((e) => e.status === "ACTIVE");

  async function signBooking(b: Omit<Booking, "status" | "epoch">, platformFeeRate: bigint, inviterFeeRate: bigint) {
    const auth = { bookingId: b.id, customer: b.customer, provider: b.provider, inviter: b.inviter, amount: b.amount, platformFeeRate, inviterFeeRate, expiry: EXPIRY, nonce: ++nonce };
    const signature = await signerAccount.signTypedData({
      domain: { name: "BookingEscrow", version: "1", chainId, verifyingContract: c.BookingEscrow.address },
      types: {
        BookingAuthorization: [
          { name: "bookingId", type: "bytes32" }, { name: "customer", type: "address" }, { name: "provider", type: "address" },
          { name: "inviter", type: "address" }, { name: "amount", type: "uint256" }, { name: "platformFeeRate", type: "uint256" },
          { name: "inviterFeeRate", type: "uint256" }, { name: "expiry", type: "uint256" }, { name: "nonce", type: "uint256" },
        ],
      },
      primaryType: "BookingAuthorization",
      message: auth,
    });
    return { auth, signature };
  }

  async function signCancellation(bookingId: Hex, split: [bigint, bigint, bigint, bigint], reason: string) {
    const auth = {
      bookingId, customerAmount: split[0], providerAmount: split[1], platformAmount: split[2], inviterAmount: split[3],
      reason, expiry: EXPIRY, nonce: ++nonce,
    };
    const signature = await signerAccount.signTypedData({
      domain: { name: "BookingEscrow", version: "1", chainId, verifyingContract: c.BookingEscrow.address },
      types: {
        CancellationAuthorization: [
          { name: "bookingId", type: "bytes32" }, { name: "customerAmount", type: "uint256" }, { name: "providerAmount", type: "uint256" },
          { name: "platformAmount", type: "uint256" }, { name: "inviterAmount", type: "uint256" }, { name: "reason", type: "string" },
          { name: "expiry", type: "uint256" }, { name: "nonce", type: "uint256" },
        ],
      },
      primaryType: "CancellationAuthorization",
      message: auth,
    });
    return { auth, signature };
  }

  const escrowCall = (from: Address, data: Hex, gas = GAS.small): Tx => ({ from, to: c.BookingEscrow.address, data, gas });
  const nftCall = (from: Address, data: Hex, gas = GAS.small): Tx => ({ from, to: c.EventTicketNFT.address, data, gas });
  const ppCall = (from: Address, data: Hex, value = 0n, gas = GAS.small): Tx => ({ from, to: c.PaymentProcessor.address, data, value, gas });
  const qrCall = (from: Address, data: Hex, value = 0n, gas = GAS.small): Tx => ({ from, to: c.QRPayment.address, data, value, gas });

  function mintTickets(e: TicketedEvent, owner: Address, quantity: number, comp: boolean): Ticket[] {
    const minted: Ticket[] = [];
    for (let i = 0; i < quantity; i++) {
      const stake = comp ? 0n : (e.price * e.stakeBps) / BPS;
      const t: Ticket = { id: nextTokenId++, event: e, owner, checkedIn: false, comp, stake, burned: false };
      minted.push(t);
      tickets.push(t);
      e.tickets.push(t);
    }
    e.sold += quantity;
    return minted;
  }

  // ---------------------------------------------------------------- operations
  // Each returns false when it does not apply to the current state (another is drawn).
  const ops: Record<string, () => Promise<boolean>> = {
    async createBooking() {
      const customer = rng.pick(actors);
      const provider = other(customer);
      const withInviter = rng.chance(0.5);
      const inviter = withInviter ? other(customer) : zeroAddress;
      const amount = rng.bigint(parseUnits("1", 6), parseUnits("500", 6));
      const custom = rng.chance(0.15);
      const platformFeeRate = custom ? BigInt(rng.int(0, 2000)) : withInviter ? 500n : 1000n;
      const inviterFeeRate = withInviter ? (custom ? BigInt(rng.int(0, 1000)) : 500n) : 0n;
      const b: Booking = { id: keccak256(toBytes(`sim-${options.seed}-booking-${bookings.length + 1}`)), customer, provider, inviter, amount, status: "PAID", epoch };
      const { auth, signature } = await signBooking(b, platformFeeRate, inviterFeeRate);
      await send(escrowCall(customer, encodeFunctionData({ abi: abis.BookingEscrow, functionName: "createAndPayBooking", args: [auth, signature] })), "createAndPayBooking");
      bookings.push(b);
      paidBookings.push(b);
      return true;
    },
    async completeBooking() {
      if (paidBookings.length === 0) return false;
      const b = rng.pick(paidBookings);
      await send(escrowCall(b.customer, encodeFunctionData({ abi: abis.BookingEscrow, functionName: "completeService", args: [b.id] })), "completeService");
      b.status = "COMPLETED";
      removeFrom(paidBookings, b);
      return true;
    },
    async operatorComplete() {
      const eligible = paidBookings.filter((b) => b.epoch < epoch);
      if (eligible.length === 0) return false;
      const b = rng.pick(eligible);
      await send(escrowCall(roles.operator, encodeFunctionData({ abi: abis.BookingEscrow, functionName: "completeService", args: [b.id] })), "completeService(operator)");
      b.status = "COMPLETED";
      removeFrom(paidBookings, b);
      return true;
    },
    async cancelBooking() {
      if (paidBookings.length === 0) return false;
      const b = rng.pick(paidBookings);
      const platform = (b.amount * BigInt(rng.int(0, 1000))) / BPS;
      const inviter = b.inviter === zeroAddress ? 0n : (b.amount * BigInt(rng.int(0, 500))) / BPS;
      const provider = ((b.amount - platform - inviter) * BigInt(rng.int(0, 5000))) / BPS;
      const customer = b.amount - platform - inviter - provider;
      const { auth, signature } = await signCancellation(b.id, [customer, provider, platform, inviter], rng.pick(["customer request", "provider unavailable", "schedule conflict"]));
      const by = rng.chance(0.5) ? b.customer : b.provider;
      await send(escrowCall(by, encodeFunctionData({ abi: abis.BookingEscrow, functionName: "cancelBooking", args: [auth, signature] })), "cancelBooking");
      b.status = "CANCELLED";
      removeFrom(paidBookings, b);
      return true;
    },
    async emergencyCancel() {
      if (paidBookings.length === 0) return false;
      const b = rng.pick(paidBookings);
      const by = rng.chance(0.5) ? roles.operator : roles.owner;
      await send(escrowCall(by, encodeFunctionData({ abi: abis.BookingEscrow, functionName: "emergencyCancelBooking", args: [b.id, "emergency"] })), "emergencyCancelBooking");
      b.status = "CANCELLED";
      removeFrom(paidBookings, b);
      return true;
    },
    async timeJump() {
      await queue.flush();
      await rpc.call("evm_increaseTime", [`0x${(autoCompleteDelay + 1n).toString(16)}`]);
      epoch++;
      return true;
    },
    async createEvent() {
      const organizer = rng.pick(actors);
      const e: TicketedEvent = {
        id: nextEventId++, organizer,
        capacity: profile === "bench" ? rng.int(2000, 10000) : rng.int(10, 120),
        price: rng.chance(0.05) ? 0n : rng.bigint(parseEther("0.001"), parseEther("0.1")),
        stakeBps: 0n, sold: 0, paidTickets: 0, paidCheckedIn: 0, status: "ACTIVE", payments: [], tickets: [],
      };
      await send(nftCall(roles.owner, encodeFunctionData({ abi: abis.EventTicketNFT, functionName: "createEvent", args: [e.id, BigInt(e.capacity), e.price, organizer] })), "createEvent");
      events.push(e);
      if (rng.chance(0.5)) {
        e.stakeBps = BigInt(rng.int(500, 3000));
        const by = rng.chance(0.8) ? organizer : roles.owner;
        await send(ppCall(by, encodeFunctionData({ abi: abis.PaymentProcessor, functionName: "setEventStake", args: [e.id, e.stakeBps] })), "setEventStake");
      }
      return true;
    },
    async purchase() {
      const open = activeEvents().filter((e) => e.sold < e.capacity);
      if (open.length === 0) return false;
      const e = rng.pick(open);
      const max = Math.min(10, e.capacity - e.sold);
      const quantity = profile === "bench" ? max : rng.chance(0.5) ? 1 : rng.int(1, max);
      const buyer = rng.pick(actors);
      const amount = (e.price + (e.price * e.stakeBps) / BPS) * BigInt(quantity);
      const uris = Array.from({ length: quantity }, (_, i) => `ipfs://ticket/${e.id}/${e.sold + i}`);
      await send(ppCall(buyer, encodeFunctionData({ abi: abis.PaymentProcessor, functionName: "purchaseTickets", args: [e.id, BigInt(quantity), uris] }), amount, GAS.medium + GAS.perTicket * BigInt(quantity)), "purchaseTickets");
      paymentCount++;
      const p: Payment = {
        id: keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "uint256" }], [chainId, c.PaymentProcessor.address, paymentCount])),
        buyer, event: e, amount, tickets: mintTickets(e, buyer, quantity, false), refunded: false,
      };
      e.paidTickets += quantity;
      e.payments.push(p);
      payments.push(p);
      return true;
    },
    async compTickets() {
      const open = activeEvents().filter((e) => e.sold < e.capacity);
      if (open.length === 0) return false;
      const e = rng.pick(open);
      const quantity = rng.int(1, Math.min(3, e.capacity - e.sold));
      const to = rng.pick(actors);
      const uris = Array.from({ length: quantity }, (_, i) => `ipfs://comp/${e.id}/${e.sold + i}`);
      await send(nftCall(roles.owner, encodeFunctionData({ abi: abis.EventTicketNFT, functionName: "mintTickets", args: [e.id, to, uris] }), GAS.medium + GAS.perTicket * BigInt(quantity)), "mintTickets(comp)");
      mintTickets(e, to, quantity, true);
      return true;
    },
    async transferTicket() {
      const live = tickets.length > 0 ? rng.pick(tickets) : undefined;
      if (!live || live.burned) return false;
      const to = other(live.owner);
      await send(nftCall(live.owner, encodeFunctionData({ abi: abis.EventTicketNFT, functionName: "transferFrom", args: [live.owner, to, live.id] })), "transferFrom");
      live.owner = to;
      return true;
    },
    async checkIn() {
      const open = activeEvents().filter((e) => e.tickets.some((t) => !t.checkedIn && !t.burned));
      if (open.length === 0) return false;
      const e = rng.pick(open);
      const candidates = e.tickets.filter((t) => !t.checkedIn && !t.burned);
      const t = rng.pick(candidates);
      const gate = keccak256(toBytes(`gate-${rng.int(1, 4)}`));
      await send(nftCall(roles.validators[0]!, encodeFunctionData({ abi: abis.EventTicketNFT, functionName: "checkIn", args: [t.id, gate] })), "checkIn");
      t.checkedIn = true;
      if (!t.comp) e.paidCheckedIn++;
      return true;
    },
    async completeEvent() {
      const ready = activeEvents().filter((e) => e.sold > 0);
      if (ready.length === 0) return false;
      const e = rng.pick(ready);
      const by = rng.chance(0.8) ? e.organizer : roles.owner;
      await send(nftCall(by, encodeFunctionData({ abi: abis.EventTicketNFT, functionName: "completeEvent", args: [e.id] })), "completeEvent");
      e.status = "COMPLETED";
      const stake = (e.price * e.stakeBps) / BPS;
      const revenue = e.price * BigInt(e.paidTickets);
      const fee = (revenue * 500n) / BPS;
      const forfeited = stake * BigInt(e.paidTickets - e.paidCheckedIn);
      platformFees += fee;
      organizerBalance.set(e.organizer, (organizerBalance.get(e.organizer) ?? 0n) + revenue - fee + forfeited);
      return true;
    },
    async cancelEvent() {
      const open = activeEvents();
      if (open.length === 0) return false;
      const e = rng.pick(open);
      const by = rng.chance(0.8) ? e.organizer : roles.owner;
      await send(nftCall(by, encodeFunctionData({ abi: abis.EventTicketNFT, functionName: "cancelEvent", args: [e.id] })), "cancelEvent");
      e.status = "CANCELLED";
      return true;
    },
    async refund() {
      const refundable = payments.filter((p) => !p.refunded && p.event.status === "CANCELLED");
      if (refundable.length === 0) return false;
      const p = rng.pick(refundable);
      await send(ppCall(p.buyer, encodeFunctionData({ abi: abis.PaymentProcessor, functionName: "refund", args: [p.id] }), 0n, GAS.medium + GAS.perTicket * BigInt(p.tickets.length)), "refund");
      p.refunded = true;
      p.event.paidTickets -= p.tickets.length;
      for (const t of p.tickets) {
        t.burned = true;
        t.stake = 0n;
        removeFrom(tickets, t);
      }
      return true;
    },
    async claimStake() {
      const claimable = events
        .filter((e) => e.status === "COMPLETED")
        .flatMap((e) => e.tickets.filter((t) => t.checkedIn && t.stake > 0n && !t.burned));
      if (claimable.length === 0) return false;
      const t = rng.pick(claimable);
      await send(ppCall(t.owner, encodeFunctionData({ abi: abis.PaymentProcessor, functionName: "claimStake", args: [t.id] })), "claimStake");
      t.stake = 0n;
      return true;
    },
    async withdrawEarnings() {
      const owed = [...organizerBalance].filter(([, v]) => v > 0n);
      if (owed.length === 0) return false;
      const [organizer] = rng.pick(owed);
      await send(ppCall(organizer, encodeFunctionData({ abi: abis.PaymentProcessor, functionName: "withdrawEarnings" })), "withdrawEarnings");
      organizerBalance.set(organizer, 0n);
      return true;
    },
    async withdrawPlatformFees() {
      if (platformFees === 0n) return false;
      await send(ppCall(roles.owner, encodeFunctionData({ abi: abis.PaymentProcessor, functionName: "withdrawPlatformFees" })), "withdrawPlatformFees");
      platformFees = 0n;
      return true;
    },
    async payQR() {
      const creator = rng.pick(actors);
      const token = rng.chance(0.75) ? USDT : USDC;
      const fiat = rng.bigint(10_000n, 5_000_000n) * 10n ** 18n;
      const o: Order = { hash: "0x", creator, orderId: `ORD-${options.seed}-${nextOrder}`, ref: `REF-${nextOrder}`, token: getAddress(token), paid: 0n, settled: 0n };
      nextOrder++;
      o.hash = orderHash(o.orderId, o.ref, o.token, creator);
      await payOrder(o, fiat);
      orders.push(o);
      return true;
    },
    async payQRNative() {
      const creator = rng.pick(actors);
      const fiat = rng.bigint(50_000n, 20_000_000n) * 10n ** 18n;
      const o: Order = { hash: "0x", creator, orderId: `ORD-${options.seed}-${nextOrder}`, ref: `REF-${nextOrder}`, token: zeroAddress, paid: 0n, settled: 0n };
      nextOrder++;
      o.hash = orderHash(o.orderId, o.ref, o.token, creator);
      await payOrder(o, fiat);
      orders.push(o);
      return true;
    },
    async topUp() {
      if (orders.length === 0) return false;
      const o = rng.pick(orders);
      await payOrder(o, rng.bigint(10_000n, 1_000_000n) * 10n ** 18n);
      return true;
    },
    async settle() {
      const open = orders.filter((o) => o.paid > o.settled);
      if (open.length === 0) return false;
      const o = rng.pick(open);
      const bot = rng.pick([...bots]);
      const beneficiary = rng.pick(actors);
      const native = o.token === zeroAddress;
      const data = encodeFunctionData({ abi: abis.QRPayment, functionName: native ? "settleQROrderNative" : "settleQROrder", args: [beneficiary, o.hash] });
      await send(qrCall(bot, data), native ? "settleQROrderNative" : "settleQROrder");
      o.settled = o.paid;
      return true;
    },
    async botChange() {
      if (extraBots.length > 0 && rng.chance(0.5)) {
        const bot = extraBots.pop()!;
        await send(qrCall(roles.owner, encodeFunctionData({ abi: abis.QRPayment, functionName: "changeBotStatus", args: [bot, false] })), "changeBotStatus");
        bots.delete(bot);
      } else {
        const bot = rng.pick(actors);
        if (bots.has(bot)) return false;
        await send(qrCall(roles.owner, encodeFunctionData({ abi: abis.QRPayment, functionName: "changeBotStatus", args: [bot, true] })), "changeBotStatus");
        bots.add(bot);
        extraBots.push(bot);
      }
      return true;
    },
    async rateUpdate() {
      const token = rng.pick([USDC, USDT, zeroAddress] as Address[]);
      const current = rates.get(getAddress(token))!;
      const rate = (current.rate * BigInt(rng.int(9500, 10500))) / BPS;
      await send({ from: roles.owner, to: c.OracleHub.address, data: encodeFunctionData({ abi: abis.OracleHub, functionName: "setRate", args: [token, rate] }), gas: GAS.small }, "setRate");
      rates.set(getAddress(token), { ...current, rate });
      return true;
    },
    async pauseCycle() {
      const target = rng.pick([c.BookingEscrow.address, c.EventTicketNFT.address, c.PaymentProcessor.address, c.QRPayment.address, c.OracleHub.address]);
      const abi = abis.BookingEscrow; // pause()/unpause() share one selector across every contract
      await send({ from: roles.owner, to: target, data: encodeFunctionData({ abi, functionName: "pause" }), gas: GAS.small }, "pause");
      await send({ from: roles.owner, to: target, data: encodeFunctionData({ abi, functionName: "unpause" }), gas: GAS.small }, "unpause");
      return true;
    },
  };

  async function payOrder(o: Order, fiat: bigint) {
    const amount = quote(o.token, fiat);
    if (o.token === zeroAddress) {
      const excess = rng.chance(0.3) ? rng.bigint(1n, parseEther("0.001")) : 0n;
      await send(qrCall(o.creator, encodeFunctionData({ abi: abis.QRPayment, functionName: "payQRNative", args: [o.orderId, o.ref, fiat] }), amount + excess), "payQRNative");
    } else {
      await send(qrCall(o.creator, encodeFunctionData({ abi: abis.QRPayment, functionName: "payQR", args: [o.token, fiat, o.orderId, o.ref] })), "payQR");
    }
    o.paid += amount;
  }

  // ---------------------------------------------------------------- setup: funds and approvals
  for (const actor of actors) {
    for (const [token, spender] of [[USDC, c.BookingEscrow.address], [USDC, c.QRPayment.address], [USDT, c.QRPayment.address]] as const) {
      await send({ from: actor, to: token, data: encodeFunctionData({ abi: abis.TestToken, functionName: "mint", args: [actor, parseUnits("100000000", 6)] }), gas: GAS.small }, "mint");
      await send({ from: actor, to: token, data: encodeFunctionData({ abi: abis.TestToken, functionName: "approve", args: [spender, maxUint256] }), gas: GAS.small }, "approve");
    }
  }

  // ---------------------------------------------------------------- run
  const weights = WEIGHTS[profile];
  try {
    for (let done = 0; done < options.ops && !options.signal?.aborted; ) {
      const name = rng.weighted(weights);
      if (!(await ops[name]!())) continue;
      opsDone[name] = (opsDone[name] ?? 0) + 1;
      done++;
      if (options.onProgress && done % 1000 === 0) options.onProgress(done, options.ops);
      if (options.intervalMs) {
        await queue.flush();
        await new Promise((r) => setTimeout(r, options.intervalMs));
      }
    }
    await queue.flush();
  } finally {
    await rpc.call("evm_setAutomine", [automine]);
  }
  const toBlock = BigInt(await rpc.call<Hex>("eth_blockNumber"));

  return {
    opsDone,
    transactions: queue.sent,
    blocks: queue.blocksMined,
    failures: queue.failures,
    fromBlock,
    toBlock,
    bookingIds: bookings.map((b) => b.id),
    eventIds: events.map((e) => e.id),
    paymentIds: payments.map((p) => p.id),
    orderHashes: orders.map((o) => o.hash),
    tokenIds: Array.from({ length: Number(nextTokenId - 1n) }, (_, i) => BigInt(i + 1)),
    accounts: [...new Set([...actors, roles.owner, roles.platformWallet, roles.operator].map((a) => getAddress(a)))],
  };
}

async function readRate(rpc: Rpc, oracle: Address, token: Address): Promise<[bigint, number]> {
  const data = await rpc.call<Hex>("eth_call", [
    { to: oracle, data: encodeFunctionData({ abi: abis.OracleHub, functionName: "rateOf", args: [token] }) },
    "latest",
  ]);
  return [BigInt(data.slice(0, 66)), Number(BigInt(`0x${data.slice(66, 130)}`))];
}
