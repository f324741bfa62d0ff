// What the chain says, read independently of the index: every log of the five contracts plus the
// contracts' own view functions. test/api/reads.test.ts builds the REST responses it expects from
// this model and compares them with what the API serves.
import { getAddress, zeroAddress, type Address, type Hex, type PublicClient } from "viem";
import { abis } from "../../devchain/artifacts.js";
import type { Deployment } from "../../config/deployment.js";

export type Log = {
  eventName: string;
  args: Record<string, any>;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
};

const lc = (a: string) => a.toLowerCase();
const STATUS_BOOKING = ["NONE", "PAID", "COMPLETED", "CANCELLED"] as const;
const STATUS_EVENT = ["NONE", "ACTIVE", "CANCELLED", "COMPLETED"] as const;
const STATUS_PAYMENT = ["NONE", "CONFIRMED", "REFUNDED"] as const;

export type ChainBooking = {
  id: Hex;
  customer: Address;
  provider: Address;
  inviter: Address;
  amount: bigint;
  platformFeeRate: bigint;
  inviterFeeRate: bigint;
  paidAt: bigint;
  status: (typeof STATUS_BOOKING)[number];
  split: { providerAmount: bigint; platformFee: bigint; inviterFee: bigint };
  logs: Log[];
  /** The platform wallet when the booking settled (the last PlatformWalletUpdated before it). */
  platformWalletAtSettlement: Address | null;
  /** Sender of the completing transaction. */
  completedBy: Address | null;
};

export type ChainEvent = {
  id: bigint;
  organizer: Address;
  maxCapacity: bigint;
  price: bigint;
  sold: bigint;
  checkedIn: bigint;
  paidCheckedIn: bigint;
  status: (typeof STATUS_EVENT)[number];
  stakeBps: bigint;
  escrowed: bigint;
  paidTickets: bigint;
  settled: boolean;
  stakePerTicket: bigint;
  logs: Log[];
};

export type ChainTicket = {
  tokenId: bigint;
  eventId: bigint;
  owner: Address | null;
  buyer: Address;
  complimentary: boolean;
  checkedIn: boolean;
  gateId: Hex;
  ticketStake: bigint;
  claimableStake: bigint;
  paymentId: Hex | null;
  mint: Log;
  checkIn: Log | null;
  claim: Log | null;
};

export type ChainPayment = { id: Hex; buyer: Address; eventId: bigint; amount: bigint; status: (typeof STATUS_PAYMENT)[number]; tokenIds: bigint[] };

export type ChainOrder = {
  hash: Hex;
  creator: Address;
  token: Address;
  paidAmount: bigint;
  paidFiat: bigint;
  settledAmount: bigint;
  settledFiat: bigint;
  unsettled: bigint;
  orderId: string;
  referenceString: string;
  payments: Log[];
  settlements: (Log & { bot: Address })[];
};

export type ChainModel = {
  chainId: number;
  head: bigint;
  logs: Log[];
  blockTime: Map<bigint, bigint>;
  bookings: Map<Hex, ChainBooking>;
  events: Map<bigint, ChainEvent>;
  tickets: Map<bigint, ChainTicket>;
  payments: Map<Hex, ChainPayment>;
  orders: Map<Hex, ChainOrder>;
  tokens: Map<string, { symbol: string; decimals: number }>;
  paymentToken: Address;
  singles: { signer: Address; platformWallet: Address; minter: Address; oracle: Address };
  owners: Record<string, { owner: Address; pendingOwner: Address }>;
};

type Reader = <T = any>(address: Address, abi: unknown, functionName: string, args?: readonly unknown[]) => Promise<T>;

export function reader(client: PublicClient): Reader {
  return (address, abi, functionName, args = []) => client.readContract({ address, abi: abi as never, functionName, args } as never) as never;
}

export async function buildChainModel(client: PublicClient, deployment: Deployment): Promise<ChainModel> {
  const c = deployment.contracts;
  const read = reader(client);
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const all: Log[] = [];
  for (const name of ["BookingEscrow", "EventTicketNFT", "PaymentProcessor", "QRPayment", "OracleHub"] as const) {
    const logs = await client.getContractEvents({ address: c[name].address, abi: abis[name] as never, fromBlock: 0n, toBlock: head });
    for (const l of logs as unknown as Log[]) all.push({ eventName: `${name}:${l.eventName}`, args: l.args, blockNumber: l.blockNumber, logIndex: l.logIndex, transactionHash: l.transactionHash });
  }
  all.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  const named = (n: string) => all.filter((l) => l.eventName === n);

  const blockTime = new Map<bigint, bigint>();
  for (const block of new Set(all.map((l) => l.blockNumber))) blockTime.set(block, (await client.getBlock({ blockNumber: block })).timestamp);
  const senders = new Map<Hex, Address>();
  const sender = async (hash: Hex) => {
    let from = senders.get(hash);
    if (!from) {
      from = (await client.getTransaction({ hash })).from;
      senders.set(hash, from);
    }
    return getAddress(from);
  };

  // ---------------------------------------------------------------- bookings
  const bookings = new Map<Hex, ChainBooking>();
  const walletUpdates = named("BookingEscrow:PlatformWalletUpdated");
  const walletAt = (log: Log): Address | null => {
    let wallet: Address | null = null;
    for (const u of walletUpdates) if (u.blockNumber < log.blockNumber || (u.blockNumber === log.blockNumber && u.logIndex < log.logIndex)) wallet = u.args.newWallet;
    return wallet;
  };
  for (const created of named("BookingEscrow:BookingCreatedAndPaid")) {
    const id = lc(created.args.bookingId) as Hex;
    const b = await read(c.BookingEscrow.address, abis.BookingEscrow, "getBooking", [id]);
    const [providerAmount, platformFee, inviterFee] = await read<[bigint, bigint, bigint]>(c.BookingEscrow.address, abis.BookingEscrow, "splitCompletion", [
      b.amount,
      b.platformFeeRate,
      b.inviterFeeRate,
    ]);
    const logs = all.filter(
      (l) =>
        ["BookingEscrow:BookingCreatedAndPaid", "BookingEscrow:ServiceCompleted", "BookingEscrow:BookingCancelled"].includes(l.eventName) &&
        lc(l.args.bookingId) === id,
    );
    const settlement = logs.find((l) => l.eventName !== "BookingEscrow:BookingCreatedAndPaid") ?? null;
    bookings.set(id, {
      id,
      customer: b.customer,
      provider: b.provider,
      inviter: b.inviter,
      amount: b.amount,
      platformFeeRate: b.platformFeeRate,
      inviterFeeRate: b.inviterFeeRate,
      paidAt: BigInt(b.paidAt),
      status: STATUS_BOOKING[b.status]!,
      split: { providerAmount, platformFee, inviterFee },
      logs,
      platformWalletAtSettlement: settlement ? walletAt(settlement) : null,
      completedBy: settlement?.eventName === "BookingEscrow:ServiceCompleted" ? await sender(settlement.transactionHash) : null,
    });
  }

  // ---------------------------------------------------------------- events, payments, tickets
  const events = new Map<bigint, ChainEvent>();
  for (const created of named("EventTicketNFT:EventCreated")) {
    const id = created.args.eventId as bigint;
    const e = await read(c.EventTicketNFT.address, abis.EventTicketNFT, "getEvent", [id]);
    const [stakeBps, escrowed, paidTickets, settled] = await read<[bigint, bigint, bigint, boolean]>(c.PaymentProcessor.address, abis.PaymentProcessor, "eventSales", [id]);
    const stakePerTicket = await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "stakePerTicket", [e.price, stakeBps]);
    const logs = all.filter(
      (l) =>
        [
          "EventTicketNFT:EventCreated",
          "PaymentProcessor:EventStakeSet",
          "EventTicketNFT:EventCancelled",
          "EventTicketNFT:EventCompleted",
          "PaymentProcessor:EventSettled",
          "PaymentProcessor:StakeForfeited",
        ].includes(l.eventName) && l.args.eventId === id,
    );
    events.set(id, {
      id,
      organizer: e.organizer,
      maxCapacity: e.maxCapacity,
      price: e.price,
      sold: e.sold,
      checkedIn: e.checkedIn,
      paidCheckedIn: e.paidCheckedIn,
      status: STATUS_EVENT[e.status]!,
      stakeBps,
      escrowed,
      paidTickets,
      settled,
      stakePerTicket,
      logs,
    });
  }

  const payments = new Map<Hex, ChainPayment>();
  for (const received of named("PaymentProcessor:PaymentReceived")) {
    const id = lc(received.args.paymentId) as Hex;
    const p = await read(c.PaymentProcessor.address, abis.PaymentProcessor, "getPayment", [id]);
    payments.set(id, { id, buyer: p.buyer, eventId: p.eventId, amount: p.amount, status: STATUS_PAYMENT[p.status]!, tokenIds: [...p.tokenIds] });
  }
  const paymentOf = new Map<bigint, Hex>();
  for (const p of payments.values()) for (const t of p.tokenIds) paymentOf.set(t, p.id);

  const tickets = new Map<bigint, ChainTicket>();
  const nextTokenId = await read<bigint>(c.EventTicketNFT.address, abis.EventTicketNFT, "nextTokenId");
  const transfers = named("EventTicketNFT:Transfer");
  for (let tokenId = 1n; tokenId < nextTokenId; tokenId++) {
    const nft = c.EventTicketNFT.address;
    let owner: Address | null = null;
    try {
      owner = await read<Address>(nft, abis.EventTicketNFT, "ownerOf", [tokenId]);
    } catch {
      owner = null; // burned
    }
    const mint = transfers.find((l) => l.args.tokenId === tokenId && l.args.from === zeroAddress)!;
    tickets.set(tokenId, {
      tokenId,
      eventId: await read<bigint>(nft, abis.EventTicketNFT, "ticketEvent", [tokenId]),
      owner,
      buyer: mint.args.to,
      complimentary: await read<boolean>(nft, abis.EventTicketNFT, "isComplimentary", [tokenId]),
      checkedIn: await read<boolean>(nft, abis.EventTicketNFT, "checkedIn", [tokenId]),
      gateId: await read<Hex>(nft, abis.EventTicketNFT, "checkInGate", [tokenId]),
      ticketStake: await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "ticketStake", [tokenId]),
      claimableStake: await read<bigint>(c.PaymentProcessor.address, abis.PaymentProcessor, "claimableStake", [tokenId]),
      paymentId: paymentOf.get(tokenId) ?? null,
      mint,
      checkIn: named("EventTicketNFT:TicketCheckedIn").find((l) => l.args.tokenId === tokenId) ?? null,
      claim: named("PaymentProcessor:StakeClaimed").find((l) => l.args.tokenId === tokenId) ?? null,
    });
  }

  // ---------------------------------------------------------------- QR orders
  const orders = new Map<Hex, ChainOrder>();
  for (const paid of named("QRPayment:PaymentUpdated")) {
    const hash = lc(paid.args.orderDataHash) as Hex;
    if (orders.has(hash)) continue;
    const o = await read(c.QRPayment.address, abis.QRPayment, "getOrder", [hash]);
    const settlements: (Log & { bot: Address })[] = [];
    for (const s of named("QRPayment:OrderSettled").filter((l) => lc(l.args.orderDataHash) === hash)) settlements.push({ ...s, bot: await sender(s.transactionHash) });
    orders.set(hash, {
      hash,
      creator: o.creator,
      token: o.token,
      paidAmount: o.paidAmount,
      paidFiat: o.paidFiat,
      settledAmount: o.settledAmount,
      settledFiat: o.settledFiat,
      unsettled: await read<bigint>(c.QRPayment.address, abis.QRPayment, "unsettledAmount", [hash]),
      orderId: paid.args.orderId,
      referenceString: paid.args.referenceString,
      payments: named("QRPayment:PaymentUpdated").filter((l) => lc(l.args.orderDataHash) === hash),
      settlements,
    });
  }

  // ---------------------------------------------------------------- tokens, single-holder roles, owners
  const tokens = new Map<string, { symbol: string; decimals: number }>([[zeroAddress, { symbol: "ETH", decimals: 18 }]]);
  for (const token of [deployment.tokens.USDC, deployment.tokens.USDT]) {
    tokens.set(lc(token), {
      symbol: await read<string>(token, abis.TestToken, "symbol"),
      decimals: Number(await read<number>(token, abis.TestToken, "decimals")),
    });
  }
  const owners: ChainModel["owners"] = {};
  for (const name of ["BookingEscrow", "EventTicketNFT", "PaymentProcessor", "QRPayment", "OracleHub"] as const) {
    owners[name] = {
      owner: await read<Address>(c[name].address, abis[name], "owner"),
      pendingOwner: await read<Address>(c[name].address, abis[name], "pendingOwner"),
    };
  }
  return {
    chainId: deployment.chainId,
    head,
    logs: all,
    blockTime,
    bookings,
    events,
    tickets,
    payments,
    orders,
    tokens,
    paymentToken: await read<Address>(c.BookingEscrow.address, abis.BookingEscrow, "paymentToken"),
    singles: {
      signer: await read<Address>(c.BookingEscrow.address, abis.BookingEscrow, "signer"),
      platformWallet: await read<Address>(c.BookingEscrow.address, abis.BookingEscrow, "platformWallet"),
      minter: await read<Address>(c.EventTicketNFT.address, abis.EventTicketNFT, "minter"),
      oracle: await read<Address>(c.QRPayment.address, abis.QRPayment, "oracle"),
    },
    owners,
  };
}
