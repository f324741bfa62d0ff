import { encodeFunctionData, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { BookingEscrowAbi } from "../../abis/BookingEscrow.js";
import { cancellationNonceOf } from "../../src/lib/calldata.js";

const escrow: Hex = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const bookingId: Hex = `0x${"12".repeat(32)}`;
const auth = { bookingId, customerAmount: 90n, providerAmount: 8n, platformAmount: 2n, inviterAmount: 0n, reason: "r", expiry: 10n, nonce: 123456789n };
const input = encodeFunctionData({ abi: BookingEscrowAbi, functionName: "cancelBooking", args: [auth, "0x1234"] });

describe("the cancellation nonce, from the cancelling transaction's input", () => {
  it("is the authorization's nonce for a direct cancelBooking call on the escrow", () => {
    expect(cancellationNonceOf({ to: escrow, input }, escrow, bookingId)).toBe(123456789n);
    expect(cancellationNonceOf({ to: escrow.toUpperCase().replace("0X", "0x") as Hex, input }, escrow, bookingId.toUpperCase().replace("0X", "0x") as Hex)).toBe(123456789n);
  });

  it("is unknown for anything else: another contract, another function, another booking, garbage", () => {
    expect(cancellationNonceOf({ to: "0x000000000000000000000000000000000000dead", input }, escrow, bookingId)).toBeNull();
    expect(cancellationNonceOf({ to: null, input }, escrow, bookingId)).toBeNull();
    expect(cancellationNonceOf({ to: escrow, input }, escrow, `0x${"34".repeat(32)}`)).toBeNull();
    const emergency = encodeFunctionData({ abi: BookingEscrowAbi, functionName: "emergencyCancelBooking", args: [bookingId, "x"] });
    expect(cancellationNonceOf({ to: escrow, input: emergency }, escrow, bookingId)).toBeNull();
    expect(cancellationNonceOf({ to: escrow, input: "0xdeadbeef" }, escrow, bookingId)).toBeNull();
    expect(cancellationNonceOf({ to: escrow, input: "0x" }, escrow, bookingId)).toBeNull();
  });
});
