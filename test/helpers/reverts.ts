// Revert helpers for contract tests: the decoded custom error (name and args) of a failed viem
// call, constructor reverts, and a tracker that records which custom errors a suite has proven.
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeDeployData,
  isHex,
  type Abi,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { expectRevert } from "./chain.js";

export type DecodedRevert = { errorName: string; args: readonly unknown[] };

/** The decoded custom error a viem contract call (simulate/write/read) reverted with. */
export async function revertOf(call: () => Promise<unknown>): Promise<DecodedRevert> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error("expected a revert, but the call succeeded");
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
    }
  }
  throw new Error(`expected a decoded custom error, got ${(error as Error).message.split("\n")[0]}`);
}

/** Raw revert data somewhere in a viem error's cause chain. */
function revertData(err: unknown): Hex | undefined {
  if (!(err instanceof BaseError)) return undefined;
  let found: Hex | undefined;
  err.walk((e) => {
    const data = (e as { data?: unknown }).data;
    const hex = typeof data === "object" && data !== null ? (data as { data?: unknown }).data : data;
    if (found === undefined && typeof hex === "string" && isHex(hex) && hex.length >= 10) found = hex;
    return false;
  });
  return found;
}

/** The custom error a contract's constructor reverts with for `args` (eth_call of the deploy data). */
export async function deployRevertOf<const abi extends Abi>(
  publicClient: PublicClient<Transport, Chain>,
  from: Account,
  abi: abi,
  bytecode: Hex,
  args: readonly unknown[],
): Promise<DecodedRevert> {
  const data = encodeDeployData({ abi: abi as Abi, bytecode, args });
  try {
    await publicClient.call({ account: from.address, data });
  } catch (err) {
    const raw = revertData(err);
    if (!raw) throw new Error(`deploy reverted without data: ${(err as Error).message.split("\n")[0]}`);
    const decoded = decodeErrorResult({ abi: abi as Abi, data: raw });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  }
  throw new Error("expected the constructor to revert, but it succeeded");
}

/**
 * Wraps the revert assertions so a suite can finally check it proved every custom error in
 * its ABI (minus the ones it documents as unreachable).
 */
export function revertTracker() {
  const seen = new Set<string>();
  return {
    seen,
    /** expectRevert from test/helpers/chain.ts, recorded. */
    async expect(call: () => Promise<unknown>, name: string): Promise<void> {
      await expectRevert(call, name);
      seen.add(name);
    },
    /** Name and args must both match. */
    async expectWith(call: () => Promise<unknown>, name: string, args: readonly unknown[]): Promise<void> {
      const decoded = await revertOf(call);
      if (decoded.errorName !== name) throw new Error(`expected revert ${name}, got ${decoded.errorName}`);
      if (JSON.stringify(decoded.args, big) !== JSON.stringify(args, big)) {
        throw new Error(
          `revert ${name}: expected args ${JSON.stringify(args, big)}, got ${JSON.stringify(decoded.args, big)}`,
        );
      }
      seen.add(name);
    },
    record(name: string): void {
      seen.add(name);
    },
  };
}

/** JSON replacer: bigints as strings, addresses compared case-insensitively. */
function big(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  return value;
}

/** Custom errors of an ABI, to merge into another contract's ABI when calls revert inside it. */
export function errorsOf<const abi extends Abi>(abi: abi): Extract<abi[number], { type: "error" }>[] {
  return abi.filter((item): item is Extract<abi[number], { type: "error" }> => item.type === "error");
}

export function errorNames(abi: Abi): string[] {
  return abi.flatMap((item) => (item.type === "error" ? [item.name] : []));
}
