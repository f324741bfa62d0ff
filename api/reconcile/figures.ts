// The pure half of reconciliation: a check pairs one figure the index holds with the contract view
// (or balance) that must equal it; comparing the checks with what the chain answered gives the
// differences. No I/O here, so the rules are unit-tested (test/unit/reconcile.test.ts).
import type { Abi, Address } from "viem";
import type { ContractName } from "../../config/network.js";

/** A compared figure: amounts and counts as bigint, addresses and hashes as lower-case hex. */
export type Figure = bigint | boolean | string | null;

/** One chain read; several checks may share it (a struct view yields several figures). */
export type ChainRead =
  | { kind: "call"; address: Address; abi: Abi; functionName: string; args: readonly unknown[] }
  | { kind: "balance"; address: Address };

export type Check = {
  /** The contract whose view (or holding) is compared. */
  contract: ContractName;
  /** `functionName` or `functionName.field`; `balance` (native) and `ERC20.balanceOf` for holdings. */
  view: string;
  /** The view's argument(s), or the contract address for contract-wide figures. */
  key: string;
  read: ChainRead;
  index: Figure;
  /** The chain figure from the view's result. */
  pick: (result: unknown) => Figure;
  /** The chain figure when the view reverts (ownerOf of a burned ticket); without it a revert is a difference. */
  onRevert?: Figure;
};

/** What the chain answered to one read. Transport failures never get here: they abort the run. */
export type Outcome = { ok: true; value: unknown } | { ok: false; reason: string };

export type Difference = { contract: ContractName; view: string; key: string; chain: Figure; index: Figure };

export type Comparison = { checked: number; differences: Difference[] };

const HEX = /^0x[0-9a-fA-F]*$/;

/** One form per value: numbers become bigint (uint8 decimals, integer columns), hex lower-case. */
export function normalize(value: unknown): Figure {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value}`);
    return BigInt(value);
  }
  if (typeof value === "string") return HEX.test(value) ? value.toLowerCase() : value;
  throw new TypeError(`cannot compare a ${typeof value}`);
}

export function sameFigure(a: Figure, b: Figure): boolean {
  return a === b;
}

/** Identity of a read, so checks sharing a view call share one request. */
export function readKey(read: ChainRead): string {
  if (read.kind === "balance") return `balance:${read.address.toLowerCase()}`;
  const args = JSON.stringify(read.args, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return `call:${read.address.toLowerCase()}:${read.functionName}:${args}`;
}

/** The distinct reads the checks need, in first-use order. */
export function distinctReads(checks: readonly Check[]): Map<string, ChainRead> {
  const reads = new Map<string, ChainRead>();
  for (const check of checks) {
    const key = readKey(check.read);
    if (!reads.has(key)) reads.set(key, check.read);
  }
  return reads;
}

function chainFigure(check: Check, outcome: Outcome): Figure {
  if (!outcome.ok) return check.onRevert !== undefined ? normalize(check.onRevert) : `reverted: ${outcome.reason}`;
  return normalize(check.pick(outcome.value));
}

/** Every check whose chain figure differs from the index's, in the checks' order. */
export function compare(checks: readonly Check[], outcomes: ReadonlyMap<string, Outcome>): Comparison {
  const differences: Difference[] = [];
  for (const check of checks) {
    const outcome = outcomes.get(readKey(check.read));
    if (!outcome) throw new Error(`no chain answer for ${check.contract}.${check.view}(${check.key})`);
    const chain = chainFigure(check, outcome);
    const index = normalize(check.index);
    if (!sameFigure(chain, index)) differences.push({ contract: check.contract, view: check.view, key: check.key, chain, index });
  }
  return { checked: checks.length, differences };
}

/** JSON form: bigints as decimal strings. */
export type JsonFigure = string | boolean | null;
export type JsonDifference = Omit<Difference, "chain" | "index"> & { chain: JsonFigure; index: JsonFigure };

export function figureToJson(figure: Figure): JsonFigure {
  return typeof figure === "bigint" ? figure.toString() : figure;
}

export function differenceToJson(d: Difference): JsonDifference {
  return { ...d, chain: figureToJson(d.chain), index: figureToJson(d.index) };
}
