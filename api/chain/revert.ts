// Turns a failed call into something a caller can act on: the custom error's name and arguments,
// decoded with every contract's ABI (a call can revert inside another contract, e.g. completeEvent
// into the PaymentProcessor), bigints as decimal strings so it stores as JSON.
import { BaseError, decodeErrorResult, type Abi, type Hex } from "viem";
import { BookingEscrowAbi, EventTicketNFTAbi, OracleHubAbi, PaymentProcessorAbi, QRPaymentAbi, TestTokenAbi } from "../../abis/index.js";

export type DecodedError = {
  code: string;
  message: string;
  /** Custom error name (or Error / Panic), when the revert data decoded. */
  errorName?: string;
  args?: unknown[];
  data?: Hex;
};

/** Every error in every ABI once (the same OpenZeppelin error appears in several). */
const ERRORS_ABI: Abi = (() => {
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const abi of [BookingEscrowAbi, EventTicketNFTAbi, PaymentProcessorAbi, QRPaymentAbi, OracleHubAbi, TestTokenAbi] as readonly Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const sig = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (!seen.has(sig)) {
        seen.add(sig);
        out.push(item);
      }
    }
  }
  return out;
})();

const jsonSafe = (v: unknown): unknown =>
  typeof v === "bigint" ? v.toString() : Array.isArray(v) ? v.map(jsonSafe) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)])) : v;

export function decodeRevertData(data: Hex): Pick<DecodedError, "errorName" | "args"> | undefined {
  if (data === "0x" || data.length < 10) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: ERRORS_ABI, data });
    return { errorName: decoded.errorName, args: (decoded.args ?? []).map(jsonSafe) as unknown[] };
  } catch {
    return undefined;
  }
}

/** The revert data carried anywhere in a viem error chain. */
export function revertDataOf(err: unknown): Hex | undefined {
  if (!(err instanceof BaseError)) return undefined;
  let found: Hex | undefined;
  err.walk((e) => {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data)) {
      found = data as Hex;
      return true;
    }
    if (data && typeof data === "object" && typeof (data as { data?: unknown }).data === "string") {
      found = (data as { data: Hex }).data;
      return true;
    }
    return false;
  });
  return found;
}

export function describeRevert(err: unknown): DecodedError {
  const data = revertDataOf(err);
  const decoded = data ? decodeRevertData(data) : undefined;
  if (decoded?.errorName) {
    return { code: "reverted", message: `the contract reverted with ${decoded.errorName}(${(decoded.args ?? []).map(String).join(", ")})`, ...decoded, data };
  }
  const short = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
  return { code: "reverted", message: short.split("\n")[0] ?? "reverted", ...(data ? { data } : {}) };
}
