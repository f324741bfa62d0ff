// Sign-in, roles and signing settings, from the environment and the resolved network. Pure (the
// caller passes both in), so every rule is unit-tested (test/unit/auth-config.test.ts); api/auth/runtime.ts
// wires it to process.env once, when src/api/index.ts loads, so a bad value stops the start.
//
// Environment:
//   AUTH_SECRET                    HS256 key of the sign-in tokens, at least 32 characters. Required
//                                  outside the local network; on it, unset means DEV_AUTH_SECRET (warned).
//   AUTH_TOKEN_TTL_SECONDS         token lifetime (default 900, 60..86400)
//   ADMIN_ADDRESSES, OPERATOR_ADDRESSES, VALIDATOR_ADDRESSES
//                                  comma-separated addresses holding each static role; on the local
//                                  network unset means the dev owner / operator / validator account
//   SIWE_DOMAIN                    the domain(s) sign-in messages must name: the host[:port] of the
//                                  site users sign in from, comma-separated. Required outside the
//                                  local network; on it, unset means any address of this machine.
//                                  Never taken from the request (a relayed message would pass).
//   SIWE_URI_ORIGINS               origins the messages' URI may be at, comma-separated (default:
//                                  https:// each domain, and http:// too for a loopback one)
//   SIGNER_PRIVATE_KEY             the BookingEscrow signer (0x + 64 hex); local default: the dev signer.
//                                  Elsewhere, unset leaves the signing routes answering 503.
//   SIGNING_RATE_LIMIT_PER_MINUTE  signing requests per signed-in address per minute (default 10)
//   SIGN_IN_RATE_LIMIT_PER_MINUTE  nonce + verify requests per client IP per minute (default 30)
//   TRUSTED_PROXY_HOPS             proxies in front of the API whose X-Forwarded-For is trusted
//                                  for the client IP (default 0: the socket's address)
import { getAddress, isAddress, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { roleAccount } from "../../config/accounts.js";
import { DEV_AUTH_SECRET, isLoopbackHost } from "../../config/dev-server.js";
import { envInteger } from "../../config/env.js";
import { DEFAULT_NETWORK, type Env } from "../../config/network.js";
import { authorityHost, uriOrigin, type SiwePolicy } from "./siwe.js";

export type StaticRole = "admin" | "operator" | "validator";
export const STATIC_ROLES: readonly StaticRole[] = ["admin", "operator", "validator"];


export const DEFAULT_TOKEN_TTL_SECONDS = 900;
export const DEFAULT_SIGNING_RATE_LIMIT_PER_MINUTE = 10;
export const DEFAULT_SIGN_IN_RATE_LIMIT_PER_MINUTE = 30;
export const MIN_SECRET_LENGTH = 32;

export type AuthNetwork = { name: string; chainId: number };

export type AuthConfig = {
  network: AuthNetwork & { local: boolean };
  secret: string;
  tokenTtlSeconds: number;
  /** Checksummed addresses per static role. */
  roles: Record<StaticRole, Address[]>;
  /** The domains and URI origins a sign-in message may name. */
  siwe: SiwePolicy;
  /** null: the signing routes answer 503 signer_not_configured. */
  signerPrivateKey: Hex | null;
  signingRateLimitPerMinute: number;
  /** Sign-in requests (nonce and verify) per client IP per minute. */
  signInRateLimitPerMinute: number;
  /** Trusted proxies in front of the API (X-Forwarded-For entries to skip from the right). */
  trustedProxyHops: number;
  /** Things to say once at start-up (dev defaults in use). */
  warnings: string[];
};

const ROLE_VARS: Record<StaticRole, string> = {
  admin: "ADMIN_ADDRESSES",
  operator: "OPERATOR_ADDRESSES",
  validator: "VALIDATOR_ADDRESSES",
};
const LOCAL_ROLE_ACCOUNT = { admin: "owner", operator: "operator", validator: "validator" } as const;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function parseAddressList(raw: string, name: string): Address[] {
  const items = raw.split(",").map((s) => s.trim());
  const out: Address[] = [];
  for (const item of items) {
    if (item === "") continue;
    // Mixed case must be a valid checksum: a typo in a role list would otherwise go unnoticed.
    if (!isAddress(item, { strict: true })) {
      throw new Error(`${name}: "${item}" is not an address (0x + 40 hex digits, mixed case must be a valid EIP-55 checksum)`);
    }
    const a = getAddress(item);
    if (!out.includes(a)) out.push(a);
  }
  return out;
}

const AUTHORITY = /^[a-zA-Z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;

export function parseAuthConfig(env: Env, network: AuthNetwork): AuthConfig {
  const local = network.name === DEFAULT_NETWORK;
  const warnings: string[] = [];

  const rawSecret = value(env, "AUTH_SECRET");
  let secret: string;
  if (rawSecret !== undefined) {
    if (rawSecret.length < MIN_SECRET_LENGTH) {
      throw new Error(`AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters (a random string, e.g. openssl rand -hex 32), got ${rawSecret.length}`);
    }
    if (!local && rawSecret === DEV_AUTH_SECRET) throw new Error(`AUTH_SECRET is the public dev secret: set a random one for network "${network.name}"`);
    secret = rawSecret;
  } else if (local) {
    secret = DEV_AUTH_SECRET;
    warnings.push("AUTH_SECRET is not set: sign-in tokens use the public dev secret (local network only)");
  } else {
    throw new Error(`AUTH_SECRET is required for network "${network.name}": set it to a random string of at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`);
  }

  const roles = {} as Record<StaticRole, Address[]>;
  for (const role of STATIC_ROLES) {
    const raw = value(env, ROLE_VARS[role]);
    if (raw !== undefined) roles[role] = parseAddressList(raw, ROLE_VARS[role]);
    else roles[role] = local ? [getAddress(roleAccount(LOCAL_ROLE_ACCOUNT[role]).address)] : [];
  }

  const siwe = parseSiwePolicy(env, network.name, local);

  const rawKey = value(env, "SIGNER_PRIVATE_KEY");
  let signerPrivateKey: Hex | null = null;
  if (rawKey !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(rawKey)) throw new Error("SIGNER_PRIVATE_KEY must be 0x followed by 64 hex digits");
    try {
      privateKeyToAccount(rawKey as Hex);
    } catch {
      throw new Error("SIGNER_PRIVATE_KEY is not a valid secp256k1 private key");
    }
    signerPrivateKey = rawKey as Hex;
  } else if (local) {
    const key = roleAccount("signer").getHdKey().privateKey;
    if (key) signerPrivateKey = toHex(key);
  }

  return {
    network: { ...network, local },
    secret,
    tokenTtlSeconds: envInteger(env, "AUTH_TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECONDS, 60, 86_400),
    roles,
    siwe,
    signerPrivateKey,
    signingRateLimitPerMinute: envInteger(env, "SIGNING_RATE_LIMIT_PER_MINUTE", DEFAULT_SIGNING_RATE_LIMIT_PER_MINUTE, 1, 1_000_000),
    signInRateLimitPerMinute: envInteger(env, "SIGN_IN_RATE_LIMIT_PER_MINUTE", DEFAULT_SIGN_IN_RATE_LIMIT_PER_MINUTE, 1, 1_000_000),
    trustedProxyHops: envInteger(env, "TRUSTED_PROXY_HOPS", 0, 0, 10),
    warnings,
  };
}

function list(env: Env, name: string): string[] | null {
  const items = (value(env, name) ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "");
  return items.length > 0 ? [...new Set(items)] : null;
}

function parseSiwePolicy(env: Env, networkName: string, local: boolean): SiwePolicy {
  const domains = list(env, "SIWE_DOMAIN");
  for (const d of domains ?? []) {
    if (!AUTHORITY.test(d)) throw new Error(`SIWE_DOMAIN must be hosts with an optional port, comma-separated (e.g. app.example.com or localhost:3000), got "${d}"`);
  }
  if (domains === null && !local) {
    throw new Error(`SIWE_DOMAIN is required for network "${networkName}": the host (and port, if not the default) of the site users sign in from, e.g. app.example.com`);
  }
  const origins = list(env, "SIWE_URI_ORIGINS")?.map((o) => {
    const origin = uriOrigin(o);
    if (origin === null || new URL(o).href !== `${origin}/`) {
      throw new Error(`SIWE_URI_ORIGINS must be http(s) origins without a path, comma-separated (e.g. https://app.example.com), got "${o}"`);
    }
    return origin;
  });
  const derived = (ds: string[]) => ds.flatMap((d) => [`https://${d}`, ...(isLoopbackHost(authorityHost(d)) ? [`http://${d}`] : [])].map((o) => uriOrigin(o)!));
  return { domains: domains ?? "loopback", uriOrigins: origins ?? (domains ? derived(domains) : "loopback") };
}

/** The static roles an address holds under `config`. */
export function rolesOf(config: Pick<AuthConfig, "roles">, address: string): StaticRole[] {
  const a = address.toLowerCase();
  return STATIC_ROLES.filter((role) => config.roles[role].some((r) => r.toLowerCase() === a));
}
