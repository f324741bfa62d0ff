// OracleHub: owner-set fiat rates (IDR, 18 decimals, per whole token), current and history.
import { ponder } from "ponder:registry";
import { oracleRate, oracleRateHistory } from "ponder:schema";
import { lower } from "../domain/ids.js";
import { at, ensureToken, idOf, setOwner, setPaused, setPendingOwner } from "./lib/store.js";

const CONTRACT = "OracleHub";

ponder.on("OracleHub:RateUpdated", async ({ event, context }) => {
  const chainId = context.chain.id;
  const token = lower(event.args.token);
  const { rate } = event.args;
  const where = at(event);
  // The log lacks the decimals OracleHub stored with the rate: the token's decimals() (18 for native).
  const info = await ensureToken(context, token);
  // Copy the value now: Ponder's row cache hands out the row object the upsert below mutates.
  const previousRate = (await context.db.find(oracleRate, { chainId, token }))?.rate ?? null;
  await context.db
    .insert(oracleRate)
    .values({ chainId, token, rate, decimals: info.decimals, updates: 1, updatedBlock: where.blockNumber, updatedAt: where.timestamp })
    .onConflictDoUpdate((row) => ({
      rate,
      decimals: info.decimals,
      updates: row.updates + 1,
      updatedBlock: where.blockNumber,
      updatedAt: where.timestamp,
    }));
  await context.db.insert(oracleRateHistory).values({ chainId, id: idOf(event), token, rate, previousRate, ...where });
});

ponder.on("OracleHub:Paused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, true, event.args.account);
});

ponder.on("OracleHub:Unpaused", async ({ event, context }) => {
  await setPaused(context, event, CONTRACT, false, event.args.account);
});

ponder.on("OracleHub:OwnershipTransferStarted", async ({ event, context }) => {
  await setPendingOwner(context, event, CONTRACT, event.args.newOwner);
});

ponder.on("OracleHub:OwnershipTransferred", async ({ event, context }) => {
  await setOwner(context, event, CONTRACT, event.args.newOwner);
});
