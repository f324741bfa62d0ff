// Which contract view must equal which indexed figure (SPEC §2: "every balance the contracts expose
// as a view must match the indexed figure to the last unit"). Pure: from a snapshot of the index
// to the list of checks; test/unit/reconcile.test.ts covers the mapping rules.
import { erc20Abi, type Abi, type Address, type ContractFunctionArgs, type ContractFunctionName, type ContractFunctionReturnType, type Hex } from "viem";
import { BookingEscrowAbi } from "../../abis/BookingEscrow.js";
import { EventTicketNFTAbi } from "../../abis/EventTicketNFT.js";
import { OracleHubAbi } from "../../abis/OracleHub.js";
import { PaymentProcessorAbi } from "../../abis/PaymentProcessor.js";
import { QRPaymentAbi } from "../../abis/QRPayment.js";
import type * as schema from "../../ponder.schema.js";
import type { ContractName } from "../../config/network.js";
import { addressOrNull, lower, ZERO_ADDRESS } from "../../domain/ids.js";
import type { Check, Figure } from "./figures.js";

type Row<T extends { $inferSelect: unknown }> = T["$inferSelect"];

/**
 * What the index holds for one chain at one checkpoint: the rows whose figures a view can confirm.
 * One chain's rows only (api/reconcile/collect.ts reads them so): the rules below key rows by
 * contract name, address or id and sum per token, which hold only within a chain.
 */
export type IndexSnapshot = {
  contractInfo: Row<typeof schema.contractInfo>[];
  roleMembers: Row<typeof schema.roleMember>[];
  accounts: Hex[];
  escrowStates: Row<typeof schema.escrowState>[];
  earnings: Row<typeof schema.accountEarning>[];
  bookings: Row<typeof schema.booking>[];
  events: Row<typeof schema.ticketedEvent>[];
  tickets: Pick<Row<typeof schema.ticket>, "tokenId" | "owner" | "checkedIn" | "gateId" | "burned">[];
  stakes: Pick<Row<typeof schema.stake>, "tokenId" | "amount" | "status" | "claimable">[];
  processorStates: Row<typeof schema.processorState>[];
  payments: Pick<Row<typeof schema.payment>, "id" | "eventId" | "buyer" | "amount" | "tokenIds" | "status">[];
  organizerBalances: Row<typeof schema.organizerBalance>[];
  qrOrders: Row<typeof schema.qrOrder>[];
  qrTokenTotals: Row<typeof schema.qrTokenTotal>[];
  oracleRates: Row<typeof schema.oracleRate>[];
  /** Money in minus money out per contract and token, from the daily statistics: what the contract should hold. */
  netFlows: { contract: ContractName; token: Hex; net: bigint }[];
};

/** Addresses of the contracts this network has; the others are not checked. */
export type ContractAddresses = Partial<Record<ContractName, Address>>;

export const BOOKING_STATUS = ["NONE", "PAID", "COMPLETED", "CANCELLED"] as const;
export const EVENT_STATUS = ["NONE", "ACTIVE", "CANCELLED", "COMPLETED"] as const;
export const PAYMENT_STATUS = ["NONE", "CONFIRMED", "REFUNDED"] as const;
export const ZERO_BYTES32 = `0x${"0".repeat(64)}` as const;
/** Stake statuses under which PaymentProcessor.ticketStake(tokenId) still holds the stake (forfeits are credited, not zeroed). */
const STAKE_KEPT_ON_CHAIN = new Set(["HELD", "CLAIMABLE", "FORFEITED"]);

type Mutability = "view" | "pure";
type Fn<abi extends Abi> = ContractFunctionName<abi, Mutability>;
type Args<abi extends Abi, fn extends Fn<abi>> = ContractFunctionArgs<abi, Mutability, fn>;
type Ret<abi extends Abi, fn extends Fn<abi>> = ContractFunctionReturnType<abi, Mutability, fn>;
type Target<abi extends Abi> = { contract: ContractName; address: Address; abi: abi };

const enumName = (names: readonly string[]) => (value: unknown) => names[Number(value)] ?? `UNKNOWN(${String(value)})`;

class Checks {
  readonly list: Check[] = [];

  /** A view with one figure. */
  one<abi extends Abi, fn extends Fn<abi>>(
    target: Target<abi>,
    functionName: fn,
    args: Args<abi, fn>,
    key: string,
    index: Figure,
    options: { pick?: (result: Ret<abi, fn>) => Figure; onRevert?: Figure; view?: string } = {},
  ) {
    this.list.push({
      contract: target.contract,
      view: options.view ?? functionName,
      key,
      read: { kind: "call", address: target.address, abi: target.abi, functionName, args: args as readonly unknown[] },
      index,
      pick: (options.pick ?? ((r: unknown) => r as Figure)) as (r: unknown) => Figure,
      ...(options.onRevert !== undefined ? { onRevert: options.onRevert } : {}),
    });
  }

  /** A view returning a struct or tuple: one check per field. */
  fields<abi extends Abi, fn extends Fn<abi>>(
    target: Target<abi>,
    functionName: fn,
    args: Args<abi, fn>,
    key: string,
    fields: Record<string, readonly [index: Figure, pick: (result: Ret<abi, fn>) => Figure]>,
  ) {
    for (const [field, [index, pick]] of Object.entries(fields)) {
      this.one(target, functionName, args, key, index, { pick, view: `${functionName}.${field}` });
    }
  }

  /** What a contract holds of the native coin (`token` zero) or of an ERC-20. */
  holding(contract: ContractName, holder: Address, token: Hex, index: Figure) {
    if (token === ZERO_ADDRESS) {
      this.list.push({ contract, view: "balance", key: holder.toLowerCase(), read: { kind: "balance", address: holder }, index, pick: (r) => r as Figure });
      return;
    }
    this.one({ contract, address: token, abi: erc20Abi }, "balanceOf", [holder], token, index, { view: "ERC20.balanceOf" });
  }
}

function byKey<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T> {
  return new Map(rows.map((r) => [key(r), r]));
}

const sortedUnique = <T>(values: Iterable<T>) => [...new Set(values)].sort();

/** Every check for the contracts in `contracts`, from the index snapshot. */
export function buildChecks(snapshot: IndexSnapshot, contracts: ContractAddresses): Check[] {
  const c = new Checks();
  const flow = (contract: ContractName, token: Hex) =>
    snapshot.netFlows.find((f) => f.contract === contract && f.token === lower(token))?.net ?? 0n;
  const key = (a: Address) => a.toLowerCase();

  // ---------------------------------------------------------------- every contract: ownership, pause, roles
  const info = byKey(snapshot.contractInfo, (r) => r.name);
  for (const [name, address] of Object.entries(contracts) as [ContractName, Address][]) {
    const row = info.get(name);
    // Ownable2Step and Pausable: the same views, selectors and results in all five ABIs.
    const target = { contract: name, address, abi: BookingEscrowAbi };
    c.one(target, "owner", [], key(address), row?.owner ?? null);
    c.one(target, "pendingOwner", [], key(address), row?.pendingOwner ?? null, { pick: (r) => addressOrNull(r) });
    c.one(target, "paused", [], key(address), row?.paused ?? false);
  }
  for (const member of snapshot.roleMembers) {
    const address = contracts[member.contract];
    if (!address) continue;
    const holder = member.account as Address;
    const is = (current: Address) => lower(current) === member.account;
    const label = `${member.role}:${member.account}`;
    switch (member.role) {
      case "OPERATOR":
        c.one({ contract: member.contract, address, abi: BookingEscrowAbi }, "operators", [holder], label, member.active);
        break;
      case "VALIDATOR":
        c.one({ contract: member.contract, address, abi: EventTicketNFTAbi }, "validators", [holder], label, member.active);
        break;
      case "BOT":
        c.one({ contract: member.contract, address, abi: QRPaymentAbi }, "bots", [holder], label, member.active);
        break;
      case "SIGNER":
        c.one({ contract: member.contract, address, abi: BookingEscrowAbi }, "signer", [], label, member.active, { pick: is });
        break;
      case "PLATFORM_WALLET":
        c.one({ contract: member.contract, address, abi: BookingEscrowAbi }, "platformWallet", [], label, member.active, { pick: is });
        break;
      case "MINTER":
        c.one({ contract: member.contract, address, abi: EventTicketNFTAbi }, "minter", [], label, member.active, { pick: is });
        break;
      case "ORACLE":
        c.one({ contract: member.contract, address, abi: QRPaymentAbi }, "oracle", [], label, member.active, { pick: is });
        break;
    }
  }

  // ---------------------------------------------------------------- BookingEscrow
  if (contracts.BookingEscrow) {
    const escrow = { contract: "BookingEscrow" as const, address: contracts.BookingEscrow, abi: BookingEscrowAbi };
    const state = snapshot.escrowStates.find((s) => s.address === key(escrow.address));
    c.one(escrow, "totalEscrowed", [], key(escrow.address), state?.totalEscrowed ?? 0n);
    if (state && state.paymentToken !== ZERO_ADDRESS) {
      c.holding("BookingEscrow", escrow.address, state.paymentToken, flow("BookingEscrow", state.paymentToken));
    }
    const earnings = byKey(snapshot.earnings, (r) => r.account);
    for (const account of sortedUnique([...snapshot.accounts, ...earnings.keys()])) {
      c.one(escrow, "earnings", [account as Address], account, earnings.get(account)?.total ?? 0n);
    }
    for (const b of snapshot.bookings) {
      c.fields(escrow, "getBooking", [b.id], b.id, {
        status: [b.status, (r) => enumName(BOOKING_STATUS)(r.status)],
        amount: [b.amount, (r) => r.amount],
        customer: [b.customer, (r) => r.customer],
        provider: [b.provider, (r) => r.provider],
        inviter: [b.inviter, (r) => addressOrNull(r.inviter)],
        platformFeeRate: [BigInt(b.platformFeeRate), (r) => r.platformFeeRate],
        inviterFeeRate: [BigInt(b.inviterFeeRate), (r) => r.inviterFeeRate],
      });
    }
  }

  // ---------------------------------------------------------------- EventTicketNFT
  if (contracts.EventTicketNFT) {
    const nft = { contract: "EventTicketNFT" as const, address: contracts.EventTicketNFT, abi: EventTicketNFTAbi };
    for (const e of snapshot.events) {
      c.fields(nft, "getEvent", [e.id], e.id.toString(), {
        organizer: [e.organizer, (r) => r.organizer],
        maxCapacity: [e.maxCapacity, (r) => r.maxCapacity],
        price: [e.price, (r) => r.price],
        sold: [e.sold, (r) => r.sold],
        checkedIn: [e.checkedIn, (r) => r.checkedIn],
        paidCheckedIn: [e.paidCheckedIn, (r) => r.paidCheckedIn],
        status: [e.status, (r) => enumName(EVENT_STATUS)(r.status)],
      });
    }
    const owned = new Map<string, bigint>();
    for (const t of snapshot.tickets) {
      const id = t.tokenId.toString();
      // A burned (refunded) ticket has no owner: ownerOf reverts, the index keeps the zero address.
      c.one(nft, "ownerOf", [t.tokenId], id, t.owner, { onRevert: ZERO_ADDRESS });
      c.one(nft, "checkedIn", [t.tokenId], id, t.checkedIn);
      c.one(nft, "checkInGate", [t.tokenId], id, t.gateId ?? ZERO_BYTES32);
      if (!t.burned) owned.set(t.owner, (owned.get(t.owner) ?? 0n) + 1n);
    }
    for (const account of sortedUnique(snapshot.accounts)) {
      c.one(nft, "balanceOf", [account as Address], account, owned.get(account) ?? 0n);
    }
  }

  // ---------------------------------------------------------------- PaymentProcessor
  if (contracts.PaymentProcessor) {
    const pp = { contract: "PaymentProcessor" as const, address: contracts.PaymentProcessor, abi: PaymentProcessorAbi };
    const state = snapshot.processorStates.find((s) => s.address === key(pp.address));
    c.one(pp, "platformFees", [], key(pp.address), state?.platformFees ?? 0n);
    c.one(pp, "unclaimedStakes", [], key(pp.address), state?.unclaimedStakes ?? 0n);
    c.one(pp, "paymentCount", [], key(pp.address), BigInt(state?.paymentCount ?? 0));
    c.holding("PaymentProcessor", pp.address, ZERO_ADDRESS, flow("PaymentProcessor", ZERO_ADDRESS));
    const balances = byKey(snapshot.organizerBalances, (r) => r.organizer);
    for (const organizer of sortedUnique([...balances.keys(), ...snapshot.events.map((e) => e.organizer)])) {
      c.one(pp, "organizerBalance", [organizer as Address], organizer, balances.get(organizer)?.balance ?? 0n);
    }
    for (const e of snapshot.events) {
      c.fields(pp, "eventSales", [e.id], e.id.toString(), {
        stakeBps: [BigInt(e.stakeBps), (r) => r[0]],
        escrowed: [e.escrowed, (r) => r[1]],
        paidTickets: [e.paidTickets, (r) => r[2]],
        settled: [e.settled, (r) => r[3]],
      });
    }
    for (const p of snapshot.payments) {
      c.fields(pp, "getPayment", [p.id], p.id, {
        status: [p.status, (r) => enumName(PAYMENT_STATUS)(r.status)],
        amount: [p.amount, (r) => r.amount],
        buyer: [p.buyer, (r) => r.buyer],
        eventId: [p.eventId, (r) => r.eventId],
        tokenIds: [p.tokenIds.join(","), (r) => r.tokenIds.join(",")],
      });
    }
    const stakes = byKey(snapshot.stakes, (s) => s.tokenId);
    for (const t of snapshot.tickets) {
      const s = stakes.get(t.tokenId);
      const id = t.tokenId.toString();
      c.one(pp, "claimableStake", [t.tokenId], id, s?.claimable ?? 0n);
      c.one(pp, "ticketStake", [t.tokenId], id, s && STAKE_KEPT_ON_CHAIN.has(s.status) ? s.amount : 0n);
    }
  }

  // ---------------------------------------------------------------- QRPayment
  if (contracts.QRPayment) {
    const qr = { contract: "QRPayment" as const, address: contracts.QRPayment, abi: QRPaymentAbi };
    for (const o of snapshot.qrOrders) {
      c.fields(qr, "getOrder", [o.id], o.id, {
        creator: [o.creator, (r) => r.creator],
        token: [o.token, (r) => r.token],
        paidAmount: [o.paidAmount, (r) => r.paidAmount],
        paidFiat: [o.paidFiat, (r) => r.paidFiat],
        settledAmount: [o.settledAmount, (r) => r.settledAmount],
        settledFiat: [o.settledFiat, (r) => r.settledFiat],
      });
      c.one(qr, "unsettledAmount", [o.id], o.id, o.unsettledAmount);
    }
    const totals = byKey(snapshot.qrTokenTotals, (t) => t.token);
    for (const token of sortedUnique([...totals.keys(), ...snapshot.qrOrders.map((o) => o.token)])) {
      c.one(qr, "totalUnsettled", [token as Address], token, totals.get(token)?.unsettled ?? 0n);
      c.holding("QRPayment", qr.address, token, flow("QRPayment", token));
    }
  }

  // ---------------------------------------------------------------- OracleHub
  if (contracts.OracleHub) {
    const oracle = { contract: "OracleHub" as const, address: contracts.OracleHub, abi: OracleHubAbi };
    for (const r of snapshot.oracleRates) {
      c.fields(oracle, "rateOf", [r.token], r.token, {
        rate: [r.rate, (x) => x[0]],
        decimals: [BigInt(r.decimals), (x) => BigInt(x[1])],
      });
    }
  }

  return c.list;
}
