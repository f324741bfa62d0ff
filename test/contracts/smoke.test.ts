import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestChain, type TestChain } from "../helpers/chain.js";
import { abis } from "../../devchain/artifacts.js";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain();
});
afterAll(async () => t?.stop());

describe("deployment", () => {
  it("wires the ticket minter and the escrow operator", async () => {
    const { contracts, roles } = t.deployment;
    expect(
      await t.publicClient.readContract({ address: contracts.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "minter" }),
    ).toBe(contracts.PaymentProcessor.address);
    expect(
      await t.publicClient.readContract({ address: contracts.BookingEscrow.address, abi: abis.BookingEscrow, functionName: "operators", args: [roles.operator] }),
    ).toBe(true);
  });
});
