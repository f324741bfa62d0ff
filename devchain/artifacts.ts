// Typed ABIs (from abis/) paired with the bytecode written by `npm run compile`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import {
  BookingEscrowAbi,
  EventTicketNFTAbi,
  OracleHubAbi,
  PaymentProcessorAbi,
  QRPaymentAbi,
  TestSmartWalletAbi,
  TestTokenAbi,
} from "../abis/index.js";

const artifactsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../artifacts");

export const abis = {
  BookingEscrow: BookingEscrowAbi,
  EventTicketNFT: EventTicketNFTAbi,
  PaymentProcessor: PaymentProcessorAbi,
  QRPayment: QRPaymentAbi,
  OracleHub: OracleHubAbi,
  TestToken: TestTokenAbi,
  TestSmartWallet: TestSmartWalletAbi,
} as const;

export type ContractName = keyof typeof abis;

export function bytecode(name: ContractName): Hex {
  const file = path.join(artifactsDir, `${name}.json`);
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { bytecode: Hex }).bytecode;
  } catch {
    throw new Error(`missing ${file}: run npm run compile`);
  }
}
