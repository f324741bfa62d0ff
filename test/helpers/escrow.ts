// BookingEscrow's EIP-712 side for tests: the typed-data definitions (SPEC 1.1, exact type
// strings), the domain, booking ids and signing with viem's signTypedData.
import {
  keccak256,
  toBytes,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type Hex,
  type LocalAccount,
  type Transport,
  type WalletClient,
} from "viem";
import type { abis } from "../../devchain/artifacts.js";

type EscrowAbi = typeof abis.BookingEscrow;
export type BookingAuthorization = ContractFunctionArgs<EscrowAbi, "nonpayable", "createAndPayBooking">[0];
export type CancellationAuthorization = ContractFunctionArgs<EscrowAbi, "nonpayable", "cancelBooking">[0];

/** The exact type strings of SPEC 1.1; the suite checks the contract's typehashes against them. */
export const BOOKING_AUTHORIZATION_TYPE =
  "BookingAuthorization(bytes32 bookingId,address customer,address provider,address inviter,uint256 amount,uint256 platformFeeRate,uint256 inviterFeeRate,uint256 expiry,uint256 nonce)";
export const CANCELLATION_AUTHORIZATION_TYPE =
  "CancellationAuthorization(bytes32 bookingId,uint256 customerAmount,uint256 providerAmount,uint256 platformAmount,uint256 inviterAmount,string reason,uint256 expiry,uint256 nonce)";

export const BOOKING_TYPES = {
  BookingAuthorization: [
    { name: "bookingId", type: "bytes32" },
    { name: "customer", type: "address" },
    { name: "provider", type: "address" },
    { name: "inviter", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "platformFeeRate", type: "uint256" },
    { name: "inviterFeeRate", type: "uint256" },
    { name: "expiry", type: "uint256" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

export const CANCELLATION_TYPES = {
  CancellationAuthorization: [
    { name: "bookingId", type: "bytes32" },
    { name: "customerAmount", type: "uint256" },
    { name: "providerAmount", type: "uint256" },
    { name: "platformAmount", type: "uint256" },
    { name: "inviterAmount", type: "uint256" },
    { name: "reason", type: "string" },
    { name: "expiry", type: "uint256" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

/** EIP-712 encodeType for a struct without nested structs: `Name(type name,...)`. */
export function encodeType(name: string, fields: readonly { name: string; type: string }[]): string {
  return `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;
}

export type EscrowDomain = { name: string; version: string; chainId: number; verifyingContract: Address };

export function escrowDomain(chainId: number, escrow: Address): EscrowDomain {
  return { name: "BookingEscrow", version: "1", chainId, verifyingContract: escrow };
}

/** Booking ids are keccak256 of the off-chain id's UTF-8 bytes. */
export function bookingIdOf(offchainId: string): Hex {
  return keccak256(toBytes(offchainId));
}

/** A wallet client, or a local account (what the backend signer is). */
type Signer = WalletClient<Transport, Chain, Account> | LocalAccount;

export function signBooking(signer: Signer, domain: EscrowDomain, auth: BookingAuthorization): Promise<Hex> {
  const args = { domain, types: BOOKING_TYPES, primaryType: "BookingAuthorization", message: auth } as const;
  return "account" in signer ? signer.signTypedData(args) : signer.signTypedData(args);
}

export function signCancellation(signer: Signer, domain: EscrowDomain, auth: CancellationAuthorization): Promise<Hex> {
  const args = { domain, types: CANCELLATION_TYPES, primaryType: "CancellationAuthorization", message: auth } as const;
  return "account" in signer ? signer.signTypedData(args) : signer.signTypedData(args);
}

/** Completion split as SPEC 1.1 defines it: fees round down, the provider gets the remainder. */
export function completionSplit(amount: bigint, platformFeeRate: bigint, inviterFeeRate: bigint) {
  const platformFee = (amount * platformFeeRate) / 10_000n;
  const inviterFee = (amount * inviterFeeRate) / 10_000n;
  return { providerAmount: amount - platformFee - inviterFee, platformFee, inviterFee };
}

/** An answer's `authorization` (uint256 fields as decimal strings) as the contract call takes it. */
export const bookingArgs = (m: Record<string, string>) =>
  ({
    bookingId: m.bookingId as Hex,
    customer: m.customer as Address,
    provider: m.provider as Address,
    inviter: m.inviter as Address,
    amount: BigInt(m.amount!),
    platformFeeRate: BigInt(m.platformFeeRate!),
    inviterFeeRate: BigInt(m.inviterFeeRate!),
    expiry: BigInt(m.expiry!),
    nonce: BigInt(m.nonce!),
  }) as const;
export const cancellationArgs = (m: Record<string, string>) =>
  ({
    bookingId: m.bookingId as Hex,
    customerAmount: BigInt(m.customerAmount!),
    providerAmount: BigInt(m.providerAmount!),
    platformAmount: BigInt(m.platformAmount!),
    inviterAmount: BigInt(m.inviterAmount!),
    reason: m.reason!,
    expiry: BigInt(m.expiry!),
    nonce: BigInt(m.nonce!),
  }) as const;
