// Parsing of the REST reads' path and query parameters. Pure: each parser says exactly what is
// wrong with a value, and the zod wrappers turn that into the router's 400 error body
// ("bookingId: must be ..."). Ids come back in the form the index keys them: hex lower-cased,
// numbers as bigint.
import { z } from "@hono/zod-openapi";
import type { Address, Hex } from "viem";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const MAX_UINT256 = 2n ** 256n - 1n;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const DECIMAL = /^[0-9]+$/;

/** The caller's value inside an error message, cut short so a huge input is not echoed back. */
export function quote(raw: string, max = 80): string {
  return JSON.stringify(raw.length > max ? `${raw.slice(0, max)}…` : raw);
}

/** An address in any letter case (checksum not enforced: a lower-case copy is as good), lower-cased as the index stores it. */
export function parseAddress(raw: string): Parsed<Address> {
  if (!ADDRESS.test(raw)) return { ok: false, error: `must be an address: 0x followed by 40 hex digits, got ${quote(raw)}` };
  return { ok: true, value: raw.toLowerCase() as Address };
}

/** A bytes32 id (booking id, QR order hash), lower-cased. */
export function parseBytes32(raw: string): Parsed<Hex> {
  if (!BYTES32.test(raw)) return { ok: false, error: `must be a 32-byte hex value: 0x followed by 64 hex digits, got ${quote(raw)}` };
  return { ok: true, value: raw.toLowerCase() as Hex };
}

/** A uint256 written in decimal (event ids, token ids), as the contracts take it. */
export function parseUint256(raw: string): Parsed<bigint> {
  if (!DECIMAL.test(raw)) return { ok: false, error: `must be a non-negative decimal integer, got ${quote(raw)}` };
  const value = BigInt(raw);
  if (value > MAX_UINT256) return { ok: false, error: `must fit in a uint256 (at most 2^256 - 1), got ${quote(raw)}` };
  return { ok: true, value };
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Page size: absent → the default; otherwise 1..MAX_PAGE_SIZE. */
export function parseLimit(raw: string | undefined): Parsed<number> {
  if (raw === undefined) return { ok: true, value: DEFAULT_PAGE_SIZE };
  if (!DECIMAL.test(raw) || raw.length > 6 || Number(raw) < 1 || Number(raw) > MAX_PAGE_SIZE) {
    return { ok: false, error: `must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${quote(raw)}` };
  }
  return { ok: true, value: Number(raw) };
}

/** A zod string schema that runs `parse` and reports its message as the validation issue. */
function parsed<T>(parse: (raw: string) => Parsed<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = parse(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.error });
    return z.NEVER;
  });
}

export const AddressParam = parsed(parseAddress).openapi({
  pattern: ADDRESS.source,
  description: "An address, in any letter case",
  example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
});

export const Bytes32Param = parsed(parseBytes32).openapi({
  pattern: BYTES32.source,
  description: "0x followed by 64 hex digits, in any letter case",
  example: "0x6f5b9e3e1f2a0c4d8b7a6e5f4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291",
});

// uint256 values overflow a JSON number, so they are decimal strings, never `integer`.
export const Uint256Param = parsed(parseUint256).openapi({ pattern: DECIMAL.source, description: "A uint256 in decimal", example: "1" });

export const LimitQuery = z
  .string()
  .optional()
  .transform((raw, ctx): number => {
    const result = parseLimit(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.error });
    return z.NEVER;
  })
  // The query string is text, but generated clients should send (and type) a number.
  .openapi({ type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` });

/** Keyset cursor: the last token id of the previous page (the `nextCursor` it returned). */
export const TokenCursorQuery = parsed(parseUint256)
  .optional()
  .openapi({ pattern: DECIMAL.source, description: "The `nextCursor` of the previous page (a token id, decimal); omit for the first page", example: "50" });
