// Roles that depend on a resource, read from the index: the organizer of a ticketed event, the
// merchant (creator) of a QR order. The index stores addresses lower-case. Ids repeat across the
// chains one index may hold, so each check names its chain: organizing event 1 on another chain
// gives no say over event 1 here.
import { and, eq } from "drizzle-orm";
import type { Hex } from "viem";
import type { ReadDeps } from "../rest/db.js";

export async function isOrganizer(deps: ReadDeps, chainId: number, address: string, eventId: bigint): Promise<boolean> {
  const t = deps.schema.ticketedEvent;
  const rows = await deps.db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.chainId, chainId), eq(t.id, eventId), eq(t.organizer, address.toLowerCase() as Hex)))
    .limit(1);
  return rows.length > 0;
}

export async function isMerchant(deps: ReadDeps, chainId: number, address: string, orderHash: Hex): Promise<boolean> {
  const t = deps.schema.qrOrder;
  const rows = await deps.db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.chainId, chainId), eq(t.id, orderHash.toLowerCase() as Hex), eq(t.creator, address.toLowerCase() as Hex)))
    .limit(1);
  return rows.length > 0;
}
