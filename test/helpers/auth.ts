// Sign-In with Ethereum against a running API, as a wallet would: fetch a nonce, write the EIP-4361
// message for the API's domain and chain, sign it with the account, exchange it for a token.
import type { LocalAccount } from "viem";
import { createSiweMessage } from "viem/siwe";

export type SignInNonce = { nonce: string; expiresAt: string; chainId: number; chainIds: number[]; domain: string };

export async function getSignInNonce(apiUrl: string): Promise<SignInNonce> {
  const res = await fetch(`${apiUrl}/api/auth/nonce`);
  if (res.status !== 200) throw new Error(`GET /api/auth/nonce: ${res.status} ${await res.text()}`);
  return (await res.json()) as SignInNonce;
}

/** The EIP-4361 message for `account`; `overrides` change any field (tests of the refusals). */
export function siweMessage(apiUrl: string, account: { address: `0x${string}` }, n: SignInNonce, overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}): string {
  return createSiweMessage({
    domain: n.domain,
    address: account.address,
    statement: "Sign in to the booking platform.",
    uri: apiUrl,
    version: "1",
    chainId: n.chainId,
    nonce: n.nonce,
    issuedAt: new Date(),
    ...overrides,
  });
}

export async function postVerify(apiUrl: string, message: string, signature: string): Promise<Response> {
  return fetch(`${apiUrl}/api/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, signature }),
  });
}

/** The full flow; returns the bearer token. */
export async function signIn(apiUrl: string, account: LocalAccount): Promise<string> {
  const n = await getSignInNonce(apiUrl);
  const message = siweMessage(apiUrl, account, n);
  const signature = await account.signMessage({ message });
  const res = await postVerify(apiUrl, message, signature);
  const body = (await res.json()) as { token?: string };
  if (res.status !== 200 || !body.token) throw new Error(`POST /api/auth/verify for ${account.address}: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
