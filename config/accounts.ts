// The local chain's well-known dev accounts (anvil's default mnemonic), one per role.
// Never used outside chain 31337.
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

// Deriving an HD account costs ~100 ms; tests and the simulator ask for the same few many times.
const derived = new Map<number, HDAccount>();

export function devAccount(index: number): HDAccount {
  let account = derived.get(index);
  if (!account) {
    account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
    derived.set(index, account);
  }
  return account;
}

/** Role → address index. Actors (customers, providers, buyers, merchants) start at ACTOR_BASE. */
export const ROLE_INDEX = {
  owner: 0,
  signer: 1,
  operator: 2,
  validator: 3,
  bot: 4,
  platformWallet: 5,
} as const;

export type Role = keyof typeof ROLE_INDEX;
export const ACTOR_BASE = 6;

export function roleAccount(role: Role): HDAccount {
  return devAccount(ROLE_INDEX[role]);
}
