// How the REST reads write values. Pure.
// - uint256 figures (amounts, ids, counts the contracts keep as uint256, blocks, timestamps) are
//   decimal strings: JSON numbers lose precision above 2^53.
// - Addresses are EIP-55 checksummed, the form wallets and block explorers show (GraphQL and SQL
//   keep the index's lower case); the zero address, where the index uses it for "nobody", is null.
// - Hashes and other bytes are lower-case hex, as stored.
import { z } from "@hono/zod-openapi";
import { getAddress, type Address, type Hex } from "viem";
import { ZERO_ADDRESS } from "../../domain/ids.js";

export const dec = (value: bigint): string => value.toString();
export const decOrNull = (value: bigint | null): string | null => (value === null ? null : value.toString());

export function checksum(address: Hex): Address {
  return getAddress(address);
}

/** null for a missing party or the zero address (a burned ticket's owner). */
export function checksumOrNull(address: Hex | null): Address | null {
  return address === null || address.toLowerCase() === ZERO_ADDRESS ? null : getAddress(address);
}

/** Where something happened on chain. */
export function onChainRef(blockNumber: bigint, timestamp: bigint, txHash: Hex) {
  return { block: dec(blockNumber), timestamp: dec(timestamp), txHash };
}

/** A SQL aggregate read back as text (numeric sums would otherwise lose digits in some drivers). */
export function bigintOfText(text: string | null | undefined): bigint {
  return text === null || text === undefined ? 0n : BigInt(text);
}

// ------------------------------------------------------------------------------------ response schemas

export const Uint = z.string().regex(/^[0-9]+$/).openapi({ description: "Unsigned integer as a decimal string", example: "1000000" });
export const AddressJson = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .openapi({ description: "EIP-55 checksummed address", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
export const HashJson = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/)
  .openapi({ description: "32 bytes, lower-case hex", example: "0x6f5b9e3e1f2a0c4d8b7a6e5f4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291" });

export const OnChainRef = z
  .object({ block: Uint, timestamp: Uint.openapi({ description: "Block timestamp, unix seconds" }), txHash: HashJson })
  .openapi("OnChainRef");

export const TokenJson = z
  .object({
    address: AddressJson.openapi({ description: "Token address; the zero address is the chain's native coin" }),
    symbol: z.string().nullable(),
    decimals: z.number().int().nullable(),
  })
  .openapi("Token");

export type TokenMeta = { address: Hex; symbol: string; decimals: number };

/** A token with the metadata the index read for it (null when the index has not seen it). */
export function tokenJson(address: Hex, meta: Map<string, TokenMeta>): z.infer<typeof TokenJson> {
  const m = meta.get(address.toLowerCase());
  return { address: checksum(address), symbol: m?.symbol ?? null, decimals: m?.decimals ?? null };
}
