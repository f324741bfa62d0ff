// The cancellation policy (domain/cancellation.ts): the rules on hand-checked figures, then
// properties over many random amounts, rates and times (seeded, so a failure reproduces).
import { describe, expect, it } from "vitest";
import { cancellationSplit, FREE_CANCELLATION_SECONDS, type CancellingParty } from "../../domain/cancellation.js";

const PAID = 1_750_000_000n;
const HOUR = 3600n;

describe("cancellation policy", () => {
  it("the provider cancels: everything to the customer, at any time", () => {
    for (const now of [PAID, PAID + 25n * HOUR, PAID + 400n * 24n * HOUR]) {
      expect(cancellationSplit({ amount: 123_456_789n, platformFeeRate: 1000n, paidAt: PAID, now, by: "provider" })).toEqual({
        customerAmount: 123_456_789n,
        providerAmount: 0n,
        platformAmount: 0n,
        inviterAmount: 0n,
        rule: "provider_cancelled",
      });
    }
  });

  it("the customer cancels within 24 h (inclusive) of payment, or with a clock behind it: a full refund", () => {
    for (const now of [PAID - 100n, PAID, PAID + 23n * HOUR, PAID + FREE_CANCELLATION_SECONDS]) {
      expect(cancellationSplit({ amount: 50_000_000n, platformFeeRate: 500n, paidAt: PAID, now, by: "customer" })).toMatchObject({
        customerAmount: 50_000_000n,
        providerAmount: 0n,
        platformAmount: 0n,
        rule: "customer_within_free_window",
      });
    }
  });

  it("the customer cancels later: a 10% fee split platform (its rate of the fee) / provider, rounded down", () => {
    // fee = floor(123456789 / 10) = 12345678; platform = floor(12345678 * 1000 / 10000) = 1234567
    expect(cancellationSplit({ amount: 123_456_789n, platformFeeRate: 1000n, paidAt: PAID, now: PAID + FREE_CANCELLATION_SECONDS + 1n, by: "customer" })).toEqual({
      customerAmount: 111_111_111n,
      providerAmount: 11_111_111n,
      platformAmount: 1_234_567n,
      inviterAmount: 0n,
      rule: "customer_late_fee",
    });
    // fee = floor(99 / 10) = 9; platform = floor(9 * 2000 / 10000) = 1
    expect(cancellationSplit({ amount: 99n, platformFeeRate: 2000n, paidAt: PAID, now: PAID + 48n * HOUR, by: "customer" })).toMatchObject({
      customerAmount: 90n,
      providerAmount: 8n,
      platformAmount: 1n,
    });
    // Too small for a fee: the customer keeps everything.
    expect(cancellationSplit({ amount: 9n, platformFeeRate: 1000n, paidAt: PAID, now: PAID + 48n * HOUR, by: "customer" })).toMatchObject({ customerAmount: 9n, providerAmount: 0n, platformAmount: 0n });
    expect(cancellationSplit({ amount: 1_000n, platformFeeRate: 0n, paidAt: PAID, now: PAID + 48n * HOUR, by: "customer" })).toMatchObject({ customerAmount: 900n, providerAmount: 100n, platformAmount: 0n });
  });

  it("refuses impossible inputs", () => {
    expect(() => cancellationSplit({ amount: -1n, platformFeeRate: 0n, paidAt: PAID, now: PAID, by: "customer" })).toThrow(RangeError);
    expect(() => cancellationSplit({ amount: 1n, platformFeeRate: 10_001n, paidAt: PAID, now: PAID, by: "customer" })).toThrow(RangeError);
  });

  it("property: the four parts are non-negative and sum to the amount to the unit, over many amounts, rates and times", () => {
    let seed = 0x2545f491n;
    const next = (bound: bigint) => {
      // xorshift64*
      seed ^= seed << 13n;
      seed &= (1n << 64n) - 1n;
      seed ^= seed >> 7n;
      seed ^= seed << 17n;
      seed &= (1n << 64n) - 1n;
      return seed % bound;
    };
    let checked = 0;
    const amounts = [0n, 1n, 9n, 10n, 11n, 999_999n, 2n ** 128n, (2n ** 256n - 1n) / 10_000n];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = next(4n) === 0n ? 2n ** 200n : next(2n) === 0n ? 10n ** 12n : 1000n;
      const amount = i < amounts.length ? amounts[i]! : next(magnitude) + (next(3n) === 0n ? 0n : 1n);
      const platformFeeRate = next(2n) === 0n ? next(2001n) : [0n, 1n, 1999n, 2000n, 10_000n][Number(next(5n))]!;
      const now = PAID + next(3n * 24n * HOUR) - HOUR;
      const by: CancellingParty = next(2n) === 0n ? "customer" : "provider";
      const s = cancellationSplit({ amount, platformFeeRate, paidAt: PAID, now, by });
      const fee = s.providerAmount + s.platformAmount;
      const ok =
        s.customerAmount + s.providerAmount + s.platformAmount + s.inviterAmount === amount &&
        [s.customerAmount, s.providerAmount, s.platformAmount].every((part) => part >= 0n) &&
        s.inviterAmount === 0n &&
        (s.rule === "customer_late_fee" ? fee === (amount * 1000n) / 10_000n && s.platformAmount === (fee * platformFeeRate) / 10_000n : fee === 0n);
      // expect() only on failure: 20 000 cases stay fast.
      if (!ok) expect(s, JSON.stringify({ amount: amount.toString(), platformFeeRate: platformFeeRate.toString(), now: now.toString(), by })).toBe("a valid split");
      checked++;
    }
    expect(checked).toBe(20_000);
  });
});
