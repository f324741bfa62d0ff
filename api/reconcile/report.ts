// Reconciliation results as text, for scripts/reconcile.ts and logs.
import type { ChainReconciliationJson, ReconciliationJson } from "./schema.js";

type JsonDifference = ReconciliationJson["differences"][number];

const show = (figure: JsonDifference["chain"]) => (figure === null ? "null" : String(figure));
const differences = (n: number) => `${n} difference${n === 1 ? "" : "s"}`;

/** `[31337] BookingEscrow.earnings(0x…): chain 100, index 101`. */
export function formatDifference(d: JsonDifference): string {
  return `[${d.chainId}] ${d.contract}.${d.view}(${d.key}): chain ${show(d.chain)}, index ${show(d.index)}`;
}

/** One chain's line: `block N (chain head H, L behind): C figures checked, D differences`. */
export function summaryLine(c: Pick<ChainReconciliationJson, "block" | "head" | "lagBlocks" | "checked" | "differences">): string {
  const head = c.head === null ? "chain head unknown" : `chain head ${c.head}, ${c.lagBlocks} behind`;
  return `block ${c.block} (${head}): ${c.checked} figures checked, ${differences(c.differences)}`;
}

/**
 * What follows the differences: for one chain its one line (as ever); for several, each chain's
 * line after `<name> (chain <id>): `, then `all chains: C figures checked, D differences`.
 */
export function summaryLines(r: ReconciliationJson): string[] {
  if (r.chains.length <= 1) {
    return [summaryLine({ block: r.block, head: r.head, lagBlocks: r.lagBlocks, checked: r.checked, differences: r.differences.length })];
  }
  return [
    ...r.chains.map((c) => `${c.chain} (chain ${c.chainId}): ${summaryLine(c)}`),
    `all chains: ${r.checked} figures checked, ${differences(r.differences.length)}`,
  ];
}
