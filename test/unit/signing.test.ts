// Signing rules without I/O: nonce composition, booking terms (defaults, limits, who may set
// rates), the exact EIP-712 types, authorization status from the index.
import { hashTypedData, keccak256, recoverTypedDataAddress, toBytes, zeroAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { bookingIdOf, bookingTerms, MAX_BOOKING_AMOUNT, offchainBookingId } from "../../api/signing/booking.js";
import { laterOf } from "../../api/signing/clock.js";
import { signingChainFor } from "../../api/signing/chain.js";
import { composeNonce, decomposeNonce } from "../../api/signing/nonce.js";
import { authorizationStatus, type IndexedBooking } from "../../api/signing/status.js";
import {
  BOOKING_AUTHORIZATION_TYPES,
  bookingTypedDataJson,
  CANCELLATION_AUTHORIZATION_TYPES,
  clientTypedData,
  encodeType,
  escrowDomain,
  type BookingAuthorization,
} from "../../api/signing/typed-data.js";

const C = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const P = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720" as Address;
const I = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955" as Address;

describe("nonce composition", () => {
  it("puts the millisecond above a 64-bit sequence, so a later store never repeats an earlier one", () => {
    const n = composeNonce(1_763_000_000_000n, 7n);
    expect(n).toBe((1_763_000_000_000n << 64n) | 7n);
    expect(decomposeNonce(n)).toEqual({ unixMs: 1_763_000_000_000n, sequence: 7n });
    // A wiped store restarts its sequence at 1, a millisecond later: still above any nonce before.
    expect(composeNonce(1_763_000_000_001n, 1n) > composeNonce(1_763_000_000_000n, 2n ** 64n - 1n)).toBe(true);
    expect(composeNonce(0n, 0n)).toBe(0n);
    expect(composeNonce(2n ** 60n, 2n ** 64n - 1n) < 2n ** 256n).toBe(true);
    expect(() => composeNonce(1n, 2n ** 64n)).toThrow(RangeError);
    expect(() => composeNonce(1n, -1n)).toThrow(RangeError);
    expect(() => composeNonce(-1n, 1n)).toThrow(RangeError);
    const seen = new Set<bigint>();
    for (let ms = 0n; ms < 30n; ms++) for (let seq = 0n; seq < 30n; seq++) seen.add(composeNonce(1_700_000_000_000n + ms, seq));
    expect(seen.size).toBe(900);
  });
});

describe("booking terms", () => {
  it("defaults: 10% platform without an inviter, 5% + 5% with one (zero address = none)", () => {
    expect(bookingTerms({ customer: C, provider: P, amount: 1_000_000n }, false)).toEqual({
      ok: true,
      terms: { customer: C, provider: P, inviter: zeroAddress, amount: 1_000_000n, platformFeeRate: 1000n, inviterFeeRate: 0n },
    });
    expect(bookingTerms({ customer: C, provider: P, inviter: zeroAddress, amount: 5n }, false)).toMatchObject({ ok: true, terms: { inviter: zeroAddress, platformFeeRate: 1000n } });
    expect(bookingTerms({ customer: C, provider: P, inviter: I, amount: 5n }, false)).toMatchObject({ ok: true, terms: { inviter: I, platformFeeRate: 500n, inviterFeeRate: 500n } });
  });

  it("only an admin sets rates, within the contract's limits", () => {
    expect(bookingTerms({ customer: C, provider: P, amount: 5n, platformFeeRate: 0 }, false)).toMatchObject({ ok: false, status: 403, field: "platformFeeRate" });
    expect(bookingTerms({ customer: C, provider: P, inviter: I, amount: 5n, inviterFeeRate: 0 }, false)).toMatchObject({ ok: false, status: 403, field: "inviterFeeRate" });
    expect(bookingTerms({ customer: C, provider: P, inviter: I, amount: 5n, platformFeeRate: 2000, inviterFeeRate: 1000 }, true)).toMatchObject({ ok: true, terms: { platformFeeRate: 2000n, inviterFeeRate: 1000n } });
    expect(bookingTerms({ customer: C, provider: P, inviter: I, amount: 5n, platformFeeRate: 0 }, true)).toMatchObject({ ok: true, terms: { platformFeeRate: 0n, inviterFeeRate: 500n } });
    expect(bookingTerms({ customer: C, provider: P, amount: 5n, platformFeeRate: 2001 }, true)).toMatchObject({ ok: false, status: 400, field: "platformFeeRate" });
    expect(bookingTerms({ customer: C, provider: P, inviter: I, amount: 5n, inviterFeeRate: 1001 }, true)).toMatchObject({ ok: false, status: 400, field: "inviterFeeRate" });
    expect(bookingTerms({ customer: C, provider: P, amount: 5n, inviterFeeRate: 1 }, true)).toMatchObject({ ok: false, status: 400, field: "inviterFeeRate" });
  });

  it("refuses bookings the contract would refuse or that make no sense", () => {
    const field = (r: ReturnType<typeof bookingTerms>) => (r.ok ? "ok" : r.field);
    expect(field(bookingTerms({ customer: C, provider: C.toLowerCase() as Address, amount: 5n }, false))).toBe("provider");
    expect(field(bookingTerms({ customer: C, provider: zeroAddress, amount: 5n }, false))).toBe("provider");
    expect(field(bookingTerms({ customer: C, provider: P, inviter: C, amount: 5n }, false))).toBe("inviter");
    expect(field(bookingTerms({ customer: C, provider: P, inviter: P, amount: 5n }, false))).toBe("inviter");
    expect(field(bookingTerms({ customer: C, provider: P, amount: 0n }, false))).toBe("amount");
    expect(field(bookingTerms({ customer: C, provider: P, amount: MAX_BOOKING_AMOUNT + 1n }, false))).toBe("amount");
    expect(field(bookingTerms({ customer: C, provider: P, amount: MAX_BOOKING_AMOUNT }, false))).toBe("ok");
  });

  it("booking ids are keccak256 of a per-(signer, nonce) off-chain id", () => {
    const id = offchainBookingId(P, 42n);
    expect(id).toBe(`booking:${P.toLowerCase()}:42`);
    expect(bookingIdOf(id)).toBe(keccak256(toBytes(id)));
    expect(bookingIdOf(offchainBookingId(P, 43n))).not.toBe(bookingIdOf(id));
  });
});

describe("EIP-712 types", () => {
  it("are SPEC §1.1's exact type strings", () => {
    expect(encodeType("BookingAuthorization", BOOKING_AUTHORIZATION_TYPES.BookingAuthorization)).toBe(
      "BookingAuthorization(bytes32 bookingId,address customer,address provider,address inviter,uint256 amount,uint256 platformFeeRate,uint256 inviterFeeRate,uint256 expiry,uint256 nonce)",
    );
    expect(encodeType("CancellationAuthorization", CANCELLATION_AUTHORIZATION_TYPES.CancellationAuthorization)).toBe(
      "CancellationAuthorization(bytes32 bookingId,uint256 customerAmount,uint256 providerAmount,uint256 platformAmount,uint256 inviterAmount,string reason,uint256 expiry,uint256 nonce)",
    );
  });

  it("the JSON typed data hashes like the signed struct and recovers the signer", async () => {
    const signer = privateKeyToAccount(generatePrivateKey());
    const domain = escrowDomain(84532, "0x33ddEd6F8183aa4dAB04E2aE216a5a3f9871405a");
    const message: BookingAuthorization = {
      bookingId: bookingIdOf("x"),
      customer: C,
      provider: P,
      inviter: zeroAddress,
      amount: 10n ** 30n,
      platformFeeRate: 1000n,
      inviterFeeRate: 0n,
      expiry: 1_800_000_000n,
      nonce: composeNonce(1_763_000_000_000n, 5n),
    };
    const signature = await signer.signTypedData({ domain, types: BOOKING_AUTHORIZATION_TYPES, primaryType: "BookingAuthorization", message });
    const json = JSON.parse(JSON.stringify(bookingTypedDataJson(domain, message)));
    expect(json.message.amount).toBe("1000000000000000000000000000000");
    // Without EIP712Domain in types, which ethers v6 refuses; viem derives it from the domain.
    expect(Object.keys(json.types)).toEqual(["BookingAuthorization"]);
    expect(hashTypedData(json)).toBe(hashTypedData({ domain, types: BOOKING_AUTHORIZATION_TYPES, primaryType: "BookingAuthorization", message }));
    expect(await recoverTypedDataAddress({ ...json, signature })).toBe(signer.address);
  });

  it("records stored with EIP712Domain in types are served without it, and still hash the same", () => {
    const domain = escrowDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const message: BookingAuthorization = {
      bookingId: bookingIdOf("y"),
      customer: C,
      provider: P,
      inviter: zeroAddress,
      amount: 1n,
      platformFeeRate: 1000n,
      inviterFeeRate: 0n,
      expiry: 1n,
      nonce: 2n,
    };
    const current = bookingTypedDataJson(domain, message);
    const domainFields = [
      { name: "name", type: "string" },
      { name: "version", type: "string" },
      { name: "chainId", type: "uint256" },
      { name: "verifyingContract", type: "address" },
    ];
    const old = { ...current, types: { EIP712Domain: domainFields, ...current.types } };
    expect(clientTypedData(old)).toEqual(current);
    expect(clientTypedData(current)).toEqual(current);
    expect(hashTypedData(clientTypedData(old) as Parameters<typeof hashTypedData>[0])).toBe(hashTypedData(old as Parameters<typeof hashTypedData>[0]));
  });
});

describe("authorization status", () => {
  const paid: IndexedBooking = {
    status: "PAID",
    emergency: false,
    customerRefund: 0n,
    providerAmount: 0n,
    platformAmount: 0n,
    inviterAmount: 0n,
    cancelReason: null,
    cancellationNonce: null,
    createdTxHash: `0x${"a".repeat(64)}` as Hex,
    settledTxHash: null,
  };
  const cancelled: IndexedBooking = { ...paid, status: "CANCELLED", customerRefund: 90n, providerAmount: 8n, platformAmount: 2n, cancelReason: "plans changed", settledTxHash: `0x${"b".repeat(64)}` as Hex };
  const booking = { kind: "booking" as const, expiry: 1000n, message: {} };
  const cancel = { kind: "cancellation" as const, expiry: 1000n, message: { customerAmount: "90", providerAmount: "8", platformAmount: "2", inviterAmount: "0", reason: "plans changed", nonce: "41" } };

  it("booking authorizations are used once their booking is indexed, whatever came after", () => {
    expect(authorizationStatus(booking, paid, 2000n)).toEqual({ status: "used", txHash: paid.createdTxHash });
    expect(authorizationStatus(booking, cancelled, 0n)).toEqual({ status: "used", txHash: paid.createdTxHash });
    expect(authorizationStatus(booking, null, 1000n)).toEqual({ status: "issued", txHash: null });
    expect(authorizationStatus(booking, null, 1001n)).toEqual({ status: "expired", txHash: null });
  });

  it("cancellations are used by the cancellation that carried their nonce, when the index knows it", () => {
    const withNonce = (nonce: bigint) => ({ ...cancelled, cancellationNonce: nonce });
    expect(authorizationStatus(cancel, withNonce(41n), 5000n)).toEqual({ status: "used", txHash: cancelled.settledTxHash });
    // Another authorization with the same split and reason was used: this one was not.
    expect(authorizationStatus(cancel, withNonce(42n), 10n)).toEqual({ status: "issued", txHash: null });
    expect(authorizationStatus(cancel, withNonce(42n), 5000n)).toEqual({ status: "expired", txHash: null });
    expect(authorizationStatus(cancel, { ...withNonce(41n), emergency: true }, 10n)).toEqual({ status: "issued", txHash: null });
  });

  it("without a known nonce (a call through a smart wallet), by a party's cancellation with exactly their amounts and reason", () => {
    expect(authorizationStatus(cancel, cancelled, 5000n)).toEqual({ status: "used", txHash: cancelled.settledTxHash });
    expect(authorizationStatus(cancel, paid, 10n)).toEqual({ status: "issued", txHash: null });
    expect(authorizationStatus(cancel, { ...cancelled, emergency: true }, 10n)).toEqual({ status: "issued", txHash: null });
    expect(authorizationStatus(cancel, { ...cancelled, customerRefund: 100n, providerAmount: 0n, platformAmount: 0n }, 5000n)).toEqual({ status: "expired", txHash: null });
    expect(authorizationStatus(cancel, { ...cancelled, status: "COMPLETED" }, 5000n)).toEqual({ status: "expired", txHash: null });
    expect(authorizationStatus(cancel, { ...cancelled, cancelReason: "other" }, 10n)).toEqual({ status: "issued", txHash: null });
    // The index keeps reasons without NULs.
    const nul = { ...cancel, message: { ...cancel.message, reason: "plans\u0000 changed" } };
    expect(authorizationStatus(nul, { ...cancelled, cancelReason: "plans changed" }, 10n)).toEqual({ status: "used", txHash: cancelled.settledTxHash });
  });

  it("the clock is the later of the wall clock and the chain head", () => {
    expect(laterOf(1_000_999, null)).toBe(1000n);
    expect(laterOf(1_000_999, 999n)).toBe(1000n);
    expect(laterOf(1_000_999, 90_000n)).toBe(90_000n);
  });
});

describe("the chain an authorization is signed for", () => {
  const escrow = (chainId: number) => ({ chainId, networkName: `n${chainId}`, domain: escrowDomain(chainId, zeroAddress), now: async () => 0n });
  const bare = (chainId: number) => ({ chainId, networkName: `n${chainId}`, domain: null, now: async () => 0n });

  it("is the one chain with an escrow when none is named", () => {
    expect(signingChainFor([bare(8453), escrow(84532), bare(11155111)], undefined).chainId).toBe(84532);
  });

  it("is the one named, if served (its missing escrow is the route's 503)", () => {
    expect(signingChainFor([escrow(1), escrow(2)], 2).chainId).toBe(2);
    expect(signingChainFor([escrow(1), bare(2)], 2).domain).toBeNull();
    expect(() => signingChainFor([escrow(1)], 3)).toThrow(expect.objectContaining({ status: 400, code: "unknown_chain" }));
  });

  it("must be named when escrows are on several chains", () => {
    expect(() => signingChainFor([escrow(31337), escrow(31338)], undefined)).toThrow(
      expect.objectContaining({ status: 400, code: "chain_required", details: { chains: [31337, 31338] } }),
    );
  });
});
