import { createPublicClient, custom } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { messageVerifier } from "../../api/auth/signature.js";
import { ApiError } from "../../api/http/errors.js";

const message = "example.com wants you to sign in";
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

describe("sign-in signature check", () => {
  it("accepts an EOA's own signature without asking the chain", async () => {
    calls.length = 0;
    expect(await messageVerifier(down)(account.address, message, await account.signMessage({ message }))).toBe(true);
    expect(calls).toEqual([]);
  });

  it("without a chain client, anything but the EOA's own signature is refused", async () => {
    const verify = messageVerifier(null);
    expect(await verify(account.address, message, await other.signMessage({ message }))).toBe(false);
    expect(await verify(account.address, message, "0x1234")).toBe(false);
  });

  it("asks the chain otherwise, and says so with a 503 when the chain does not answer", async () => {
    calls.length = 0;
    const err = await messageVerifier(down)(account.address, message, await other.signMessage({ message })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect((err as ApiError).code).toBe("chain_unavailable");
    expect(calls.length).toBeGreaterThan(0);
  });
});
