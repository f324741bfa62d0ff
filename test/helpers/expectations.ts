// What every table of ponder.schema.ts must hold, computed from the chain alone: the raw logs
// (test/helpers/logs.ts) replayed in chain order by this model, plus a few immutable views (token
// metadata, the escrow's payment token). Written apart from the handlers in src/, and checked
// against the contracts' views (the simulator's summary) by `viewMismatches`, so a handler bug
// shows up as a difference instead of being copied into the expectation.
import { decodeFunctionData, erc20Abi, zeroAddress, type Address, type Hex, type PublicClient } from "viem";
import { abis } from "../../devchain/artifacts.js";
import type { Deployment } from "../../config/deployment.js";
import type { Summary } from "../../devchain/sim/summary.js";
import type { ChainLog, LogMeta } from "./logs.js";

export type Cell = string | null;
export type Row = Record<string, Cell>;

const WHERE = ["blockNumber", "timestamp", "txHash", "logIndex"] as const;

/**
 * Columns compared, per SQL table name (schema keys, camelCase). Every column of every table is
 * listed except `id` of append-only tables (txHash + logIndex, compared, identify the row).
 */
const MODEL_COLUMNS: Record<string, readonly string[]> = {
  account: ["address", "firstSeenBlock", "firstSeenAt"],
  contract_info: ["name", "address", "owner", "pendingOwner", "paused", "pausedBy", "updatedBlock", "updatedAt"],
  role_member: ["contract", "role", "account", "active", "updatedBlock", "updatedAt", "updatedTxHash"],
  role_history: ["contract", "role", "account", "active", ...WHERE],
  token: ["address", "symbol", "decimals"],
  daily_stat: [
    "day", "contract", "token", "inflow", "outflow", "platformFees", "bookingsCreated", "bookingsCompleted", "bookingsCancelled",
    "ticketsSold", "ticketsCheckedIn", "ticketsRefunded", "qrPayments", "qrSettlements", "fiatPaid", "fiatSettled",
  ],
  escrow_state: ["address", "paymentToken", "signer", "platformWallet", "autoCompleteDelay", "totalEscrowed", "bookingsCreated", "bookingsCompleted", "bookingsCancelled"],
  booking: [
    "id", "customer", "provider", "inviter", "amount", "platformFeeRate", "inviterFeeRate", "expectedProviderAmount", "expectedPlatformFee",
    "expectedInviterFee", "status", "customerRefund", "providerAmount", "platformAmount", "inviterAmount", "platformWallet", "cancelledBy",
    "cancelReason", "cancellationNonce", "emergency", "createdBlock", "createdAt", "createdTxHash", "settledBlock", "settledAt", "settledTxHash",
  ],
  booking_history: ["bookingId", "status", "actor", "amount", "customerRefund", "providerAmount", "platformAmount", "inviterAmount", "reason", ...WHERE],
  account_earnings: ["account", "total", "asProvider", "asInviter", "asPlatform", "payouts", "lastPaidAt"],
  fee_ledger: ["bookingId", "account", "role", "kind", "amount", ...WHERE],
  ticketed_event: [
    "id", "organizer", "maxCapacity", "price", "stakeBps", "stakePerTicket", "status", "sold", "paidTickets", "complimentaryTickets", "burned",
    "checkedIn", "paidCheckedIn", "lastStakedTokenId", "escrowed", "settled", "organizerAmount", "platformFee", "stakesHeld", "noShows",
    "forfeitedStakes", "createdBlock", "createdAt", "createdTxHash", "endedBlock", "endedAt",
  ],
  ticketed_event_history: ["eventId", "action", "status", "stakeBps", "organizerAmount", "platformFee", "stakesHeld", ...WHERE],
  ticket: [
    "tokenId", "eventId", "owner", "buyer", "paymentId", "complimentary", "checkedIn", "gateId", "validator", "checkedInAt", "burned",
    "mintedBlock", "mintedAt", "mintedTxHash",
  ],
  ticket_transfer: ["tokenId", "from", "to", ...WHERE],
  check_in: ["tokenId", "eventId", "gateId", "validator", "holder", ...WHERE],
  processor_state: ["address", "paymentCount", "platformFees", "platformFeesWithdrawn", "unclaimedStakes"],
  pending_payment: ["txHash", "paymentId", "eventId", "buyer", "amount", "tokenIds"],
  payment: [
    "id", "eventId", "buyer", "amount", "quantity", "tokenIds", "stakePerTicket", "status", "createdBlock", "createdAt", "createdTxHash",
    "refundedBlock", "refundedAt", "refundTxHash",
  ],
  refund: ["paymentId", "eventId", "buyer", "amount", "tokenIds", ...WHERE],
  stake: ["tokenId", "eventId", "paymentId", "previousStakedTokenId", "amount", "status", "claimable", "claimedBy", "claimedAt", "claimTxHash"],
  organizer_balance: ["organizer", "balance", "revenueCredited", "forfeitedStakesCredited", "withdrawn", "withdrawals", "updatedAt"],
  processor_ledger: ["kind", "account", "amount", "eventId", "paymentId", "tokenId", "platformFee", "noShows", ...WHERE],
  qr_order: [
    "id", "creator", "orderId", "referenceString", "token", "native", "paidAmount", "paidFiat", "settledAmount", "settledFiat",
    "unsettledAmount", "status", "paymentCount", "settlementCount", "lastBeneficiary", "createdBlock", "createdAt", "updatedBlock", "updatedAt",
  ],
  qr_payment: ["orderDataHash", "creator", "token", "tokenAmount", "fiatAmount", ...WHERE],
  qr_settlement: ["orderDataHash", "beneficiary", "token", "tokenAmount", "fiatAmount", "bot", ...WHERE],
  qr_token_total: ["token", "paid", "settled", "unsettled"],
  oracle_rate: ["token", "rate", "decimals", "updates", "updatedBlock", "updatedAt"],
  oracle_rate_history: ["token", "rate", "previousRate", ...WHERE],
};

/** What the model computes, plus the chain every row is from (first in every key). */
export const COMPARED_COLUMNS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(MODEL_COLUMNS).map(([table, columns]) => [table, ["chainId", ...columns]]),
);

// ------------------------------------------------------------------------------------ model

type ContractName = keyof Deployment["contracts"];
type Value = bigint | number | boolean | string | null | readonly bigint[];
type Rec = Record<string, Value | undefined>;

const Z = zeroAddress as Hex;
const lc = (a: string) => a.toLowerCase() as Hex;
const where = (l: LogMeta) => ({ blockNumber: l.blockNumber, timestamp: l.timestamp, txHash: l.txHash, logIndex: l.logIndex });
const DAILY_FIELDS = [
  "inflow", "outflow", "platformFees", "bookingsCreated", "bookingsCompleted", "bookingsCancelled", "ticketsSold", "ticketsCheckedIn",
  "ticketsRefunded", "qrPayments", "qrSettlements", "fiatPaid", "fiatSettled",
] as const;
type DailyField = (typeof DAILY_FIELDS)[number];

function getOrThrow<K, V>(map: Map<K, V>, key: K, what: string): V {
  const v = map.get(key);
  if (v === undefined) throw new Error(`model: unknown ${what} ${String(key)}`);
  return v;
}

const qrStatus = (paid: bigint, settled: bigint) => (settled === 0n ? "PAID" : settled === paid ? "SETTLED" : "PARTIALLY_SETTLED");

/** The replay's state: one Map or list per table. */
class Model {
  account = new Map<Hex, Rec>();
  contractInfo = new Map<string, Rec>();
  roleMember = new Map<string, Rec>();
  roleHistory: Rec[] = [];
  daily = new Map<string, Rec>();
  escrow = new Map<Hex, Rec>();
  booking = new Map<Hex, Rec>();
  bookingHistory: Rec[] = [];
  earnings = new Map<Hex, Rec>();
  feeLedger: Rec[] = [];
  event = new Map<bigint, Rec>();
  eventHistory: Rec[] = [];
  ticket = new Map<bigint, Rec>();
  transfers: Rec[] = [];
  checkIns: Rec[] = [];
  processor = new Map<Hex, Rec>();
  pending = new Map<Hex, { paymentId: Hex; eventId: bigint; buyer: Hex; amount: bigint; tokenIds: bigint[] }>();
  payment = new Map<Hex, Rec & { tokenIds: bigint[] }>();
  refunds: Rec[] = [];
  stake = new Map<bigint, Rec>();
  organizer = new Map<Hex, Rec>();
  ledger: Rec[] = [];
  qrOrder = new Map<Hex, Rec>();
  qrPayments: Rec[] = [];
  qrSettlements: Rec[] = [];
  qrTotals = new Map<Hex, Rec>();
  rate = new Map<Hex, Rec>();
  rateHistory: Rec[] = [];
  /** Tokens seen by QR payments and rate updates (metadata comes from the token contracts). */
  tokens = new Set<Hex>();

  constructor(
    readonly paymentToken: Hex,
    /** The cancelling transactions (to, input) by hash: the nonce of a direct cancelBooking call. */
    readonly cancellingTxs: ReadonlyMap<Hex, { to: Hex | null; input: Hex }> = new Map(),
  ) {}

  touch(l: LogMeta, ...addresses: (string | null | undefined)[]) {
    for (const a of addresses) {
      if (!a || lc(a) === Z || this.account.has(lc(a))) continue;
      this.account.set(lc(a), { address: lc(a), firstSeenBlock: l.blockNumber, firstSeenAt: l.timestamp });
    }
  }

  bump(l: LogMeta, contract: ContractName, token: Hex, delta: Partial<Record<DailyField, bigint | number>>) {
    const day = Number(l.timestamp / 86_400n);
    const key = `${day}|${contract}|${token}`;
    const row = this.daily.get(key) ?? { day, contract, token, ...Object.fromEntries(DAILY_FIELDS.map((f) => [f, 0n])) };
    for (const [f, v] of Object.entries(delta)) row[f] = (row[f] as bigint) + BigInt(v);
    this.daily.set(key, row);
  }

  contract(l: LogMeta, name: ContractName, set: Rec) {
    const row = this.contractInfo.get(name) ?? { name, address: lc(l.address), owner: null, pendingOwner: null, paused: false, pausedBy: null };
    this.contractInfo.set(name, { ...row, ...set, updatedBlock: l.blockNumber, updatedAt: l.timestamp });
  }

  setRole(l: LogMeta, contract: ContractName, role: string, holder: string, active: boolean) {
    if (lc(holder) === Z) return;
    const account = lc(holder);
    this.touch(l, account);
    this.roleMember.set(`${contract}|${role}|${account}`, { contract, role, account, active, updatedBlock: l.blockNumber, updatedAt: l.timestamp, updatedTxHash: l.txHash });
    this.roleHistory.push({ contract, role, account, active, ...where(l) });
  }

  moveRole(l: LogMeta, contract: ContractName, role: string, previous: string, next: string) {
    if (lc(previous) !== lc(next)) this.setRole(l, contract, role, previous, false);
    this.setRole(l, contract, role, next, true);
  }

  /** Pausable and Ownable2Step logs, the same on every contract. */
  common(l: ChainLog): boolean {
    const e = l.event as { eventName: string; args: Record<string, unknown> };
    const name = l.contract;
    switch (e.eventName) {
      case "Paused":
        this.contract(l, name, { paused: true, pausedBy: lc(e.args.account as string) });
        return true;
      case "Unpaused":
        this.contract(l, name, { paused: false, pausedBy: null });
        return true;
      case "OwnershipTransferStarted": {
        const next = lc(e.args.newOwner as string);
        this.contract(l, name, { pendingOwner: next === Z ? null : next });
        return true;
      }
      case "OwnershipTransferred":
        this.touch(l, e.args.newOwner as string);
        this.contract(l, name, { owner: lc(e.args.newOwner as string), pendingOwner: null });
        return true;
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------- BookingEscrow

  escrowRow(l: LogMeta): Rec {
    const address = lc(l.address);
    let row = this.escrow.get(address);
    if (!row) {
      row = { address, paymentToken: this.paymentToken, signer: null, platformWallet: null, autoCompleteDelay: null, totalEscrowed: 0n, bookingsCreated: 0, bookingsCompleted: 0, bookingsCancelled: 0 };
      this.escrow.set(address, row);
    }
    return row;
  }

  payout(l: LogMeta, bookingId: Hex, kind: string, role: string, account: Hex | null, amount: bigint) {
    if (amount === 0n) return;
    if (!account) throw new Error(`model: ${role} payout without a payee on booking ${bookingId}`);
    this.touch(l, account);
    const row = this.earnings.get(account) ?? { account, total: 0n, asProvider: 0n, asInviter: 0n, asPlatform: 0n, payouts: 0, lastPaidAt: null };
    const column = { PROVIDER: "asProvider", INVITER: "asInviter", PLATFORM: "asPlatform" }[role]!;
    row.total = (row.total as bigint) + amount;
    row[column] = (row[column] as bigint) + amount;
    row.payouts = (row.payouts as number) + 1;
    row.lastPaidAt = l.timestamp;
    this.earnings.set(account, row);
    this.feeLedger.push({ bookingId, account, role, kind, amount, ...where(l) });
  }

  onEscrow(l: ChainLog & { contract: "BookingEscrow" }) {
    const e = l.event;
    switch (e.eventName) {
      case "BookingCreatedAndPaid": {
        const { bookingId, customer, provider, inviter, amount, platformFeeRate, inviterFeeRate } = e.args;
        const platformFee = (amount * platformFeeRate) / 10_000n;
        const inviterFee = (amount * inviterFeeRate) / 10_000n;
        const id = lc(bookingId);
        this.booking.set(id, {
          id, customer: lc(customer), provider: lc(provider), inviter: lc(inviter) === Z ? null : lc(inviter), amount,
          platformFeeRate, inviterFeeRate, expectedProviderAmount: amount - platformFee - inviterFee, expectedPlatformFee: platformFee,
          expectedInviterFee: inviterFee, status: "PAID", customerRefund: 0n, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n,
          platformWallet: null, cancelledBy: null, cancelReason: null, cancellationNonce: null, emergency: false, createdBlock: l.blockNumber, createdAt: l.timestamp,
          createdTxHash: l.txHash, settledBlock: null, settledAt: null, settledTxHash: null,
        });
        this.bookingHistory.push({ bookingId: id, status: "PAID", actor: lc(customer), amount, customerRefund: 0n, providerAmount: 0n, platformAmount: 0n, inviterAmount: 0n, reason: null, ...where(l) });
        this.touch(l, customer, provider, inviter);
        const s = this.escrowRow(l);
        s.totalEscrowed = (s.totalEscrowed as bigint) + amount;
        s.bookingsCreated = (s.bookingsCreated as number) + 1;
        this.bump(l, "BookingEscrow", this.paymentToken, { inflow: amount, bookingsCreated: 1 });
        return;
      }
      case "ServiceCompleted":
      case "BookingCancelled": {
        const id = lc(e.args.bookingId);
        const b = getOrThrow(this.booking, id, "booking");
        const s = this.escrowRow(l);
        const wallet = s.platformWallet as Hex;
        const completed = e.eventName === "ServiceCompleted";
        const split = completed
          ? { customerRefund: 0n, providerAmount: e.args.providerAmount, platformAmount: e.args.platformFee, inviterAmount: e.args.inviterFee }
          : { customerRefund: e.args.customerAmount, providerAmount: e.args.providerAmount, platformAmount: e.args.platformAmount, inviterAmount: e.args.inviterAmount };
        const status = completed ? "COMPLETED" : "CANCELLED";
        Object.assign(b, { status, ...split, platformWallet: wallet, settledBlock: l.blockNumber, settledAt: l.timestamp, settledTxHash: l.txHash });
        let actor = lc(l.from);
        let reason: string | null = null;
        if (e.eventName === "BookingCancelled") {
          actor = lc(e.args.cancelledBy);
          reason = e.args.reason.replaceAll("\u0000", ""); // the index drops NULs (PostgreSQL text cannot hold them)
          // The authorization's nonce, when the transaction itself was the escrow's cancelBooking.
          let cancellationNonce: bigint | null = null;
          const tx = this.cancellingTxs.get(l.txHash);
          if (tx?.to && lc(tx.to) === lc(l.address)) {
            const call = decodeFunctionData({ abi: abis.BookingEscrow, data: tx.input });
            if (call.functionName === "cancelBooking" && lc(call.args[0].bookingId) === id) cancellationNonce = call.args[0].nonce;
          }
          Object.assign(b, { cancelledBy: actor, cancelReason: reason, cancellationNonce, emergency: actor !== b.customer && actor !== b.provider });
          this.touch(l, actor);
        }
        this.bookingHistory.push({ bookingId: id, status, actor, amount: b.amount, ...split, reason, ...where(l) });
        const kind = completed ? "COMPLETION" : "CANCELLATION";
        this.payout(l, id, kind, "PROVIDER", b.provider as Hex, split.providerAmount);
        this.payout(l, id, kind, "PLATFORM", wallet, split.platformAmount);
        this.payout(l, id, kind, "INVITER", b.inviter as Hex | null, split.inviterAmount);
        s.totalEscrowed = (s.totalEscrowed as bigint) - (b.amount as bigint);
        if (completed) s.bookingsCompleted = (s.bookingsCompleted as number) + 1;
        else s.bookingsCancelled = (s.bookingsCancelled as number) + 1;
        this.bump(l, "BookingEscrow", this.paymentToken, {
          outflow: b.amount as bigint,
          platformFees: split.platformAmount,
          [completed ? "bookingsCompleted" : "bookingsCancelled"]: 1,
        });
        return;
      }
      case "SignerUpdated":
        this.escrowRow(l).signer = lc(e.args.newSigner);
        this.moveRole(l, "BookingEscrow", "SIGNER", e.args.previousSigner, e.args.newSigner);
        return;
      case "PlatformWalletUpdated":
        this.escrowRow(l).platformWallet = lc(e.args.newWallet);
        this.moveRole(l, "BookingEscrow", "PLATFORM_WALLET", e.args.previousWallet, e.args.newWallet);
        return;
      case "AutoCompleteDelayUpdated":
        this.escrowRow(l).autoCompleteDelay = e.args.newDelay;
        return;
      case "OperatorUpdated":
        this.setRole(l, "BookingEscrow", "OPERATOR", e.args.operator, e.args.status);
        return;
    }
  }

  // ---------------------------------------------------------------- EventTicketNFT

  eventHistoryRow(l: LogMeta, eventId: bigint, action: string, status: string, extra: Rec = {}) {
    this.eventHistory.push({ eventId, action, status, stakeBps: null, organizerAmount: null, platformFee: null, stakesHeld: null, ...extra, ...where(l) });
  }

  minted(l: LogMeta, eventId: bigint, tokenIds: readonly bigint[], buyer: Hex) {
    const ev = getOrThrow(this.event, eventId, "event");
    const purchase = this.pending.get(l.txHash);
    const paid = purchase !== undefined && purchase.eventId === eventId && purchase.tokenIds.length === 0;
    for (const tokenId of tokenIds) {
      this.ticket.set(tokenId, {
        tokenId, eventId, owner: lc(buyer), buyer: lc(buyer), paymentId: paid ? purchase.paymentId : null, complimentary: !paid,
        checkedIn: false, gateId: null, validator: null, checkedInAt: null, burned: false, mintedBlock: l.blockNumber, mintedAt: l.timestamp, mintedTxHash: l.txHash,
      });
    }
    if (paid) purchase.tokenIds = [...tokenIds];
    ev.sold = (ev.sold as bigint) + BigInt(tokenIds.length);
    if (!paid) ev.complimentaryTickets = (ev.complimentaryTickets as bigint) + BigInt(tokenIds.length);
    this.touch(l, buyer);
    this.bump(l, "EventTicketNFT", Z, { ticketsSold: tokenIds.length });
  }

  onTickets(l: ChainLog & { contract: "EventTicketNFT" }) {
    const e = l.event;
    switch (e.eventName) {
      case "EventCreated": {
        const { eventId, organizer, maxCapacity, price } = e.args;
        this.event.set(eventId, {
          id: eventId, organizer: lc(organizer), maxCapacity, price, stakeBps: 0, stakePerTicket: 0n, status: "ACTIVE", sold: 0n, paidTickets: 0n,
          complimentaryTickets: 0n, burned: 0n, checkedIn: 0n, paidCheckedIn: 0n, lastStakedTokenId: null, escrowed: 0n, settled: false,
          organizerAmount: null, platformFee: null, stakesHeld: null, noShows: null, forfeitedStakes: null, createdBlock: l.blockNumber,
          createdAt: l.timestamp, createdTxHash: l.txHash, endedBlock: null, endedAt: null,
        });
        this.eventHistoryRow(l, eventId, "CREATED", "ACTIVE");
        this.touch(l, organizer);
        return;
      }
      case "EventCancelled":
      case "EventCompleted": {
        const status = e.eventName === "EventCancelled" ? "CANCELLED" : "COMPLETED";
        Object.assign(getOrThrow(this.event, e.args.eventId, "event"), { status, endedBlock: l.blockNumber, endedAt: l.timestamp });
        this.eventHistoryRow(l, e.args.eventId, status, status);
        return;
      }
      case "TicketMinted":
        this.minted(l, e.args.eventId, [e.args.tokenId], e.args.buyer);
        return;
      case "TicketBatchMinted":
        this.minted(l, e.args.eventId, e.args.tokenIds, e.args.buyer);
        return;
      case "Transfer": {
        const { from, to, tokenId } = e.args;
        this.transfers.push({ tokenId, from: lc(from), to: lc(to), ...where(l) });
        if (lc(from) === Z) return;
        const t = getOrThrow(this.ticket, tokenId, "ticket");
        if (lc(to) === Z) {
          Object.assign(t, { owner: Z, burned: true });
          const ev = getOrThrow(this.event, t.eventId as bigint, "event");
          ev.burned = (ev.burned as bigint) + 1n;
          return;
        }
        t.owner = lc(to);
        this.touch(l, to);
        return;
      }
      case "TicketCheckedIn": {
        const { tokenId, eventId, gateId, validator } = e.args;
        const t = getOrThrow(this.ticket, tokenId, "ticket");
        Object.assign(t, { checkedIn: true, gateId: lc(gateId), validator: lc(validator), checkedInAt: l.timestamp });
        this.checkIns.push({ tokenId, eventId, gateId: lc(gateId), validator: lc(validator), holder: t.owner, ...where(l) });
        const ev = getOrThrow(this.event, eventId, "event");
        ev.checkedIn = (ev.checkedIn as bigint) + 1n;
        if (!t.complimentary) ev.paidCheckedIn = (ev.paidCheckedIn as bigint) + 1n;
        this.bump(l, "EventTicketNFT", Z, { ticketsCheckedIn: 1 });
        return;
      }
      case "ValidatorUpdated":
        this.setRole(l, "EventTicketNFT", "VALIDATOR", e.args.validator, e.args.status);
        return;
      case "MinterUpdated":
        this.moveRole(l, "EventTicketNFT", "MINTER", e.args.previousMinter, e.args.newMinter);
        return;
    }
  }

  // ---------------------------------------------------------------- PaymentProcessor

  processorRow(l: LogMeta): Rec {
    const address = lc(l.address);
    let row = this.processor.get(address);
    if (!row) {
      row = { address, paymentCount: 0, platformFees: 0n, platformFeesWithdrawn: 0n, unclaimedStakes: 0n };
      this.processor.set(address, row);
    }
    return row;
  }

  ledgerRow(l: LogMeta, entry: Rec) {
    this.ledger.push({ eventId: null, paymentId: null, tokenId: null, platformFee: null, noShows: null, ...entry, ...where(l) });
  }

  credit(l: LogMeta, organizer: Hex, revenue: bigint, forfeited: bigint) {
    const row = this.organizer.get(organizer) ?? { organizer, balance: 0n, revenueCredited: 0n, forfeitedStakesCredited: 0n, withdrawn: 0n, withdrawals: 0 };
    row.balance = (row.balance as bigint) + revenue + forfeited;
    row.revenueCredited = (row.revenueCredited as bigint) + revenue;
    row.forfeitedStakesCredited = (row.forfeitedStakesCredited as bigint) + forfeited;
    row.updatedAt = l.timestamp;
    this.organizer.set(organizer, row);
  }

  onProcessor(l: ChainLog & { contract: "PaymentProcessor" }) {
    const e = l.event;
    switch (e.eventName) {
      case "PaymentReceived": {
        const { paymentId, eventId, buyer, amount } = e.args;
        this.processorRow(l);
        this.pending.set(l.txHash, { paymentId: lc(paymentId), eventId, buyer: lc(buyer), amount, tokenIds: [] });
        const ev = getOrThrow(this.event, eventId, "event");
        ev.escrowed = (ev.escrowed as bigint) + amount;
        this.ledgerRow(l, { kind: "PAYMENT_RECEIVED", account: lc(buyer), amount, eventId, paymentId: lc(paymentId) });
        this.touch(l, buyer);
        this.bump(l, "PaymentProcessor", Z, { inflow: amount });
        return;
      }
      case "PaymentConfirmed": {
        const p = getOrThrow(this.pending, l.txHash, "pending payment");
        const ev = getOrThrow(this.event, p.eventId, "event");
        const quantity = p.tokenIds.length;
        const stakePerTicket = p.amount / BigInt(quantity) - (ev.price as bigint);
        this.payment.set(p.paymentId, {
          id: p.paymentId, eventId: p.eventId, buyer: p.buyer, amount: p.amount, quantity, tokenIds: p.tokenIds, stakePerTicket, status: "CONFIRMED",
          createdBlock: l.blockNumber, createdAt: l.timestamp, createdTxHash: l.txHash, refundedBlock: null, refundedAt: null, refundTxHash: null,
        });
        if (stakePerTicket > 0n) {
          for (const tokenId of p.tokenIds) {
            // Each stake points at the event's stake sold just before it (in log, then token order).
            const previousStakedTokenId = ev.lastStakedTokenId;
            this.stake.set(tokenId, { tokenId, eventId: p.eventId, paymentId: p.paymentId, previousStakedTokenId, amount: stakePerTicket, status: "HELD", claimable: 0n, claimedBy: null, claimedAt: null, claimTxHash: null });
            ev.lastStakedTokenId = tokenId;
          }
        }
        ev.paidTickets = (ev.paidTickets as bigint) + BigInt(quantity);
        const s = this.processorRow(l);
        s.paymentCount = (s.paymentCount as number) + 1;
        this.pending.delete(l.txHash);
        return;
      }
      case "Refund": {
        const id = lc(e.args.paymentId);
        const p = getOrThrow(this.payment, id, "payment");
        Object.assign(p, { status: "REFUNDED", refundedBlock: l.blockNumber, refundedAt: l.timestamp, refundTxHash: l.txHash });
        this.refunds.push({ paymentId: id, eventId: p.eventId, buyer: lc(e.args.buyer), amount: e.args.amount, tokenIds: p.tokenIds, ...where(l) });
        for (const tokenId of p.tokenIds) {
          const s = this.stake.get(tokenId);
          if (s) Object.assign(s, { status: "REFUNDED", claimable: 0n });
        }
        const ev = getOrThrow(this.event, p.eventId as bigint, "event");
        ev.escrowed = (ev.escrowed as bigint) - e.args.amount;
        ev.paidTickets = (ev.paidTickets as bigint) - BigInt(p.tokenIds.length);
        this.ledgerRow(l, { kind: "REFUND", account: lc(e.args.buyer), amount: e.args.amount, eventId: p.eventId, paymentId: id });
        this.bump(l, "PaymentProcessor", Z, { outflow: e.args.amount, ticketsRefunded: p.tokenIds.length });
        return;
      }
      case "EventStakeSet": {
        const ev = getOrThrow(this.event, e.args.eventId, "event");
        const bps = Number(e.args.stakeBps);
        Object.assign(ev, { stakeBps: bps, stakePerTicket: ((ev.price as bigint) * e.args.stakeBps) / 10_000n });
        this.eventHistoryRow(l, e.args.eventId, "STAKE_SET", ev.status as string, { stakeBps: bps });
        return;
      }
      case "EventSettled": {
        const { eventId, organizer, organizerAmount, platformFee, stakesHeld } = e.args;
        const ev = getOrThrow(this.event, eventId, "event");
        Object.assign(ev, {
          settled: true, escrowed: 0n, organizerAmount, platformFee, stakesHeld,
          noShows: (ev.paidTickets as bigint) - (ev.paidCheckedIn as bigint), forfeitedStakes: 0n,
        });
        this.eventHistoryRow(l, eventId, "SETTLED", "COMPLETED", { organizerAmount, platformFee, stakesHeld });
        this.credit(l, lc(organizer), organizerAmount, 0n);
        const s = this.processorRow(l);
        s.platformFees = (s.platformFees as bigint) + platformFee;
        s.unclaimedStakes = (s.unclaimedStakes as bigint) + stakesHeld;
        for (const st of this.stake.values()) {
          if (st.eventId !== eventId || st.status !== "HELD") continue;
          const checkedIn = getOrThrow(this.ticket, st.tokenId as bigint, "ticket").checkedIn === true;
          Object.assign(st, { status: checkedIn ? "CLAIMABLE" : "FORFEITED", claimable: checkedIn ? st.amount : 0n });
        }
        this.ledgerRow(l, { kind: "EVENT_SETTLED", account: lc(organizer), amount: organizerAmount, eventId, platformFee });
        this.bump(l, "PaymentProcessor", Z, { platformFees: platformFee });
        return;
      }
      case "StakeForfeited": {
        const { eventId, organizer, noShows, amount } = e.args;
        Object.assign(getOrThrow(this.event, eventId, "event"), { noShows, forfeitedStakes: amount });
        this.credit(l, lc(organizer), 0n, amount);
        this.ledgerRow(l, { kind: "STAKE_FORFEITED", account: lc(organizer), amount, eventId, noShows });
        return;
      }
      case "StakeClaimed": {
        const { tokenId, eventId, holder, amount } = e.args;
        Object.assign(getOrThrow(this.stake, tokenId, "stake"), { status: "CLAIMED", claimable: 0n, claimedBy: lc(holder), claimedAt: l.timestamp, claimTxHash: l.txHash });
        const s = this.processorRow(l);
        s.unclaimedStakes = (s.unclaimedStakes as bigint) - amount;
        this.ledgerRow(l, { kind: "STAKE_CLAIMED", account: lc(holder), amount, eventId, tokenId });
        this.touch(l, holder);
        this.bump(l, "PaymentProcessor", Z, { outflow: amount });
        return;
      }
      case "EarningsWithdrawn": {
        const { organizer, amount } = e.args;
        const row = getOrThrow(this.organizer, lc(organizer), "organizer");
        row.balance = (row.balance as bigint) - amount;
        row.withdrawn = (row.withdrawn as bigint) + amount;
        row.withdrawals = (row.withdrawals as number) + 1;
        row.updatedAt = l.timestamp;
        this.ledgerRow(l, { kind: "EARNINGS_WITHDRAWN", account: lc(organizer), amount });
        this.bump(l, "PaymentProcessor", Z, { outflow: amount });
        return;
      }
      case "PlatformFeesWithdrawn": {
        const { to, amount } = e.args;
        const s = this.processorRow(l);
        s.platformFees = (s.platformFees as bigint) - amount;
        s.platformFeesWithdrawn = (s.platformFeesWithdrawn as bigint) + amount;
        this.ledgerRow(l, { kind: "PLATFORM_FEES_WITHDRAWN", account: lc(to), amount });
        this.touch(l, to);
        this.bump(l, "PaymentProcessor", Z, { outflow: amount });
        return;
      }
    }
  }

  // ---------------------------------------------------------------- QRPayment and OracleHub

  onQr(l: ChainLog & { contract: "QRPayment" }) {
    const e = l.event;
    switch (e.eventName) {
      case "PaymentUpdated": {
        const { creator, orderId, referenceString, tokenAddress, tokenAmount, fiatAmount, orderDataHash } = e.args;
        const id = lc(orderDataHash);
        const token = lc(tokenAddress);
        this.tokens.add(token);
        const o = this.qrOrder.get(id) ?? {
          id, creator: lc(creator), orderId: orderId.replaceAll("\u0000", ""), referenceString: referenceString.replaceAll("\u0000", ""), token, native: token === Z, paidAmount: 0n, paidFiat: 0n, settledAmount: 0n,
          settledFiat: 0n, paymentCount: 0, settlementCount: 0, lastBeneficiary: null, createdBlock: l.blockNumber, createdAt: l.timestamp,
        };
        o.paidAmount = (o.paidAmount as bigint) + tokenAmount;
        o.paidFiat = (o.paidFiat as bigint) + fiatAmount;
        o.paymentCount = (o.paymentCount as number) + 1;
        Object.assign(o, { updatedBlock: l.blockNumber, updatedAt: l.timestamp });
        this.qrOrder.set(id, o);
        this.qrPayments.push({ orderDataHash: id, creator: lc(creator), token, tokenAmount, fiatAmount, ...where(l) });
        const t = this.qrTotals.get(token) ?? { token, paid: 0n, settled: 0n };
        t.paid = (t.paid as bigint) + tokenAmount;
        this.qrTotals.set(token, t);
        this.touch(l, creator);
        this.bump(l, "QRPayment", token, { inflow: tokenAmount, fiatPaid: fiatAmount, qrPayments: 1 });
        return;
      }
      case "OrderSettled": {
        const { orderDataHash, beneficiary, tokenAddress, tokenAmount, fiatAmount } = e.args;
        const id = lc(orderDataHash);
        const token = lc(tokenAddress);
        const o = getOrThrow(this.qrOrder, id, "order");
        o.settledAmount = (o.settledAmount as bigint) + tokenAmount;
        o.settledFiat = (o.settledFiat as bigint) + fiatAmount;
        o.settlementCount = (o.settlementCount as number) + 1;
        Object.assign(o, { lastBeneficiary: lc(beneficiary), updatedBlock: l.blockNumber, updatedAt: l.timestamp });
        this.qrSettlements.push({ orderDataHash: id, beneficiary: lc(beneficiary), token, tokenAmount, fiatAmount, bot: lc(l.from), ...where(l) });
        const t = getOrThrow(this.qrTotals, token, "QR token");
        t.settled = (t.settled as bigint) + tokenAmount;
        this.touch(l, beneficiary);
        this.bump(l, "QRPayment", token, { outflow: tokenAmount, fiatSettled: fiatAmount, qrSettlements: 1 });
        return;
      }
      case "BotStatusChanged":
        this.setRole(l, "QRPayment", "BOT", e.args.bot, e.args.status);
        return;
      case "OracleUpdated":
        this.moveRole(l, "QRPayment", "ORACLE", e.args.previousOracle, e.args.newOracle);
        return;
    }
  }

  onOracle(l: ChainLog & { contract: "OracleHub" }, decimalsOf: (token: Hex) => number) {
    const e = l.event;
    if (e.eventName !== "RateUpdated") return;
    const token = lc(e.args.token);
    this.tokens.add(token);
    const previous = this.rate.get(token);
    this.rate.set(token, { token, rate: e.args.rate, decimals: decimalsOf(token), updates: ((previous?.updates as number) ?? 0) + 1, updatedBlock: l.blockNumber, updatedAt: l.timestamp });
    this.rateHistory.push({ token, rate: e.args.rate, previousRate: (previous?.rate as bigint | undefined) ?? null, ...where(l) });
  }
}

// ------------------------------------------------------------------------------------ output

/** A value as PostgreSQL prints it with `::text` (arrays as `{1,2}`). */
export function cell(v: Value | undefined): Cell {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return `{${v.map(String).join(",")}}`;
  return String(v);
}

function rows(chainId: number, table: string, recs: Iterable<Rec>): Row[] {
  const columns = MODEL_COLUMNS[table]!;
  return [...recs].map((r) => {
    const out: Row = { chainId: String(chainId) };
    for (const c of columns) {
      if (!(c in r)) throw new Error(`model: ${table} row lacks ${c}`);
      out[c] = cell(r[c]);
    }
    return out;
  });
}

/** Rows in a canonical order, so two sets compare with toEqual. */
export function canonical(list: readonly Row[]): Row[] {
  return [...list].sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export type Expected = { tables: Record<string, Row[]>; model: Model };

/** Replays `logs` (chain order) into the rows every table must hold. */
export async function expectedTables(logs: readonly ChainLog[], deployment: Deployment, client: PublicClient, toBlock: bigint): Promise<Expected> {
  const read = <T>(address: Address, abi: unknown, functionName: string, args: unknown[] = []) =>
    client.readContract({ address, abi: abi as never, functionName: functionName as never, args: args as never, blockNumber: toBlock }) as Promise<T>;
  const paymentToken = lc(await read<Address>(deployment.contracts.BookingEscrow.address, abis.BookingEscrow, "paymentToken"));
  const cancellingTxs = new Map<Hex, { to: Hex | null; input: Hex }>();
  const cancellations = [...new Set(logs.filter((l) => l.contract === "BookingEscrow" && l.event.eventName === "BookingCancelled").map((l) => l.txHash))];
  for (let i = 0; i < cancellations.length; i += 50) {
    const txs = await Promise.all(cancellations.slice(i, i + 50).map((hash) => client.getTransaction({ hash })));
    for (const tx of txs) cancellingTxs.set(tx.hash, { to: tx.to, input: tx.input });
  }
  const model = new Model(paymentToken, cancellingTxs);

  const tokenSet = new Set<Hex>();
  for (const l of logs) {
    if (l.contract === "QRPayment" && l.event.eventName === "PaymentUpdated") tokenSet.add(lc(l.event.args.tokenAddress));
    if (l.contract === "OracleHub" && l.event.eventName === "RateUpdated") tokenSet.add(lc(l.event.args.token));
  }
  const meta = new Map<Hex, { symbol: string; decimals: number }>();
  for (const token of tokenSet) {
    if (token === Z) meta.set(token, { symbol: "ETH", decimals: 18 });
    else meta.set(token, { symbol: await read<string>(token, erc20Abi, "symbol"), decimals: Number(await read<number>(token, erc20Abi, "decimals")) });
  }

  for (const l of logs) {
    if (model.common(l)) continue;
    switch (l.contract) {
      case "BookingEscrow":
        model.onEscrow(l);
        break;
      case "EventTicketNFT":
        model.onTickets(l);
        break;
      case "PaymentProcessor":
        model.onProcessor(l);
        break;
      case "QRPayment":
        model.onQr(l);
        break;
      case "OracleHub":
        model.onOracle(l, (token) => meta.get(token)!.decimals);
        break;
    }
  }

  const qrOrders = [...model.qrOrder.values()].map((o) => ({
    ...o,
    unsettledAmount: (o.paidAmount as bigint) - (o.settledAmount as bigint),
    status: qrStatus(o.paidAmount as bigint, o.settledAmount as bigint),
  }));
  const qrTotals = [...model.qrTotals.values()].map((t) => ({ ...t, unsettled: (t.paid as bigint) - (t.settled as bigint) }));
  const tables: Record<string, Row[]> = {
    account: rows(deployment.chainId, "account", model.account.values()),
    contract_info: rows(deployment.chainId, "contract_info", model.contractInfo.values()),
    role_member: rows(deployment.chainId, "role_member", model.roleMember.values()),
    role_history: rows(deployment.chainId, "role_history", model.roleHistory),
    token: rows(deployment.chainId, "token", [...meta].map(([address, m]) => ({ address, ...m }))),
    daily_stat: rows(deployment.chainId, "daily_stat", model.daily.values()),
    escrow_state: rows(deployment.chainId, "escrow_state", model.escrow.values()),
    booking: rows(deployment.chainId, "booking", model.booking.values()),
    booking_history: rows(deployment.chainId, "booking_history", model.bookingHistory),
    account_earnings: rows(deployment.chainId, "account_earnings", model.earnings.values()),
    fee_ledger: rows(deployment.chainId, "fee_ledger", model.feeLedger),
    ticketed_event: rows(deployment.chainId, "ticketed_event", model.event.values()),
    ticketed_event_history: rows(deployment.chainId, "ticketed_event_history", model.eventHistory),
    ticket: rows(deployment.chainId, "ticket", model.ticket.values()),
    ticket_transfer: rows(deployment.chainId, "ticket_transfer", model.transfers),
    check_in: rows(deployment.chainId, "check_in", model.checkIns),
    processor_state: rows(deployment.chainId, "processor_state", model.processor.values()),
    pending_payment: rows(deployment.chainId, "pending_payment", [...model.pending.values()].map((p) => ({ txHash: "?", ...p }))),
    payment: rows(deployment.chainId, "payment", model.payment.values()),
    refund: rows(deployment.chainId, "refund", model.refunds),
    stake: rows(deployment.chainId, "stake", model.stake.values()),
    organizer_balance: rows(deployment.chainId, "organizer_balance", model.organizer.values()),
    processor_ledger: rows(deployment.chainId, "processor_ledger", model.ledger),
    qr_order: rows(deployment.chainId, "qr_order", qrOrders),
    qr_payment: rows(deployment.chainId, "qr_payment", model.qrPayments),
    qr_settlement: rows(deployment.chainId, "qr_settlement", model.qrSettlements),
    qr_token_total: rows(deployment.chainId, "qr_token_total", qrTotals),
    oracle_rate: rows(deployment.chainId, "oracle_rate", model.rate.values()),
    oracle_rate_history: rows(deployment.chainId, "oracle_rate_history", model.rateHistory),
  };
  return { tables, model };
}

/**
 * Where the replay disagrees with the contracts' own views (the simulator's summary): each entry
 * names the figure. Empty means the expectation is grounded in the chain, not only in the logs.
 */
export function viewMismatches(expected: Expected, summary: Summary, tokens: Deployment["tokens"]): string[] {
  const m = expected.model;
  const out: string[] = [];
  const same = (what: string, model: unknown, view: unknown) => {
    const a = model === null || model === undefined ? null : String(model).toLowerCase();
    const b = view === null || view === undefined ? null : String(view).toLowerCase();
    if (a !== b) out.push(`${what}: model ${a}, view ${b}`);
  };
  const escrow = [...m.escrow.values()][0];
  same("totalEscrowed", escrow?.totalEscrowed, summary.bookingEscrow.totalEscrowed);
  for (const [id, b] of Object.entries(summary.bookingEscrow.bookings)) {
    const row = m.booking.get(lc(id));
    same(`booking ${id} status`, row?.status, b.status);
    same(`booking ${id} amount`, row?.amount, b.amount);
    same(`booking ${id} inviter`, row?.inviter ?? zeroAddress, b.inviter);
  }
  for (const [account, total] of Object.entries(summary.bookingEscrow.earnings)) same(`earnings ${account}`, m.earnings.get(lc(account))?.total ?? 0n, total);
  for (const [id, e] of Object.entries(summary.tickets.events)) {
    const row = m.event.get(BigInt(id));
    for (const f of ["status", "sold", "checkedIn", "paidCheckedIn", "escrowed", "paidTickets", "settled", "stakeBps", "maxCapacity", "price", "organizer"] as const) {
      same(`event ${id} ${f}`, row?.[f], e[f]);
    }
  }
  same("ticket count", m.ticket.size, BigInt(summary.tickets.nextTokenId) - 1n);
  const pp = summary.paymentProcessor;
  const proc = [...m.processor.values()][0];
  same("platformFees", proc?.platformFees, pp.platformFees);
  same("unclaimedStakes", proc?.unclaimedStakes, pp.unclaimedStakes);
  same("paymentCount", proc?.paymentCount, pp.paymentCount);
  for (const [organizer, balance] of Object.entries(pp.organizerBalances)) same(`organizerBalance ${organizer}`, m.organizer.get(lc(organizer))?.balance ?? 0n, balance);
  for (const [id, p] of Object.entries(pp.payments)) {
    const row = m.payment.get(lc(id));
    same(`payment ${id} status`, row?.status, p.status);
    same(`payment ${id} amount`, row?.amount, p.amount);
    same(`payment ${id} tickets`, row?.quantity, p.tickets);
  }
  for (const [hash, o] of Object.entries(summary.qrPayment.orders)) {
    const row = m.qrOrder.get(lc(hash));
    for (const f of ["paidAmount", "paidFiat", "settledAmount", "settledFiat", "creator", "token"] as const) same(`order ${hash} ${f}`, row?.[f], o[f]);
  }
  const net = (contract: string, token: Hex) =>
    [...m.daily.values()].filter((r) => r.contract === contract && r.token === token).reduce((s, r) => s + (r.inflow as bigint) - (r.outflow as bigint), 0n);
  same("escrow holds", net("BookingEscrow", m.paymentToken), summary.bookingEscrow.tokenBalance);
  same("processor holds", net("PaymentProcessor", Z), pp.ethBalance);
  const qrTokens = { USDC: lc(tokens.USDC), USDT: lc(tokens.USDT), native: Z } as const;
  for (const [name, token] of Object.entries(qrTokens) as [keyof typeof qrTokens, Hex][]) {
    same(`QR holds ${name}`, net("QRPayment", token), summary.qrPayment.balances[name]);
    same(`totalUnsettled ${name}`, m.qrTotals.get(token) ? (m.qrTotals.get(token)!.paid as bigint) - (m.qrTotals.get(token)!.settled as bigint) : 0n, summary.qrPayment.totalUnsettled[name]);
    same(`rate ${name}`, m.rate.get(token)?.rate ?? 0n, summary.oracle.rates[name]);
  }
  return out;
}
