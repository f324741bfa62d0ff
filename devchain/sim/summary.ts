// What the contracts themselves say after a simulation, read from their view functions and logs.
// Later tests compare the index with this, so nothing here comes from the simulator's model.
import {
  createPublicClient,
  getAddress,
  http,
  keccak256,
  concat,
  toEventSelector,
  zeroAddress,
  type AbiEvent,
  type Address,
  type Hex,
} from "viem";
import { abis } from "../artifacts.js";
import type { Deployment } from "../../config/deployment.js";
import { Rpc } from "./rpc.js";
import type { SimulationResult } from "./simulator.js";

const BOOKING_STATUS = ["NONE", "PAID", "COMPLETED", "CANCELLED"] as const;
const EVENT_STATUS = ["NONE", "ACTIVE", "CANCELLED", "COMPLETED"] as const;
const PAYMENT_STATUS = ["NONE", "CONFIRMED", "REFUNDED"] as const;

export type Summary = Awaited<ReturnType<typeof summarize>>;

async function mapChunked<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** Log names by topic0, across every contract we deploy. */
function eventNames(): Map<Hex, string> {
  const names = new Map<Hex, string>();
  for (const abi of Object.values(abis)) {
    for (const item of abi) if (item.type === "event") names.set(toEventSelector(item as AbiEvent), item.name);
  }
  return names;
}

export async function summarize(rpcUrl: string, deployment: Deployment, sim: SimulationResult) {
  const client = createPublicClient({ transport: http(rpcUrl, { batch: { batchSize: 100 } }) });
  const c = deployment.contracts;
  const { USDC, USDT } = deployment.tokens;
  const atBlock = sim.toBlock;
  const read = <T>(address: Address, abi: unknown, functionName: string, args: unknown[] = []) =>
    client.readContract({ address, abi: abi as never, functionName: functionName as never, args: args as never, blockNumber: atBlock }) as Promise<T>;
  const erc20Balance = (token: Address, holder: Address) => read<bigint>(token, abis.TestToken, "balanceOf", [holder]);

  // Logs of our contracts over the whole simulation, in chain order.
  const names = eventNames();
  const byName: Record<string, number> = {};
  let digest: Hex = keccak256("0x");
  let count = 0;
  const addresses = [c.BookingEscrow, c.EventTicketNFT, c.PaymentProcessor, c.QRPayment, c.OracleHub].map((x) => x.address);
  // Raw JSON-RPC: a block of 200 batch purchases holds ~2,600 logs, past viem's 10 MB response cap.
  const rpc = new Rpc(rpcUrl);
  for (let from = sim.fromBlock; from <= atBlock; from += 100n) {
    const to = from + 99n < atBlock ? from + 99n : atBlock;
    const logs = await rpc.call<{ address: Address; topics: Hex[]; data: Hex }[]>("eth_getLogs", [
      { address: addresses, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
    ]);
    for (const log of logs) {
      const name = names.get(log.topics[0]!) ?? "unknown";
      byName[name] = (byName[name] ?? 0) + 1;
      digest = keccak256(concat([digest, getAddress(log.address), ...log.topics, log.data]));
      count++;
    }
  }

  const bookings = await mapChunked(sim.bookingIds, 100, async (id) => {
    const b = await read<{ status: number; amount: bigint; customer: Address; provider: Address; inviter: Address }>(c.BookingEscrow.address, abis.BookingEscrow, "getBooking", [id]);
    return [id, { status: BOOKING_STATUS[b.status], amount: b.amount.toString(), customer: b.customer, provider: b.provider, inviter: b.inviter }] as const;
  });
  const earnings = await mapChunked(sim.accounts, 100, async (a) => [a, (await read<bigint>(c.BookingEscrow.address, abis.BookingEscrow, "earnings", [a])).toString()] as const);

  const events = await mapChunked(sim.eventIds, 100, async (id) => {
    const e = await read<{ organizer: Address; maxCapacity: bigint; price: bigint; sold: bigint; checkedIn: bigint; paidCheckedIn: bigint; status: number }>(
      c.EventTicketNFT.address, abis.EventTicketNFT, "getEvent", [id]);
    const [stakeBps, escrowed, paidTickets, settled] = await read<[bigint, bigint, bigint, boolean]>(c.PaymentProcessor.address, abis.PaymentProcessor, "eventSales", [id]);
    return [id.toString(), {
      organizer: e.organizer, status: EVENT_STATUS[e.status], maxCapacity: e.maxCapacity.toString(), price: e.price.toString(),
      sold: e.sold.toString(), checkedIn: e.checkedIn.toString(), paidCheckedIn: e.paidCheckedIn.toString(),
      stakeBps: stakeBps.toString(), escrowed: escrowed.toString(), paidTickets: paidTickets.toString(), settled,
    }] as const;
  });
  const organizers = [...new Set(events.map(([, e]) => e.organizer))];
  const organizerBalances = await mapChunked(organizers, 100, async (o) => [o, (await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "organizerBalance", [o])).toString()] as const);
  const payments = await mapChunked(sim.paymentIds, 100, async (id) => {
    const p = await read<{ status: number; amount: bigint; buyer: Address; eventId: bigint; tokenIds: readonly bigint[] }>(c.PaymentProcessor.address, abis.PaymentProcessor, "getPayment", [id]);
    return [id, { status: PAYMENT_STATUS[p.status], amount: p.amount.toString(), buyer: p.buyer, eventId: p.eventId.toString(), tickets: p.tokenIds.length }] as const;
  });
  const ticketBalances = await mapChunked(sim.accounts, 100, async (a) => [a, (await read<bigint>(c.EventTicketNFT.address, abis.EventTicketNFT, "balanceOf", [a])).toString()] as const);

  const orders = await mapChunked(sim.orderHashes, 100, async (hash) => {
    const o = await read<{ creator: Address; token: Address; paidAmount: bigint; paidFiat: bigint; settledAmount: bigint; settledFiat: bigint }>(c.QRPayment.address, abis.QRPayment, "getOrder", [hash]);
    return [hash, {
      creator: o.creator, token: o.token, paidAmount: o.paidAmount.toString(), paidFiat: o.paidFiat.toString(),
      settledAmount: o.settledAmount.toString(), settledFiat: o.settledFiat.toString(),
      unsettled: (await read<bigint>(c.QRPayment.address, abis.QRPayment, "unsettledAmount", [hash])).toString(),
    }] as const;
  });
  const qrTokens = { USDC, USDT, native: zeroAddress } as const;
  const totalUnsettled: Record<string, string> = {};
  const rates: Record<string, string> = {};
  for (const [name, token] of Object.entries(qrTokens)) {
    totalUnsettled[name] = (await read<bigint>(c.QRPayment.address, abis.QRPayment, "totalUnsettled", [token])).toString();
    rates[name] = (await read<readonly [bigint, number]>(c.OracleHub.address, abis.OracleHub, "rateOf", [token]))[0].toString();
  }

  const statusCounts = (list: readonly (readonly [unknown, { status: string | undefined }])[]) =>
    list.reduce<Record<string, number>>((acc, [, v]) => ({ ...acc, [v.status ?? "?"]: (acc[v.status ?? "?"] ?? 0) + 1 }), {});

  return {
    chainId: deployment.chainId,
    fromBlock: sim.fromBlock.toString(),
    toBlock: atBlock.toString(),
    transactions: sim.transactions,
    failedTransactions: sim.failures.length,
    opsDone: sim.opsDone,
    logs: { count, digest, byName },
    bookingEscrow: {
      tokenBalance: (await erc20Balance(USDC, c.BookingEscrow.address)).toString(),
      totalEscrowed: (await read<bigint>(c.BookingEscrow.address, abis.BookingEscrow, "totalEscrowed")).toString(),
      statusCounts: statusCounts(bookings),
      earnings: Object.fromEntries(earnings),
      bookings: Object.fromEntries(bookings),
    },
    tickets: {
      nextTokenId: (await read<bigint>(c.EventTicketNFT.address, abis.EventTicketNFT, "nextTokenId")).toString(),
      eventStatusCounts: statusCounts(events),
      events: Object.fromEntries(events),
      balances: Object.fromEntries(ticketBalances),
    },
    paymentProcessor: {
      ethBalance: (await client.getBalance({ address: c.PaymentProcessor.address, blockNumber: atBlock })).toString(),
      platformFees: (await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "platformFees")).toString(),
      unclaimedStakes: (await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "unclaimedStakes")).toString(),
      paymentCount: (await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "paymentCount")).toString(),
      paymentStatusCounts: statusCounts(payments),
      organizerBalances: Object.fromEntries(organizerBalances),
      payments: Object.fromEntries(payments),
    },
    qrPayment: {
      balances: {
        USDC: (await erc20Balance(USDC, c.QRPayment.address)).toString(),
        USDT: (await erc20Balance(USDT, c.QRPayment.address)).toString(),
        native: (await client.getBalance({ address: c.QRPayment.address, blockNumber: atBlock })).toString(),
      },
      totalUnsettled,
      orders: Object.fromEntries(orders),
    },
    oracle: { rates },
  };
}
