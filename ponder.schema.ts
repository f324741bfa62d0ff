// The onchain index (SPEC §2). One row per entity with its current state, plus append-only
// history tables (every change with block number, timestamp, tx hash and log index).
// Conventions:
// - Amounts are token smallest units as bigint (numeric(78) in SQL, BigInt strings in GraphQL);
//   never floats. Basis points and counts that the contracts bound are integers.
// - Addresses and hashes are t.hex(), stored lower-case: compare lower-case.
// - Timestamps are block timestamps (unix seconds, bigint); "day" is floor(timestamp / 86400).
// - Every table that settles money has a figure that must equal a contract view to the last unit;
//   the comment on the column names the view.
// - Every table has `chainId` (the chain the row was indexed from) first in its primary key, and
//   every relation joins on it: ids may repeat across chains, and a walk never leaves its chain.
// - Export names are the GraphQL type names; plural queries add "s" (booking → bookings).
import { index, onchainEnum, onchainTable, primaryKey, relations } from "ponder";

// ------------------------------------------------------------------------------------ enums

export const contractName = onchainEnum("contract_name", [
  "BookingEscrow",
  "EventTicketNFT",
  "PaymentProcessor",
  "QRPayment",
  "OracleHub",
]);
export const bookingStatus = onchainEnum("booking_status", ["PAID", "COMPLETED", "CANCELLED"]);
export const earningRole = onchainEnum("earning_role", ["PROVIDER", "INVITER", "PLATFORM"]);
export const settlementKind = onchainEnum("booking_settlement_kind", ["COMPLETION", "CANCELLATION"]);
export const ticketedEventStatus = onchainEnum("ticketed_event_status", ["ACTIVE", "CANCELLED", "COMPLETED"]);
export const ticketedEventAction = onchainEnum("ticketed_event_action", [
  "CREATED",
  "STAKE_SET",
  "CANCELLED",
  "COMPLETED",
  "SETTLED",
]);
export const paymentStatus = onchainEnum("payment_status", ["CONFIRMED", "REFUNDED"]);
export const stakeStatus = onchainEnum("stake_status", ["HELD", "CLAIMABLE", "CLAIMED", "FORFEITED", "REFUNDED"]);
export const processorLedgerKind = onchainEnum("processor_ledger_kind", [
  "PAYMENT_RECEIVED",
  "REFUND",
  "EVENT_SETTLED",
  "STAKE_FORFEITED",
  "STAKE_CLAIMED",
  "EARNINGS_WITHDRAWN",
  "PLATFORM_FEES_WITHDRAWN",
]);
export const qrOrderStatus = onchainEnum("qr_order_status", ["PAID", "PARTIALLY_SETTLED", "SETTLED"]);
export const roleName = onchainEnum("role_name", [
  "SIGNER",
  "OPERATOR",
  "VALIDATOR",
  "BOT",
  "MINTER",
  "PLATFORM_WALLET",
  "ORACLE",
]);

// ------------------------------------------------------------------------------------ accounts and contracts

/** Every address that took part in something indexed (first sighting kept). */
export const account = onchainTable(
  "account",
  (t) => ({
    chainId: t.integer().notNull(),
    address: t.hex().notNull(),
    firstSeenBlock: t.bigint().notNull(),
    firstSeenAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.address] }) }),
);

/** Owner and pause state per contract (Ownable2Step, Pausable). */
export const contractInfo = onchainTable(
  "contract_info",
  (t) => ({
    chainId: t.integer().notNull(),
    name: contractName("name").notNull(),
    address: t.hex().notNull(),
    owner: t.hex(),
    /** Ownable2Step: the address that may accept ownership; null when none. */
    pendingOwner: t.hex(),
    /** == paused() */
    paused: t.boolean().notNull().default(false),
    pausedBy: t.hex(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.name] }) }),
);

/** Addresses holding a role in a contract (signer, operators, validators, bots, minter, platform wallet, oracle). */
export const roleMember = onchainTable(
  "role_member",
  (t) => ({
    chainId: t.integer().notNull(),
    contract: contractName("contract").notNull(),
    role: roleName("role").notNull(),
    account: t.hex().notNull(),
    /** == operators(a) / validators(a) / bots(a); for single-holder roles, whether it is the current holder. */
    active: t.boolean().notNull(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
    updatedTxHash: t.hex().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.contract, table.role, table.account] }),
    accountIdx: index("role_member_account_idx").on(table.account),
    roleIdx: index("role_member_role_idx").on(table.role, table.active),
    updatedTxHashIdx: index("role_member_updated_tx_hash_idx").on(table.updatedTxHash),
  }),
);

export const roleHistory = onchainTable(
  "role_history",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    contract: contractName("contract").notNull(),
    role: roleName("role").notNull(),
    account: t.hex().notNull(),
    active: t.boolean().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    accountIdx: index("role_history_account_idx").on(table.account),
    txHashIdx: index("role_history_tx_hash_idx").on(table.txHash),
  }),
);

/** ERC-20 metadata read once per token (address(0) = the native coin). */
export const token = onchainTable(
  "token",
  (t) => ({
    chainId: t.integer().notNull(),
    address: t.hex().notNull(),
    symbol: t.text().notNull(),
    decimals: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.address] }) }),
);

/** Dashboard figures per UTC day, contract and token (address(0) = native; the NFT counts in address(0)). */
export const dailyStat = onchainTable(
  "daily_stat",
  (t) => ({
    chainId: t.integer().notNull(),
    /** floor(block timestamp / 86400) */
    day: t.integer().notNull(),
    contract: contractName("contract").notNull(),
    token: t.hex().notNull(),
    /** Money paid into the contract: booking payments, ticket payments (price + stake), QR payments. */
    inflow: t.bigint().notNull().default(0n),
    /** Money paid out: booking payouts and refunds, ticket refunds, stake claims, withdrawals, QR settlements. */
    outflow: t.bigint().notNull().default(0n),
    /** Platform fees earned: booking platform fees/amounts, ticket sales' 5% at settlement. */
    platformFees: t.bigint().notNull().default(0n),
    bookingsCreated: t.integer().notNull().default(0),
    bookingsCompleted: t.integer().notNull().default(0),
    bookingsCancelled: t.integer().notNull().default(0),
    ticketsSold: t.integer().notNull().default(0),
    ticketsCheckedIn: t.integer().notNull().default(0),
    ticketsRefunded: t.integer().notNull().default(0),
    qrPayments: t.integer().notNull().default(0),
    qrSettlements: t.integer().notNull().default(0),
    /** QR: fiat (IDR, 18 decimals) paid and settled. */
    fiatPaid: t.bigint().notNull().default(0n),
    fiatSettled: t.bigint().notNull().default(0n),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.day, table.contract, table.token] }),
    contractIdx: index("daily_stat_contract_idx").on(table.contract, table.day),
  }),
);

// ------------------------------------------------------------------------------------ BookingEscrow

/** Escrow-wide state. */
export const escrowState = onchainTable(
  "escrow_state",
  (t) => ({
    chainId: t.integer().notNull(),
    address: t.hex().notNull(),
    /** paymentToken() (immutable; read once). */
    paymentToken: t.hex().notNull(),
    signer: t.hex(),
    platformWallet: t.hex(),
    autoCompleteDelay: t.bigint(),
    /** == totalEscrowed() */
    totalEscrowed: t.bigint().notNull().default(0n),
    bookingsCreated: t.integer().notNull().default(0),
    bookingsCompleted: t.integer().notNull().default(0),
    bookingsCancelled: t.integer().notNull().default(0),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.address] }) }),
);

export const booking = onchainTable(
  "booking",
  (t) => ({
    chainId: t.integer().notNull(),
    /** bookingId = keccak256(utf8(offchainBookingId)) */
    id: t.hex().notNull(),
    customer: t.hex().notNull(),
    provider: t.hex().notNull(),
    /** null when the booking has no inviter */
    inviter: t.hex(),
    amount: t.bigint().notNull(),
    platformFeeRate: t.integer().notNull(),
    inviterFeeRate: t.integer().notNull(),
    /** The completion split the rates imply (splitCompletion). */
    expectedProviderAmount: t.bigint().notNull(),
    expectedPlatformFee: t.bigint().notNull(),
    expectedInviterFee: t.bigint().notNull(),
    status: bookingStatus("status").notNull(),
    /** What left escrow, filled at completion or cancellation (zero while PAID). */
    customerRefund: t.bigint().notNull().default(0n),
    providerAmount: t.bigint().notNull().default(0n),
    platformAmount: t.bigint().notNull().default(0n),
    inviterAmount: t.bigint().notNull().default(0n),
    /** The platform wallet paid at settlement. */
    platformWallet: t.hex(),
    cancelledBy: t.hex(),
    cancelReason: t.text(),
    /**
     * The nonce of the CancellationAuthorization used, decoded from the cancelling transaction when
     * it called cancelBooking directly; null for emergency cancellations and calls through another
     * contract (a smart wallet, a multisig).
     */
    cancellationNonce: t.bigint(),
    /** Cancelled by the owner or an operator (emergencyCancelBooking), not by a party. */
    emergency: t.boolean().notNull().default(false),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    createdTxHash: t.hex().notNull(),
    settledBlock: t.bigint(),
    settledAt: t.bigint(),
    settledTxHash: t.hex(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    customerIdx: index("booking_customer_idx").on(table.customer),
    providerIdx: index("booking_provider_idx").on(table.provider),
    inviterIdx: index("booking_inviter_idx").on(table.inviter),
    statusIdx: index("booking_status_idx").on(table.status),
    createdIdx: index("booking_created_idx").on(table.createdAt),
    createdTxHashIdx: index("booking_created_tx_hash_idx").on(table.createdTxHash),
    settledTxHashIdx: index("booking_settled_tx_hash_idx").on(table.settledTxHash),
  }),
);

/** Append-only: every state change of a booking. */
export const bookingHistory = onchainTable(
  "booking_history",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    bookingId: t.hex().notNull(),
    status: bookingStatus("status").notNull(),
    /** msg.sender-equivalent from the log: customer on payment, provider on completion, cancelledBy on cancellation. */
    actor: t.hex().notNull(),
    amount: t.bigint().notNull(),
    customerRefund: t.bigint().notNull(),
    providerAmount: t.bigint().notNull(),
    platformAmount: t.bigint().notNull(),
    inviterAmount: t.bigint().notNull(),
    reason: t.text(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    bookingIdx: index("booking_history_booking_idx").on(table.bookingId),
    timestampIdx: index("booking_history_timestamp_idx").on(table.timestamp),
    txHashIdx: index("booking_history_tx_hash_idx").on(table.txHash),
  }),
);

/** Per account: everything BookingEscrow paid it, by role. */
export const accountEarning = onchainTable(
  "account_earnings",
  (t) => ({
    chainId: t.integer().notNull(),
    account: t.hex().notNull(),
    /** == BookingEscrow.earnings(account) */
    total: t.bigint().notNull().default(0n),
    asProvider: t.bigint().notNull().default(0n),
    asInviter: t.bigint().notNull().default(0n),
    asPlatform: t.bigint().notNull().default(0n),
    payouts: t.integer().notNull().default(0),
    lastPaidAt: t.bigint(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.account] }) }),
);

/** Append-only fee ledger: one row per payout credited to `earnings` (zero amounts are not paid). */
export const feeLedger = onchainTable(
  "fee_ledger",
  (t) => ({
    chainId: t.integer().notNull(),
    /** `${txHash}-${logIndex}-${role}` */
    id: t.text().notNull(),
    bookingId: t.hex().notNull(),
    account: t.hex().notNull(),
    role: earningRole("role").notNull(),
    kind: settlementKind("kind").notNull(),
    amount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    accountIdx: index("fee_ledger_account_idx").on(table.account, table.role),
    bookingIdx: index("fee_ledger_booking_idx").on(table.bookingId),
    txHashIdx: index("fee_ledger_tx_hash_idx").on(table.txHash),
  }),
);

// ------------------------------------------------------------------------------------ EventTicketNFT

export const ticketedEvent = onchainTable(
  "ticketed_event",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.bigint().notNull(),
    organizer: t.hex().notNull(),
    maxCapacity: t.bigint().notNull(),
    price: t.bigint().notNull(),
    /** PaymentProcessor.eventSales(id).stakeBps */
    stakeBps: t.integer().notNull().default(0),
    stakePerTicket: t.bigint().notNull().default(0n),
    status: ticketedEventStatus("status").notNull(),
    /** == getEvent(id).sold (minted, burns included) */
    sold: t.bigint().notNull().default(0n),
    /** Tickets sold through the PaymentProcessor, refunds excluded (== eventSales(id).paidTickets) */
    paidTickets: t.bigint().notNull().default(0n),
    complimentaryTickets: t.bigint().notNull().default(0n),
    burned: t.bigint().notNull().default(0n),
    /** == getEvent(id).checkedIn */
    checkedIn: t.bigint().notNull().default(0n),
    /** == getEvent(id).paidCheckedIn */
    paidCheckedIn: t.bigint().notNull().default(0n),
    /**
     * The newest ticket sold with a stake. With stake.previousStakedTokenId the event's stakes form a
     * list, walked when the event completes to settle the held ones. A list, not an array column:
     * appending to an array rewrites it on every sale (quadratic in the event's size).
     */
    lastStakedTokenId: t.bigint(),
    /** Price plus stake held for this event until it completes (== eventSales(id).escrowed). */
    escrowed: t.bigint().notNull().default(0n),
    /** Settlement at completion (EventSettled / StakeForfeited). */
    settled: t.boolean().notNull().default(false),
    organizerAmount: t.bigint(),
    platformFee: t.bigint(),
    stakesHeld: t.bigint(),
    noShows: t.bigint(),
    forfeitedStakes: t.bigint(),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    createdTxHash: t.hex().notNull(),
    endedBlock: t.bigint(),
    endedAt: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    organizerIdx: index("ticketed_event_organizer_idx").on(table.organizer),
    statusIdx: index("ticketed_event_status_idx").on(table.status),
    createdTxHashIdx: index("ticketed_event_created_tx_hash_idx").on(table.createdTxHash),
  }),
);

/** Append-only: every state change of a ticketed event. */
export const ticketedEventHistory = onchainTable(
  "ticketed_event_history",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    eventId: t.bigint().notNull(),
    action: ticketedEventAction("action").notNull(),
    status: ticketedEventStatus("status").notNull(),
    stakeBps: t.integer(),
    organizerAmount: t.bigint(),
    platformFee: t.bigint(),
    stakesHeld: t.bigint(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    eventIdx: index("ticketed_event_history_event_idx").on(table.eventId),
    txHashIdx: index("ticketed_event_history_tx_hash_idx").on(table.txHash),
  }),
);

export const ticket = onchainTable(
  "ticket",
  (t) => ({
    chainId: t.integer().notNull(),
    tokenId: t.bigint().notNull(),
    eventId: t.bigint().notNull(),
    /** == ownerOf(tokenId); the zero address once burned */
    owner: t.hex().notNull(),
    /** Who the ticket was minted to. */
    buyer: t.hex().notNull(),
    /** Sold through the PaymentProcessor (null: minted by the owner as a complimentary ticket). */
    paymentId: t.hex(),
    complimentary: t.boolean().notNull(),
    /** == checkedIn(tokenId) */
    checkedIn: t.boolean().notNull().default(false),
    /** == checkInGate(tokenId) */
    gateId: t.hex(),
    validator: t.hex(),
    checkedInAt: t.bigint(),
    burned: t.boolean().notNull().default(false),
    mintedBlock: t.bigint().notNull(),
    mintedAt: t.bigint().notNull(),
    mintedTxHash: t.hex().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.tokenId] }),
    eventIdx: index("ticket_event_idx").on(table.eventId),
    ownerIdx: index("ticket_owner_idx").on(table.owner),
    paymentIdx: index("ticket_payment_idx").on(table.paymentId),
    mintedTxHashIdx: index("ticket_minted_tx_hash_idx").on(table.mintedTxHash),
  }),
);

/** Append-only ERC-721 Transfer log (mints from and burns to the zero address included). */
export const ticketTransfer = onchainTable(
  "ticket_transfer",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    tokenId: t.bigint().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    tokenIdx: index("ticket_transfer_token_idx").on(table.tokenId),
    fromIdx: index("ticket_transfer_from_idx").on(table.from),
    toIdx: index("ticket_transfer_to_idx").on(table.to),
    txHashIdx: index("ticket_transfer_tx_hash_idx").on(table.txHash),
  }),
);

/** Append-only: one row per TicketCheckedIn (a ticket checks in once). */
export const checkIn = onchainTable(
  "check_in",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    tokenId: t.bigint().notNull(),
    eventId: t.bigint().notNull(),
    gateId: t.hex().notNull(),
    validator: t.hex().notNull(),
    /** Ticket holder at check-in. */
    holder: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    tokenIdx: index("check_in_token_idx").on(table.tokenId),
    eventIdx: index("check_in_event_idx").on(table.eventId),
    gateIdx: index("check_in_gate_idx").on(table.gateId),
    txHashIdx: index("check_in_tx_hash_idx").on(table.txHash),
  }),
);

// ------------------------------------------------------------------------------------ PaymentProcessor

/** PaymentProcessor-wide state. */
export const processorState = onchainTable(
  "processor_state",
  (t) => ({
    chainId: t.integer().notNull(),
    address: t.hex().notNull(),
    /** == paymentCount() */
    paymentCount: t.integer().notNull().default(0),
    /** == platformFees() (accrued, not yet withdrawn) */
    platformFees: t.bigint().notNull().default(0n),
    platformFeesWithdrawn: t.bigint().notNull().default(0n),
    /** == unclaimedStakes() */
    unclaimedStakes: t.bigint().notNull().default(0n),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.address] }) }),
);

/**
 * Bookkeeping between PaymentReceived and PaymentConfirmed of one purchase (the tickets minted in
 * between belong to it). Keyed by transaction; always empty between transactions.
 */
export const pendingPayment = onchainTable(
  "pending_payment",
  (t) => ({
    chainId: t.integer().notNull(),
    txHash: t.hex().notNull(),
    paymentId: t.hex().notNull(),
    eventId: t.bigint().notNull(),
    buyer: t.hex().notNull(),
    amount: t.bigint().notNull(),
    tokenIds: t.bigint().array().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.txHash] }) }),
);

export const payment = onchainTable(
  "payment",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.hex().notNull(),
    eventId: t.bigint().notNull(),
    buyer: t.hex().notNull(),
    /** Price plus stake paid (== getPayment(id).amount) */
    amount: t.bigint().notNull(),
    quantity: t.integer().notNull(),
    /** == getPayment(id).tokenIds */
    tokenIds: t.bigint().array().notNull(),
    stakePerTicket: t.bigint().notNull(),
    status: paymentStatus("status").notNull(),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    createdTxHash: t.hex().notNull(),
    refundedBlock: t.bigint(),
    refundedAt: t.bigint(),
    refundTxHash: t.hex(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    buyerIdx: index("payment_buyer_idx").on(table.buyer),
    eventIdx: index("payment_event_idx").on(table.eventId),
    statusIdx: index("payment_status_idx").on(table.status),
    createdTxHashIdx: index("payment_created_tx_hash_idx").on(table.createdTxHash),
    refundTxHashIdx: index("payment_refund_tx_hash_idx").on(table.refundTxHash),
  }),
);

export const refund = onchainTable(
  "refund",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    paymentId: t.hex().notNull(),
    eventId: t.bigint().notNull(),
    buyer: t.hex().notNull(),
    amount: t.bigint().notNull(),
    tokenIds: t.bigint().array().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    paymentIdx: index("refund_payment_idx").on(table.paymentId),
    buyerIdx: index("refund_buyer_idx").on(table.buyer),
    eventIdx: index("refund_event_idx").on(table.eventId),
    txHashIdx: index("refund_tx_hash_idx").on(table.txHash),
  }),
);

/** The attendance stake paid with one ticket sold through the PaymentProcessor. */
export const stake = onchainTable(
  "stake",
  (t) => ({
    chainId: t.integer().notNull(),
    tokenId: t.bigint().notNull(),
    eventId: t.bigint().notNull(),
    paymentId: t.hex().notNull(),
    /** The event's stake sold before this one (see ticketedEvent.lastStakedTokenId); null for the first. */
    previousStakedTokenId: t.bigint(),
    /** Stake paid with the ticket. */
    amount: t.bigint().notNull(),
    status: stakeStatus("status").notNull(),
    /** == claimableStake(tokenId) */
    claimable: t.bigint().notNull().default(0n),
    claimedBy: t.hex(),
    claimedAt: t.bigint(),
    claimTxHash: t.hex(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.tokenId] }),
    eventIdx: index("stake_event_idx").on(table.eventId, table.status),
    paymentIdx: index("stake_payment_idx").on(table.paymentId),
    claimTxHashIdx: index("stake_claim_tx_hash_idx").on(table.claimTxHash),
  }),
);

export const organizerBalance = onchainTable(
  "organizer_balance",
  (t) => ({
    chainId: t.integer().notNull(),
    organizer: t.hex().notNull(),
    /** == PaymentProcessor.organizerBalance(organizer) */
    balance: t.bigint().notNull().default(0n),
    /** Sales revenue net of the platform fee, credited at completion. */
    revenueCredited: t.bigint().notNull().default(0n),
    /** No-show stakes credited at completion. */
    forfeitedStakesCredited: t.bigint().notNull().default(0n),
    withdrawn: t.bigint().notNull().default(0n),
    withdrawals: t.integer().notNull().default(0),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.organizer] }) }),
);

/** Append-only: every money movement of the PaymentProcessor. */
export const processorLedger = onchainTable(
  "processor_ledger",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    kind: processorLedgerKind("kind").notNull(),
    /** Who paid or was paid / credited (buyer, organizer, holder, fee recipient). */
    account: t.hex().notNull(),
    amount: t.bigint().notNull(),
    eventId: t.bigint(),
    paymentId: t.hex(),
    tokenId: t.bigint(),
    /** EVENT_SETTLED: the 5% platform fee accrued; STAKE_FORFEITED: the number of no-shows. */
    platformFee: t.bigint(),
    noShows: t.bigint(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    accountIdx: index("processor_ledger_account_idx").on(table.account),
    eventIdx: index("processor_ledger_event_idx").on(table.eventId),
    kindIdx: index("processor_ledger_kind_idx").on(table.kind),
    txHashIdx: index("processor_ledger_tx_hash_idx").on(table.txHash),
  }),
);

// ------------------------------------------------------------------------------------ QRPayment and OracleHub

export const qrOrder = onchainTable(
  "qr_order",
  (t) => ({
    chainId: t.integer().notNull(),
    /** orderDataHash = keccak256(abi.encodePacked(orderId, referenceString, token, creator)) */
    id: t.hex().notNull(),
    creator: t.hex().notNull(),
    orderId: t.text().notNull(),
    referenceString: t.text().notNull(),
    /** address(0) for native orders */
    token: t.hex().notNull(),
    native: t.boolean().notNull(),
    /** == getOrder(id).paidAmount / paidFiat / settledAmount / settledFiat */
    paidAmount: t.bigint().notNull(),
    paidFiat: t.bigint().notNull(),
    settledAmount: t.bigint().notNull().default(0n),
    settledFiat: t.bigint().notNull().default(0n),
    /** == unsettledAmount(id) */
    unsettledAmount: t.bigint().notNull(),
    status: qrOrderStatus("status").notNull(),
    paymentCount: t.integer().notNull().default(0),
    settlementCount: t.integer().notNull().default(0),
    lastBeneficiary: t.hex(),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    creatorIdx: index("qr_order_creator_idx").on(table.creator),
    tokenIdx: index("qr_order_token_idx").on(table.token),
    statusIdx: index("qr_order_status_idx").on(table.status),
    orderIdIdx: index("qr_order_order_id_idx").on(table.orderId),
  }),
);

/** Append-only: one row per PaymentUpdated (the amounts of that payment, not running totals). */
export const qrPayment = onchainTable(
  "qr_payment",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    orderDataHash: t.hex().notNull(),
    creator: t.hex().notNull(),
    token: t.hex().notNull(),
    tokenAmount: t.bigint().notNull(),
    fiatAmount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    orderIdx: index("qr_payment_order_idx").on(table.orderDataHash),
    creatorIdx: index("qr_payment_creator_idx").on(table.creator),
    txHashIdx: index("qr_payment_tx_hash_idx").on(table.txHash),
  }),
);

/** Append-only: one row per OrderSettled. */
export const qrSettlement = onchainTable(
  "qr_settlement",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    orderDataHash: t.hex().notNull(),
    beneficiary: t.hex().notNull(),
    token: t.hex().notNull(),
    tokenAmount: t.bigint().notNull(),
    fiatAmount: t.bigint().notNull(),
    /** The bot that sent the settlement (transaction sender). */
    bot: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    orderIdx: index("qr_settlement_order_idx").on(table.orderDataHash),
    beneficiaryIdx: index("qr_settlement_beneficiary_idx").on(table.beneficiary),
    txHashIdx: index("qr_settlement_tx_hash_idx").on(table.txHash),
  }),
);

/** Per token: QR totals. */
export const qrTokenTotal = onchainTable(
  "qr_token_total",
  (t) => ({
    chainId: t.integer().notNull(),
    token: t.hex().notNull(),
    paid: t.bigint().notNull().default(0n),
    settled: t.bigint().notNull().default(0n),
    /** == QRPayment.totalUnsettled(token) */
    unsettled: t.bigint().notNull().default(0n),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.token] }) }),
);

export const oracleRate = onchainTable(
  "oracle_rate",
  (t) => ({
    chainId: t.integer().notNull(),
    token: t.hex().notNull(),
    /** == rateOf(token).rate: fiat (IDR, 18 decimals) per whole token */
    rate: t.bigint().notNull(),
    /** == rateOf(token).decimals */
    decimals: t.integer().notNull(),
    updates: t.integer().notNull(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.token] }) }),
);

/** Append-only: every RateUpdated. */
export const oracleRateHistory = onchainTable(
  "oracle_rate_history",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.text().notNull(),
    token: t.hex().notNull(),
    rate: t.bigint().notNull(),
    previousRate: t.bigint(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    tokenIdx: index("oracle_rate_history_token_idx").on(table.token, table.blockNumber),
    txHashIdx: index("oracle_rate_history_tx_hash_idx").on(table.txHash),
  }),
);

// ------------------------------------------------------------------------------------ relations (GraphQL walks)

export const accountRelations = relations(account, ({ one, many }) => ({
  earnings: one(accountEarning, { fields: [account.chainId, account.address], references: [accountEarning.chainId, accountEarning.account] }),
  feeLedger: many(feeLedger),
  bookingsAsCustomer: many(booking, { relationName: "bookingCustomer" }),
  bookingsAsProvider: many(booking, { relationName: "bookingProvider" }),
  bookingsAsInviter: many(booking, { relationName: "bookingInviter" }),
  organizedEvents: many(ticketedEvent),
  organizerBalance: one(organizerBalance, { fields: [account.chainId, account.address], references: [organizerBalance.chainId, organizerBalance.organizer] }),
  tickets: many(ticket, { relationName: "ticketOwner" }),
  payments: many(payment),
  refunds: many(refund),
  processorLedger: many(processorLedger),
  qrOrders: many(qrOrder),
  qrPayments: many(qrPayment),
  qrSettlements: many(qrSettlement),
  roles: many(roleMember),
}));

export const bookingRelations = relations(booking, ({ one, many }) => ({
  customerAccount: one(account, { fields: [booking.chainId, booking.customer], references: [account.chainId, account.address], relationName: "bookingCustomer" }),
  providerAccount: one(account, { fields: [booking.chainId, booking.provider], references: [account.chainId, account.address], relationName: "bookingProvider" }),
  inviterAccount: one(account, { fields: [booking.chainId, booking.inviter], references: [account.chainId, account.address], relationName: "bookingInviter" }),
  history: many(bookingHistory),
  payouts: many(feeLedger),
}));

export const bookingHistoryRelations = relations(bookingHistory, ({ one }) => ({
  booking: one(booking, { fields: [bookingHistory.chainId, bookingHistory.bookingId], references: [booking.chainId, booking.id] }),
}));

export const accountEarningRelations = relations(accountEarning, ({ one, many }) => ({
  accountInfo: one(account, { fields: [accountEarning.chainId, accountEarning.account], references: [account.chainId, account.address] }),
  ledger: many(feeLedger),
}));

export const feeLedgerRelations = relations(feeLedger, ({ one }) => ({
  booking: one(booking, { fields: [feeLedger.chainId, feeLedger.bookingId], references: [booking.chainId, booking.id] }),
  accountInfo: one(account, { fields: [feeLedger.chainId, feeLedger.account], references: [account.chainId, account.address] }),
  earnings: one(accountEarning, { fields: [feeLedger.chainId, feeLedger.account], references: [accountEarning.chainId, accountEarning.account] }),
}));

export const ticketedEventRelations = relations(ticketedEvent, ({ one, many }) => ({
  organizerAccount: one(account, { fields: [ticketedEvent.chainId, ticketedEvent.organizer], references: [account.chainId, account.address] }),
  organizerBalance: one(organizerBalance, { fields: [ticketedEvent.chainId, ticketedEvent.organizer], references: [organizerBalance.chainId, organizerBalance.organizer] }),
  tickets: many(ticket),
  checkIns: many(checkIn),
  payments: many(payment),
  refunds: many(refund),
  stakes: many(stake),
  history: many(ticketedEventHistory),
  ledger: many(processorLedger),
}));

export const ticketedEventHistoryRelations = relations(ticketedEventHistory, ({ one }) => ({
  event: one(ticketedEvent, { fields: [ticketedEventHistory.chainId, ticketedEventHistory.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
}));

export const ticketRelations = relations(ticket, ({ one, many }) => ({
  event: one(ticketedEvent, { fields: [ticket.chainId, ticket.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
  ownerAccount: one(account, { fields: [ticket.chainId, ticket.owner], references: [account.chainId, account.address], relationName: "ticketOwner" }),
  payment: one(payment, { fields: [ticket.chainId, ticket.paymentId], references: [payment.chainId, payment.id] }),
  stake: one(stake, { fields: [ticket.chainId, ticket.tokenId], references: [stake.chainId, stake.tokenId] }),
  checkIns: many(checkIn),
  transfers: many(ticketTransfer),
}));

export const ticketTransferRelations = relations(ticketTransfer, ({ one }) => ({
  ticket: one(ticket, { fields: [ticketTransfer.chainId, ticketTransfer.tokenId], references: [ticket.chainId, ticket.tokenId] }),
}));

export const checkInRelations = relations(checkIn, ({ one }) => ({
  ticket: one(ticket, { fields: [checkIn.chainId, checkIn.tokenId], references: [ticket.chainId, ticket.tokenId] }),
  event: one(ticketedEvent, { fields: [checkIn.chainId, checkIn.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
}));

export const paymentRelations = relations(payment, ({ one, many }) => ({
  event: one(ticketedEvent, { fields: [payment.chainId, payment.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
  buyerAccount: one(account, { fields: [payment.chainId, payment.buyer], references: [account.chainId, account.address] }),
  tickets: many(ticket),
  refunds: many(refund),
  stakes: many(stake),
}));

export const refundRelations = relations(refund, ({ one }) => ({
  payment: one(payment, { fields: [refund.chainId, refund.paymentId], references: [payment.chainId, payment.id] }),
  event: one(ticketedEvent, { fields: [refund.chainId, refund.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
  buyerAccount: one(account, { fields: [refund.chainId, refund.buyer], references: [account.chainId, account.address] }),
}));

export const stakeRelations = relations(stake, ({ one }) => ({
  ticket: one(ticket, { fields: [stake.chainId, stake.tokenId], references: [ticket.chainId, ticket.tokenId] }),
  event: one(ticketedEvent, { fields: [stake.chainId, stake.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
  payment: one(payment, { fields: [stake.chainId, stake.paymentId], references: [payment.chainId, payment.id] }),
}));

export const organizerBalanceRelations = relations(organizerBalance, ({ one, many }) => ({
  organizerAccount: one(account, { fields: [organizerBalance.chainId, organizerBalance.organizer], references: [account.chainId, account.address] }),
  events: many(ticketedEvent),
}));

export const processorLedgerRelations = relations(processorLedger, ({ one }) => ({
  accountInfo: one(account, { fields: [processorLedger.chainId, processorLedger.account], references: [account.chainId, account.address] }),
  event: one(ticketedEvent, { fields: [processorLedger.chainId, processorLedger.eventId], references: [ticketedEvent.chainId, ticketedEvent.id] }),
}));

export const qrOrderRelations = relations(qrOrder, ({ one, many }) => ({
  creatorAccount: one(account, { fields: [qrOrder.chainId, qrOrder.creator], references: [account.chainId, account.address] }),
  tokenInfo: one(token, { fields: [qrOrder.chainId, qrOrder.token], references: [token.chainId, token.address] }),
  payments: many(qrPayment),
  settlements: many(qrSettlement),
}));

export const qrPaymentRelations = relations(qrPayment, ({ one }) => ({
  order: one(qrOrder, { fields: [qrPayment.chainId, qrPayment.orderDataHash], references: [qrOrder.chainId, qrOrder.id] }),
  creatorAccount: one(account, { fields: [qrPayment.chainId, qrPayment.creator], references: [account.chainId, account.address] }),
}));

export const qrSettlementRelations = relations(qrSettlement, ({ one }) => ({
  order: one(qrOrder, { fields: [qrSettlement.chainId, qrSettlement.orderDataHash], references: [qrOrder.chainId, qrOrder.id] }),
  beneficiaryAccount: one(account, { fields: [qrSettlement.chainId, qrSettlement.beneficiary], references: [account.chainId, account.address] }),
}));

export const oracleRateRelations = relations(oracleRate, ({ one, many }) => ({
  tokenInfo: one(token, { fields: [oracleRate.chainId, oracleRate.token], references: [token.chainId, token.address] }),
  history: many(oracleRateHistory),
}));

export const oracleRateHistoryRelations = relations(oracleRateHistory, ({ one }) => ({
  current: one(oracleRate, { fields: [oracleRateHistory.chainId, oracleRateHistory.token], references: [oracleRate.chainId, oracleRate.token] }),
}));

export const roleMemberRelations = relations(roleMember, ({ one }) => ({
  accountInfo: one(account, { fields: [roleMember.chainId, roleMember.account], references: [account.chainId, account.address] }),
}));
