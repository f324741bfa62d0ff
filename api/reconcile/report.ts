// Reconciliation results as text, for scripts/reconcile.ts and logs.
import type { ReconciliationJson } from "./schema.js";

type JsonDifference = ReconciliationJson["differences"][number];

const show = (figure: JsonDifference["chain"]) => (figure === null ? "null" : String(figure));

export function formatDifference(d: JsonDifference): string {
  return `${d.contract}.${d.view}(${d.key}): chain ${show(d.chain)}, index ${show(d.index)}`;
}

export function summaryLine(r: ReconciliationJson): string {
  const n = r.differences.length;
  const head = r.head === null ? "chain head unknown" : `chain head ${r.head}, ${r.lagBlocks} behind`;
  return `block ${r.block} (${head}): ${r.checked} figures checked, ${n} difference${n === 1 ? "" : "s"}`;
}
