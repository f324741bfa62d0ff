// Which logs Ponder actually indexes: only those with a `ponder.on("Contract:Event", …)` handler
// in src/ are fetched (ERC-4906 MetadataUpdate, one per ticket, has none), so the benchmark counts
// events the way Ponder does rather than every log a contract emits.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { toEventSelector, type AbiEvent, type Hex } from "viem";
import { abis } from "../../devchain/artifacts.js";

const INDEXED_CONTRACTS = ["BookingEscrow", "EventTicketNFT", "PaymentProcessor", "QRPayment", "OracleHub"] as const;
export type IndexedContract = (typeof INDEXED_CONTRACTS)[number];

const HANDLER = /ponder\.on\(\s*["'`](\w+):(\w+)(?:\([^"'`]*\))?["'`]/g;

/** `Contract:Event` names with a handler in the indexing files of `srcDir`. */
export function handledEvents(srcDir: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(srcDir)) {
    if (!file.endsWith(".ts")) continue;
    for (const [, contract, event] of readFileSync(path.join(srcDir, file), "utf8").matchAll(HANDLER)) names.add(`${contract}:${event}`);
  }
  return names;
}

/** topic0 of every handled event, per contract. */
export function handledSelectors(srcDir: string): Record<IndexedContract, Set<Hex>> {
  const handled = handledEvents(srcDir);
  const out = {} as Record<IndexedContract, Set<Hex>>;
  for (const contract of INDEXED_CONTRACTS) {
    out[contract] = new Set(
      abis[contract]
        .filter((item): item is Extract<typeof item, { type: "event" }> => item.type === "event")
        .filter((item) => handled.has(`${contract}:${item.name}`))
        .map((item) => toEventSelector(item as AbiEvent)),
    );
  }
  return out;
}
