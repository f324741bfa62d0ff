import { createPublicClient, custom, hashMessage, hashTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { signedBy } from "../../api/chain/signature.js";
import { ApiError } from "../../api/http/errors.js";

const message = "example.com wants you to sign in";
const hash = hashMessage(message);
const account = privateKeyToAccount(generatePrivateKey());
const other = privateKeyToAccount(generatePrivateKey());
const calls: string[] = [];
const down = createPublicClient({
  transport: custom({
    request: async ({ method }) => {
      calls.push(method);
      throw new Error("connect ECONNREFUSED");
    },
  }),
});

describe("whether an address signed a hash", () => {
  it("accepts an EOA's own signature without asking the chain", async () => {
    calls.length = 0;
    expect(await signedBy(down)(account.address, hash, await account.signMessage({ message }))).toBe(true);
    const typed = { domain: { name: "EventTicketNFT", version: "1", chainId: 1 }, types: { CheckIn: [{ name: "tokenId", type: "uint256" }] }, primaryType: "CheckIn", message: { tokenId: 7n } } as const;
    expect(await signedBy(down)(account.address, hashTypedData(typed), await account.signTypedData(typed))).toBe(true);
    expect(calls).toEqual([]);
  });

  it("without a chain client, anything but the EOA's own signature is refused", async () => {
    const verify = signedBy(null);
    expect(await verify(account.address, hash, await other.signMessage({ message }))).toBe(false);
    expect(await verify(account.address, hash, "0x1234")).toBe(false);
  });

  it("asks the chain otherwise, and says so with a 503 when the chain does not answer", async () => {
    calls.length = 0;
    const err = await signedBy(down)(account.address, hash, await other.signMessage({ message })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect((err as ApiError).code).toBe("chain_unavailable");
    expect(calls.length).toBeGreaterThan(0);
  });
});
