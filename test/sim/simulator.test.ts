import { afterAll, describe, expect, it } from "vitest";
import { startAnvil, type Anvil } from "../../devchain/anvil.js";
import { deployLocal } from "../../devchain/local.js";
import { simulate } from "../../devchain/sim/simulator.js";
import { summarize, type Summary } from "../../devchain/sim/summary.js";

const started: Anvil[] = [];
afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
});

async function freshRun(seed: number, ops: number): Promise<{ summary: Summary; failures: number }> {
  const anvil = await startAnvil({ accounts: 40 });
  started.push(anvil);
  const deployment = await deployLocal(anvil.rpcUrl);
  const result = await simulate({ rpcUrl: anvil.rpcUrl, deployment, seed, ops });
  return { summary: await summarize(anvil.rpcUrl, deployment, result), failures: result.failures.length };
}

const sum = (values: Iterable<string>) => [...values].reduce((s, v) => s + BigInt(v), 0n);

describe("traffic simulator", () => {
  let first: { summary: Summary; failures: number };

  it("runs 2000 ops through every function without a single revert", async () => {
    first = await freshRun(7, 2000);
    expect(first.failures).toBe(0);
    expect(first.summary.failedTransactions).toBe(0);
    for (const op of [
      "createBooking", "completeBooking", "operatorComplete", "cancelBooking", "emergencyCancel", "createEvent", "purchase",
      "compTickets", "transferTicket", "checkIn", "completeEvent", "cancelEvent", "refund", "claimStake", "withdrawEarnings",
      "withdrawPlatformFees", "payQR", "payQRNative", "topUp", "settle", "botChange", "rateUpdate", "pauseCycle",
    ]) {
      expect(first.summary.opsDone[op], op).toBeGreaterThan(0);
    }
    for (const event of ["TicketBatchMinted", "TicketMinted", "StakeForfeited", "StakeClaimed", "Refund", "OrderSettled", "Paused"]) {
      expect(first.summary.logs.byName[event], event).toBeGreaterThan(0);
    }
  });

  it("leaves every contract holding exactly what its views say it owes", () => {
    const s = first.summary;
    const paid = Object.values(s.bookingEscrow.bookings).filter((b) => b.status === "PAID");
    expect(BigInt(s.bookingEscrow.tokenBalance)).toBe(BigInt(s.bookingEscrow.totalEscrowed));
    expect(BigInt(s.bookingEscrow.totalEscrowed)).toBe(sum(paid.map((b) => b.amount)));

    const pp = s.paymentProcessor;
    const escrowed = sum(Object.values(s.tickets.events).map((e) => e.escrowed));
    expect(BigInt(pp.ethBalance)).toBe(
      BigInt(pp.platformFees) + BigInt(pp.unclaimedStakes) + sum(Object.values(pp.organizerBalances)) + escrowed,
    );

    const qr = s.qrPayment;
    for (const token of ["USDC", "USDT", "native"] as const) {
      expect(BigInt(qr.balances[token]), token).toBe(BigInt(qr.totalUnsettled[token]!));
    }
    expect(sum(Object.values(qr.orders).map((o) => o.unsettled))).toBe(
      sum(Object.values(qr.totalUnsettled)),
    );
  });

  it("gives the same event sequence for the same seed on a fresh chain, and another for another seed", async () => {
    const again = await freshRun(7, 2000);
    expect(again.summary.logs.digest).toBe(first.summary.logs.digest);
    expect(again.summary.logs.count).toBe(first.summary.logs.count);
    const { fromBlock: _a, toBlock: _b, ...rest } = again.summary;
    const { fromBlock: _c, toBlock: _d, ...restFirst } = first.summary;
    expect(rest).toEqual(restFirst);

    const other = await freshRun(8, 300);
    expect(other.summary.logs.digest).not.toBe(first.summary.logs.digest);
  });
});
