// Fiat quotes at OracleHub's rates. A rate is the fiat amount (IDR, 18 decimals) one whole token is
// worth; the contract's quote(token, fiat) = ceil(fiat × 10^decimals / rate) (Math.mulDiv, Ceil), so
// a payer never pays less than the fiat price. Pure, all bigint.

/** The one fiat currency OracleHub's rates are in. */
export const FIAT = "IDR" as const;
export const FIAT_DECIMALS = 18;

const AMOUNT = /^(0|[1-9][0-9]{0,59})(?:\.([0-9]{1,18}))?$/;

/** "150000" or "1500.25" → the amount in 18-decimal units; anything else (sign, exponent, > 18 decimals) is refused with the reason. */
export function parseFiatAmount(raw: string): { ok: true; value: bigint } | { ok: false; error: string } {
  const m = AMOUNT.exec(raw);
  if (!m) {
    const why = raw.startsWith("-") ? "must not be negative" : /e/i.test(raw) ? "must be written out, without an exponent" : /\.[0-9]{19,}$/.test(raw) ? `has more than ${FIAT_DECIMALS} decimals` : "must be a decimal number, e.g. 150000 or 1500.25";
    return { ok: false, error: `amount ${why}, got "${raw.slice(0, 80)}"` };
  }
  const value = BigInt(m[1]!) * 10n ** BigInt(FIAT_DECIMALS) + BigInt((m[2] ?? "").padEnd(FIAT_DECIMALS, "0"));
  if (value === 0n) return { ok: false, error: "amount must be more than 0" };
  return { ok: true, value };
}

/** `OracleHub.quote`: the token amount (its smallest unit) worth `fiatAmount` (18 decimals), rounded up. */
export function quoteTokenAmount(fiatAmount: bigint, rate: bigint, decimals: number): bigint {
  if (rate <= 0n) throw new RangeError("rate must be positive");
  const numerator = fiatAmount * 10n ** BigInt(decimals);
  return (numerator + rate - 1n) / rate;
}

/** The fiat value (18 decimals) of `amount` of a token at `rate`, rounded down: what it is worth, never more. */
export function fiatValueOf(amount: bigint, rate: bigint, decimals: number): bigint {
  return (amount * rate) / 10n ** BigInt(decimals);
}
