// BookingEscrow's EIP-712 side (SPEC §1.1, exact type strings): the domain, the two authorization
// types, and their JSON form (uint256 values as decimal strings). `types` leaves `EIP712Domain`
// out: ethers v6 refuses a `types` that lists it ("ambiguous primary types"), while viem, ethers
// and wallets all derive it from `domain` (eth_signTypedData_v4 clients such as viem add it back).
import type { Address, ContractFunctionArgs } from "viem";
import type { BookingEscrowAbi } from "../../abis/BookingEscrow.js";
import type { TypedDataJson } from "../store/tables/signing.js";

export const ESCROW_DOMAIN_NAME = "BookingEscrow";
export const ESCROW_DOMAIN_VERSION = "1";

export type EscrowDomain = { name: string; version: string; chainId: number; verifyingContract: Address };

export function escrowDomain(chainId: number, verifyingContract: Address): EscrowDomain {
  return { name: ESCROW_DOMAIN_NAME, version: ESCROW_DOMAIN_VERSION, chainId, verifyingContract };
}

export const BOOKING_AUTHORIZATION_TYPES = {
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

export const CANCELLATION_AUTHORIZATION_TYPES = {
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

// The structs as the contract's ABI types them (what createAndPayBooking / cancelBooking take).
export type BookingAuthorization = ContractFunctionArgs<typeof BookingEscrowAbi, "nonpayable", "createAndPayBooking">[0];
export type CancellationAuthorization = ContractFunctionArgs<typeof BookingEscrowAbi, "nonpayable", "cancelBooking">[0];

/** EIP-712 encodeType of a struct without nested structs: `Name(type name,...)`. */
export function encodeType(name: string, fields: readonly { name: string; type: string }[]): string {
  return `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;
}

/** bigints as decimal strings, everything else as is. */
export function messageJson(message: Record<string, bigint | string>): Record<string, string> {
  return Object.fromEntries(Object.entries(message).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]));
}

export function bookingTypedDataJson(domain: EscrowDomain, message: BookingAuthorization): TypedDataJson {
  return {
    domain,
    types: { BookingAuthorization: [...BOOKING_AUTHORIZATION_TYPES.BookingAuthorization] },
    primaryType: "BookingAuthorization",
    message: messageJson(message),
  };
}

export function cancellationTypedDataJson(domain: EscrowDomain, message: CancellationAuthorization): TypedDataJson {
  return {
    domain,
    types: { CancellationAuthorization: [...CANCELLATION_AUTHORIZATION_TYPES.CancellationAuthorization] },
    primaryType: "CancellationAuthorization",
    message: messageJson(message),
  };
}

/** Typed data as clients get it: records issued before `EIP712Domain` left `types` are served without it too. */
export function clientTypedData(t: TypedDataJson): TypedDataJson {
  const { EIP712Domain: _domainType, ...types } = t.types;
  return { ...t, types };
}
