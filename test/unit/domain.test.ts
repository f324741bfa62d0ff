import { concat, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { bpsToNumber, isEmergencyCancellation, settlementPayouts, splitCompletion } from "../../domain/fees.js";
import { addressOrNull, logId, lower, ZERO_ADDRESS } from "../../domain/ids.js";
import { applyPayment, applySettlement, orderDataHash, qrOrderStatus } from "../../domain/qr.js";
import { fiatValueOf, parseFiatAmount, quoteTokenAmount } from "../../domain/quote.js";
import { canCheckIn, claimableAmount, eventSettlement, purchaseAmount, stakePerTicket, stakeStatusAtCompletion } from "../../domain/tickets.js";
import { dayDate, dayOf, dayStart } from "../../domain/time.js";

const P = "0x00000000000000000000000000000000000000aa" as const;
const I = "0x00000000000000000000000000000000000000bb" as const;
const W = "0x00000000000000000000000000000000000000cc" as const;
const C = "0x00000000000000000000000000000000000000dd" as const;

describe("booking fees", () => {
  it("splits like BookingEscrow.splitCompletion: fees round down, the provider gets the remainder", () => {
    expect(splitCompletion(100_000_007n, 500n, 500n)).toEqual({ providerAmount: 90_000_007n, platformFee: 5_000_000n, inviterFee: 5_000_000n });
    expect(splitCompletion(19n, 1000n, 0n)).toEqual({ providerAmount: 18n, platformFee: 1n, inviterFee: 0n });
    expect(splitCompletion(9n, 1000n, 1000n)).toEqual({ providerAmount: 9n, platformFee: 0n, inviterFee: 0n });
    const s = splitCompletion(33_333_333n, 1500n, 0n);
    expect(s.providerAmount + s.platformFee + s.inviterFee).toBe(33_333_333n);
    expect(() => splitCompletion(100n, 9000n, 2000n)).toThrow();
  });

  it("lists only non-zero payouts, in the contract's order, by role", () => {
    expect(settlementPayouts({ provider: P, inviter: I, platformWallet: W }, { providerAmount: 90n, platformAmount: 5n, inviterAmount: 5n })).toEqual([
      { role: "PROVIDER", account: P, amount: 90n },
      { role: "PLATFORM", account: W, amount: 5n },
      { role: "INVITER", account: I, amount: 5n },
    ]);
    expect(settlementPayouts({ provider: P, inviter: null, platformWallet: W }, { providerAmount: 0n, platformAmount: 5n, inviterAmount: 0n })).toEqual([
      { role: "PLATFORM", account: W, amount: 5n },
    ]);
    expect(() => settlementPayouts({ provider: P, inviter: null, platformWallet: W }, { providerAmount: 0n, platformAmount: 0n, inviterAmount: 1n })).toThrow();
  });

  it("an emergency cancellation is one neither party sent", () => {
    expect(isEmergencyCancellation(W, C, P)).toBe(true);
    expect(isEmergencyCancellation(C.toUpperCase().replace("0X", "0x") as `0x${string}`, C, P)).toBe(false);
    expect(isEmergencyCancellation(P, C, P)).toBe(false);
  });

  it("basis points fit a number and are bounded", () => {
    expect(bpsToNumber(2000n)).toBe(2000);
    expect(() => bpsToNumber(10_001n)).toThrow();
  });
});

describe("tickets and stakes", () => {
  it("stake and purchase amounts", () => {
    expect(stakePerTicket(10n ** 17n, 2000n)).toBe(2n * 10n ** 16n);
    expect(stakePerTicket(999n, 1n)).toBe(0n);
    expect(purchaseAmount(10n ** 17n, 2000n, 3n)).toBe(36n * 10n ** 16n);
  });

  it("settlement: 5% of the revenue to the platform, no-show stakes to the organizer", () => {
    const price = 10n ** 17n;
    const r = eventSettlement({ price, stakeBps: 2000n, escrowed: 4n * 12n * 10n ** 16n, paidTickets: 4n, paidCheckedIn: 2n });
    expect(r.platformFee).toBe((4n * price * 500n) / 10_000n);
    expect(r.organizerAmount).toBe(4n * price - r.platformFee);
    expect(r.stakesHeld).toBe(2n * 2n * 10n ** 16n);
    expect(r.noShows).toBe(2n);
    expect(r.forfeited).toBe(2n * 2n * 10n ** 16n);
  });

  it("stake states", () => {
    expect(stakeStatusAtCompletion(true)).toBe("CLAIMABLE");
    expect(stakeStatusAtCompletion(false)).toBe("FORFEITED");
    expect(claimableAmount("CLAIMABLE", 5n)).toBe(5n);
    for (const s of ["HELD", "CLAIMED", "FORFEITED", "REFUNDED"] as const) expect(claimableAmount(s, 5n)).toBe(0n);
    expect(canCheckIn("ACTIVE", false)).toBe(true);
    expect(canCheckIn("ACTIVE", true)).toBe(false);
    expect(canCheckIn("COMPLETED", false)).toBe(false);
  });
});

describe("QR orders", () => {
  it("status from paid and settled totals", () => {
    expect(qrOrderStatus(100n, 0n)).toBe("PAID");
    expect(qrOrderStatus(100n, 100n)).toBe("SETTLED");
    expect(qrOrderStatus(150n, 100n)).toBe("PARTIALLY_SETTLED");
    expect(() => qrOrderStatus(100n, 101n)).toThrow();
  });

  it("payments add increments; settlements settle what is unsettled", () => {
    let order = { paidAmount: 0n, paidFiat: 0n, settledAmount: 0n, settledFiat: 0n };
    order = { ...order, ...applyPayment(order, { tokenAmount: 100n, fiatAmount: 1000n }) };
    order = { ...order, ...applyPayment(order, { tokenAmount: 20n, fiatAmount: 200n }) };
    expect(order.paidAmount).toBe(120n);
    expect(order.paidFiat).toBe(1200n);
    const settled = applySettlement(order, { tokenAmount: 120n, fiatAmount: 1200n });
    expect(settled).toEqual({ settledAmount: 120n, settledFiat: 1200n, unsettledAmount: 0n, status: "SETTLED" });
    order = { ...order, ...settled };
    const topUp = applyPayment(order, { tokenAmount: 5n, fiatAmount: 50n });
    expect(topUp.status).toBe("PARTIALLY_SETTLED");
    expect(topUp.unsettledAmount).toBe(5n);
  });

  it("orderDataHash matches abi.encodePacked(orderId, referenceString, token, creator)", () => {
    // keccak256("a" ++ "b" ++ 20 bytes of token ++ 20 bytes of creator), built byte by byte.
    expect(orderDataHash("a", "b", ZERO_ADDRESS, P)).toBe(keccak256(concat([toHex("a"), toHex("b"), ZERO_ADDRESS, P])));
    expect(orderDataHash("ORDER-1", "REF-1", ZERO_ADDRESS, P)).not.toBe(orderDataHash("ORDER-1", "REF-2", ZERO_ADDRESS, P));
  });

  it("quotes like OracleHub.quote (rounded up)", () => {
    // 16 000 IDR per USDC (6 decimals): 1 IDR buys 62.5 units → 63.
    expect(quoteTokenAmount(10n ** 18n, 16_000n * 10n ** 18n, 6)).toBe(63n);
    expect(quoteTokenAmount(16_000n * 10n ** 18n, 16_000n * 10n ** 18n, 6)).toBe(1_000_000n);
    expect(() => quoteTokenAmount(1n, 0n, 6)).toThrow();
  });
});

describe("days and ids", () => {
  it("buckets by floor(timestamp / 86400)", () => {
    expect(dayOf(0n)).toBe(0);
    expect(dayOf(86_399n)).toBe(0);
    expect(dayOf(86_400n)).toBe(1);
    expect(dayOf(1_700_000_000n)).toBe(19675);
    expect(dayStart(19675)).toBe(1_699_920_000n);
    expect(dayDate(19675)).toBe("2023-11-14");
    expect(() => dayOf(-1n)).toThrow();
  });

  it("log ids and addresses", () => {
    expect(logId("0xABC", 3)).toBe("0xabc-3");
    expect(lower("0xAbC")).toBe("0xabc");
    expect(addressOrNull(ZERO_ADDRESS)).toBeNull();
    expect(addressOrNull("0x00000000000000000000000000000000000000AA")).toBe(P);
  });
});

describe("fiat quotes (domain/quote.ts)", () => {
  it("parse fiat amounts to 18 decimals, refusing negative, exponent, too precise or empty ones with the reason", () => {
    expect(parseFiatAmount("150000")).toEqual({ ok: true, value: 150_000n * 10n ** 18n });
    expect(parseFiatAmount("1500.25")).toEqual({ ok: true, value: 150_025n * 10n ** 16n });
    expect(parseFiatAmount("0.000000000000000001")).toEqual({ ok: true, value: 1n });
    for (const [raw, why] of [["-5", /negative/], ["1e5", /exponent/], ["1.0000000000000000001", /more than 18 decimals/], ["", /decimal number/], ["0", /more than 0/], ["01", /decimal number/], ["1.", /decimal number/], [" 1", /decimal number/]] as const) {
      const r = parseFiatAmount(raw);
      expect(r.ok, raw).toBe(false);
      if (!r.ok) expect(r.error).toMatch(why);
    }
  });
  it("quote as OracleHub does: rounded up, so the fiat price is always covered", () => {
    const rate = 16_000n * 10n ** 18n; // IDR per whole token
    expect(quoteTokenAmount(160_000n * 10n ** 18n, rate, 6)).toBe(10_000_000n); // 10 USDC exactly
    expect(quoteTokenAmount(1n, rate, 6)).toBe(1n); // the smallest fiat amount still costs a unit
    expect(quoteTokenAmount(150_000n * 10n ** 18n, 52_000_000n * 10n ** 18n, 18)).toBe(2884615384615385n); // ceil(150000/52000000 ETH)
    expect(fiatValueOf(quoteTokenAmount(150_000n * 10n ** 18n, rate, 6), rate, 6)).toBeGreaterThanOrEqual(150_000n * 10n ** 18n);
    expect(fiatValueOf(10_000_000n, rate, 6)).toBe(160_000n * 10n ** 18n);
    expect(() => quoteTokenAmount(1n, 0n, 18)).toThrow(RangeError);
  });
});
