// The platform's sending keys, one per role, from the environment. Pure: env and network in,
// accounts out (unit-tested in test/unit/actions-keys.test.ts).
//
//   OWNER_PRIVATE_KEY      EventTicketNFT owner: create / cancel / complete events, set stakes
//   OPERATOR_PRIVATE_KEY   BookingEscrow operator: emergency-cancel bookings
//   BOT_PRIVATE_KEY        QRPayment bot: settle QR orders
//   VALIDATOR_PRIVATE_KEY  EventTicketNFT validator: check tickets in
//
// With PONDER_NETWORKS each chain may have keys of its own: PONDER_<NETWORK>_OWNER_PRIVATE_KEY (e.g.
// PONDER_BASE_SEPOLIA_BOT_PRIVATE_KEY) is that chain's, and the unprefixed variable is the key of
// every listed chain that sets none. On the local network an unset key is the dev account of that role (config/accounts.ts);
// elsewhere an unset key only disables the actions it signs (503 key_not_configured), so one
// deployment can run, say, settlements without holding the owner key. A malformed key stops the
// start: a typo must not silently turn into "not configured".
import { privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { roleAccount } from "../../config/accounts.js";
import { isLocalChain, networkEnvStem, type Env } from "../../config/network.js";

export const KEY_ROLES = ["owner", "operator", "bot", "validator"] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

export const KEY_ENV: Record<KeyRole, string> = {
  owner: "OWNER_PRIVATE_KEY",
  operator: "OPERATOR_PRIVATE_KEY",
  bot: "BOT_PRIVATE_KEY",
  validator: "VALIDATOR_PRIVATE_KEY",
};

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/** The local network: the default one, or the dev chain id; only there do dev keys stand in. */
export function isLocalNetwork(network: { name: string; chainId: number }): boolean {
  return network.name === "local" || isLocalChain(network.chainId);
}

export function parsePrivateKey(raw: string, varName: string): LocalAccount {
  const key = raw.trim();
  // The value is a secret: the message names the variable, never echoes it.
  if (!PRIVATE_KEY.test(key)) throw new Error(`${varName} must be a 32-byte hex private key (64 hex digits, optionally 0x-prefixed)`);
  const hex = (key.startsWith("0x") ? key : `0x${key}`) as `0x${string}`;
  try {
    return privateKeyToAccount(hex);
  } catch {
    throw new Error(`${varName} is not a valid secp256k1 private key`);
  }
}

/**
 * The variables a role's key is read from, first found wins: the chain's own (PONDER_<NETWORK>_…,
 * only when the network is one of a PONDER_NETWORKS list), then the shared one.
 */
export function keyVariables(role: KeyRole, network: string, listed: boolean): string[] {
  return listed ? [`PONDER_${networkEnvStem(network)}_${KEY_ENV[role]}`, KEY_ENV[role]] : [KEY_ENV[role]];
}

export type SenderKeys = Record<KeyRole, LocalAccount | undefined>;

/** `listed`: the network came from PONDER_NETWORKS, so its own prefixed key variables are read too. */
export function resolveSenderKeys(env: Env, network: { name: string; chainId: number }, listed = false): SenderKeys {
  const local = isLocalNetwork(network);
  const keys = {} as SenderKeys;
  for (const role of KEY_ROLES) {
    const variable = keyVariables(role, network.name, listed).find((name) => env[name]?.trim());
    keys[role] = variable ? parsePrivateKey(env[variable]!, variable) : local ? roleAccount(role) : undefined;
  }
  return keys;
}
