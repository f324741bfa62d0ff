// Sign-In with Ethereum: GET /api/auth/nonce, POST /api/auth/verify, GET /api/auth/me, POST /api/auth/logout.
import { createRoute, z } from "@hono/zod-openapi";
import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { getAddress, hashMessage, type Hex } from "viem";
import { signatureClient, signedBy, type HashVerifier } from "../chain/signature.js";
import { requestClientIp } from "../http/client-ip.js";
import { ApiError } from "../http/errors.js";
import { errorResponse, newRouter } from "../http/router.js";
import { getStore } from "../store/db.js";
import { rolesOf, STATIC_ROLES } from "./config.js";
import { requireAuth, type AuthEnv } from "./middleware.js";
import { consumeNonce, issueNonce } from "./nonces.js";
import { rateLimit } from "./rate-limit.js";
import { revokeToken } from "./revocations.js";
import { authConfig, authRuntime } from "./runtime.js";
import { checkSiweMessage, domainAllowed, MAX_MESSAGE_LENGTH } from "./siwe.js";
import { issueToken } from "./token.js";

const TAG = "auth";
export const BEARER = "bearerAuth";
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const Role = z.enum(STATIC_ROLES as [string, ...string[]]);
const Checksummed = z.string().openapi({ description: "EIP-55 checksummed address", example: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" });

const NonceJson = z
  .object({
    nonce: z.string().openapi({ description: "Put it in the EIP-4361 message's Nonce line; valid once, for 5 minutes" }),
    expiresAt: z.string().openapi({ description: "ISO 8601" }),
    chainId: z.number().int().openapi({ description: "A Chain ID the message may name: the first indexed chain" }),
    chainIds: z.array(z.number().int()).openapi({ description: "Every Chain ID the message may name: the chains this API indexes (the wallet's current one, if listed)" }),
    domain: z.string().openapi({ description: "The domain to name in the message (SIWE_DOMAIN's first; on the local network, the loopback address asked)" }),
  })
  .openapi("SignInNonce");

const VerifyBody = z
  .object({
    message: z.string().min(1).max(MAX_MESSAGE_LENGTH).openapi({ description: "The EIP-4361 message the wallet signed, exactly" }),
    signature: z
      .string()
      .regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes")
      .max(16_384)
      .openapi({ description: "personal_sign (EIP-191) signature of the message; a smart-contract wallet's ERC-1271 or ERC-6492 signature" }),
  })
  .strict();

const SessionJson = z
  .object({
    token: z.string().openapi({ description: "Send as Authorization: Bearer <token>" }),
    address: Checksummed,
    roles: z.array(Role).openapi({ description: "Static roles from the configuration (organizer and merchant are checked per resource)" }),
    expiresAt: z.string().openapi({ description: "ISO 8601" }),
  })
  .openapi("SignInSession");

const SignedOutJson = z
  .object({
    signedOut: z.literal(true),
    address: Checksummed,
    until: z.string().openapi({ description: "ISO 8601: when the token would have expired; it is refused until then" }),
  })
  .openapi("SignedOut");

const MeJson = z.object({ address: Checksummed, roles: z.array(Role) }).openapi("Caller");

/**
 * Nonce and verify requests per client IP (SIGN_IN_RATE_LIMIT_PER_MINUTE): anonymous routes that
 * write to the store, so a client cannot fill it with nonces. Built on first use, from the config.
 */
let signInLimiter: MiddlewareHandler | undefined;
const signInLimit: MiddlewareHandler = (c, next) => {
  const config = authConfig();
  signInLimiter ??= rateLimit({ name: "sign-in", limit: config.signInRateLimitPerMinute, windowSeconds: 60, key: (ctx) => requestClientIp(ctx, config.trustedProxyHops) });
  return signInLimiter(c, next);
};
let verifierOnce: HashVerifier | undefined;
const verifier = () => (verifierOnce ??= signedBy(signatureClient(authRuntime().network.rpcUrls)));

const tooMany = errorResponse("Too many sign-in requests from this client (SIGN_IN_RATE_LIMIT_PER_MINUTE); see Retry-After");

const nonceRoute = createRoute({
  method: "get",
  path: "/api/auth/nonce",
  operationId: "getSignInNonce",
  tags: [TAG],
  summary: "A fresh sign-in nonce",
  middleware: [signInLimit] as const,
  responses: { 200: json(NonceJson, "A nonce, valid once for 5 minutes"), 429: tooMany },
});

const verifyRoute = createRoute({
  method: "post",
  path: "/api/auth/verify",
  operationId: "verifySignIn",
  tags: [TAG],
  summary: "Sign in: exchange a signed EIP-4361 message for a token",
  description:
    "The message must name a configured domain (SIWE_DOMAIN; never this request's Host) with a URI at a configured origin (SIWE_URI_ORIGINS) and the indexed chain's id, carry a nonce from GET /api/auth/nonce (used once), have an Issued At not in the future and not older than the nonce, and be signed by its address: an EOA, or a smart-contract wallet (ERC-1271, or ERC-6492 before it is deployed) that the chain says signed it. 401 codes: domain_mismatch, uri_mismatch, chain_mismatch, nonce_unknown, nonce_used, nonce_expired, issued_before_nonce, issued_at_in_future, message_expired, not_yet_valid, bad_signature.",
  middleware: [signInLimit] as const,
  request: { body: { required: true, content: { "application/json": { schema: VerifyBody } } } },
  responses: {
    200: json(SessionJson, "Signed in"),
    400: errorResponse("The body or the message is malformed"),
    401: errorResponse("The message does not sign in here (see the code)"),
    429: tooMany,
    503: errorResponse("A contract wallet's signature could not be checked: the chain did not answer"),
  },
});

const meRoute = createRoute({
  method: "get",
  path: "/api/auth/me",
  operationId: "getMe",
  tags: [TAG],
  summary: "The signed-in caller and their static roles",
  security: [{ [BEARER]: [] }],
  middleware: [requireAuth] as const,
  responses: { 200: json(MeJson, "The caller"), 401: errorResponse("No, invalid or expired token") },
});

/**
 * The domain to put in the message: the configured one, or on the local default the loopback
 * address the request came in on. Only a suggestion: verify checks the message against the
 * configuration whatever this request's Host says.
 */
const logoutRoute = createRoute({
  method: "post",
  path: "/api/auth/logout",
  operationId: "signOut",
  tags: [TAG],
  summary: "Sign out: the token sent is refused from now on, by every replica",
  description: "Takes no body. Only this token is signed out (others of the same address stay valid); from now until it would have expired, every request with it, another sign-out too, is a 401 token_revoked. To stay signed in instead, sign in again before expiresAt.",
  security: [{ [BEARER]: [] }],
  middleware: [requireAuth] as const,
  responses: { 200: json(SignedOutJson, "Signed out"), 401: errorResponse("No, invalid, expired or already signed-out token") },
});

function suggestedDomain(c: Context): string {
  const { domains } = authConfig().siwe;
  if (domains !== "loopback") return domains[0]!;
  const host = c.req.header("host");
  if (host && domainAllowed({ domains, uriOrigins: "loopback" }, host)) return host;
  const port = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.localPort;
  return port ? `localhost:${port}` : "localhost";
}

export function authRouter() {
  const app = newRouter<AuthEnv>();
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The token POST /api/auth/verify returns",
  });
  return app
    .openapi(nonceRoute, async (c) => {
      const domain = suggestedDomain(c);
      const { nonce, expiresAt } = await issueNonce(await getStore(), new Date());
      const { chainIds } = authRuntime();
      return c.json({ nonce, expiresAt: expiresAt.toISOString(), chainId: chainIds[0]!, chainIds, domain }, 200);
    })
    .openapi(verifyRoute, async (c) => {
      const { message, signature } = c.req.valid("json");
      const config = authConfig();
      const now = new Date();
      const checked = checkSiweMessage(message, { policy: config.siwe, chainIds: authRuntime().chainIds, now });
      if (!checked.ok) throw new ApiError(checked.code === "invalid_siwe_message" ? 400 : 401, checked.code, checked.message);
      const { address, nonce, issuedAt } = checked.value;
      // The signature is checked before the nonce is consumed, so a forged request cannot burn it.
      if (!(await verifier()(address, hashMessage(message), signature as Hex))) {
        throw new ApiError(401, "bad_signature", `the signature is not ${address}'s signature of this message`);
      }
      const verdict = await consumeNonce(await getStore(), nonce, issuedAt, address, now);
      if (!verdict.ok) throw new ApiError(401, verdict.code, verdict.message);
      const roles = rolesOf(config, address);
      const { token, expiresAt } = await issueToken(config.secret, address, roles, config.tokenTtlSeconds, now);
      return c.json({ token, address: getAddress(address), roles, expiresAt: expiresAt.toISOString() }, 200);
    })
    .openapi(meRoute, (c) => {
      const caller = c.get("caller");
      return c.json({ address: caller.address, roles: caller.roles }, 200);
    })
    .openapi(logoutRoute, async (c) => {
      const { address } = c.get("caller");
      const { token, expiresAt } = c.get("session");
      await revokeToken(await getStore(), token, address, expiresAt, new Date());
      return c.json({ signedOut: true as const, address, until: expiresAt.toISOString() }, 200);
    });
}
